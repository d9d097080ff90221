"""A tag's opposites by rule: a negation put in or taken out, an antonym swapped in.

The contradiction check (contradiction.py) asks whether the card reads closer to the tag or
to one of its opposites; bench/contradiction_data.py makes its test variants with the same
rules (and with antonym pairs the lexicon does not know, to measure beyond them).
"""

from __future__ import annotations

import re

from agents.team.polarity import CONTRACTIONS, FAMILIES

Pairs = list[tuple[tuple[str, ...], tuple[str, ...]]]

_AUX = frozenset(
    "is are was were will would can could should may might must has have had does do did".split()
)
WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_DETERMINERS = frozenset("a an the its their his her our your my of to and this that".split())
_NEGATION_DROP = frozenset({"not", "never", "no"})


def _like(word: str, model: str) -> str:
    """`word` in the capitalisation of `model`."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _replace(tag: str, m: re.Match[str], new: str) -> str:
    return tag[: m.start()] + new + tag[m.end() :]


def negation_insert(tag: str) -> str | None:
    verbs = {
        forms[k]: forms[0]
        for pairs in FAMILIES.values()
        for pair in pairs
        for forms in pair
        if len(forms) == 4
        for k in (1, 2)
    }
    before = ""
    for m in WORD.finditer(tag):
        low = m.group().lower()
        rest = tag[m.end() :].lstrip().lower()
        if low in _AUX and not re.match(r"(not|n't|never|no)\b", rest):
            return _replace(tag, m, m.group() + " not")
        if low in verbs and before not in _DETERMINERS:  # "the benefits" is a noun
            aux = "does" if low.endswith("s") and verbs[low] + "s" == low else "did"
            return _replace(tag, m, _like(aux, m.group()) + " not " + verbs[low])
        before = low
    return None


def negation_remove(tag: str) -> str | None:
    for m in WORD.finditer(tag):
        low = m.group().lower().replace("’", "'")
        if low in CONTRACTIONS:
            return _replace(tag, m, _like(CONTRACTIONS[low], m.group()))
        if low == "cannot":
            return _replace(tag, m, _like("can", m.group()))
        if low in _NEGATION_DROP:
            out = tag[: m.start()] + tag[m.end() :].lstrip()
            return " ".join(out.split())
    return None


def swap(tag: str, pairs: Pairs) -> str | None:
    """The first word of `pairs` swapped for its antonym in the same form."""
    table: dict[str, str] = {}
    for pos, neg in pairs:
        for a, b in zip(pos, neg, strict=True):
            table.setdefault(a, b)
            table.setdefault(b, a)
    for m in WORD.finditer(tag):
        other = table.get(m.group().lower())
        if other is not None:
            return _replace(tag, m, _like(other, m.group()))
    return None


def opposites(tag: str) -> list[str]:
    """Every opposite the rules make of `tag` (a negation in or out, the first antonym)."""
    all_pairs = [pair for pairs in FAMILIES.values() for pair in pairs]
    made = [negation_insert(tag), negation_remove(tag), swap(tag, all_pairs)]
    return list(dict.fromkeys(t for t in made if t and t != tag))
