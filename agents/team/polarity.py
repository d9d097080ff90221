"""Which way a sentence points: negations and antonym families, for the contradiction check.

A polar term is a word of an antonym family ("increase" +, "decrease" -) with its sign
flipped when a negation stands in the few words before it ("does not increase" is -).
Families are aligned by form (base, -s, past, -ing), so bench/contradiction_data.py can
swap a word for its antonym in the same form when it makes test tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

NEGATIONS = frozenset(
    "not no never none nor neither cannot without nothing nobody nowhere lack lacks".split()
)
# "don't" -> "do": a contraction carries its own negation.
CONTRACTIONS = {
    "don't": "do",
    "doesn't": "does",
    "didn't": "did",
    "won't": "will",
    "can't": "can",
    "isn't": "is",
    "aren't": "are",
    "wasn't": "was",
    "weren't": "were",
    "shouldn't": "should",
    "wouldn't": "would",
    "couldn't": "could",
    "hasn't": "has",
    "haven't": "have",
    "hadn't": "had",
    "mustn't": "must",
}
SCOPE = 3  # a negation flips a polar word at most this many words after it


def _forms(base: str) -> tuple[str, ...]:
    """base, -s, past, -ing of a regular verb ("increase" -> increases, increased, increasing)."""
    if base.endswith("e"):
        return base, base + "s", base + "d", base[:-1] + "ing"
    return base, base + "s", base + "ed", base + "ing"


# family -> pairs of aligned forms: (positive forms, negative forms).
FAMILIES: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "direction": [
        (_forms("increase"), _forms("decrease")),
        (("rise", "rises", "rose", "rising"), ("fall", "falls", "fell", "falling")),
        (("grow", "grows", "grew", "growing"), ("shrink", "shrinks", "shrank", "shrinking")),
        (_forms("raise"), _forms("lower")),
        (_forms("expand"), _forms("reduce")),
        (("increase", "increases", "increased", "increasing"), _forms("decline")),
        (("up",), ("down",)),
    ],
    "effect": [
        (_forms("help"), ("hurt", "hurts", "hurt", "hurting")),
        (_forms("strengthen"), _forms("weaken")),
        (_forms("improve"), _forms("worsen")),
        (_forms("benefit"), _forms("harm")),
        (_forms("boost"), _forms("undermine")),
        (_forms("protect"), _forms("threaten")),
        (_forms("enhance"), _forms("damage")),
        (("helpful",), ("harmful",)),
    ],
    "success": [
        (_forms("work"), _forms("fail")),
        (_forms("succeed"), _forms("fail")),
        (_forms("solve"), _forms("fail")),
        (("effective",), ("ineffective",)),
        (("success", "successes"), ("failure", "failures")),
        (("successful",), ("unsuccessful",)),
        (("win", "wins", "won", "winning"), ("lose", "loses", "lost", "losing")),
    ],
    "evaluative": [
        (("good",), ("bad",)),
        (("positive",), ("negative",)),
        (("beneficial",), ("detrimental",)),
        (("better",), ("worse",)),
        (("best",), ("worst",)),
        (("safe",), ("dangerous",)),
        (("stable",), ("unstable",)),
        (("strong",), ("weak",)),
        (("true",), ("false",)),
    ],
    "modal": [
        (("likely",), ("unlikely",)),
        (("possible",), ("impossible",)),
        (("probable",), ("improbable",)),
        (("inevitable",), ("avoidable",)),
        (("certain",), ("uncertain",)),
        (("always",), ("never",)),
    ],
    "quantity": [
        (("more",), ("less",)),
        (("most",), ("least",)),
        (("many",), ("few",)),
        (("greater",), ("smaller",)),
        (("higher",), ("lower",)),
        (("high",), ("low",)),
        (("larger",), ("smaller",)),
    ],
}

# word -> (family, sign); a word in two pairs of one family keeps its first reading.
LEXICON: dict[str, tuple[str, int]] = {}
for _family, _pairs in FAMILIES.items():
    for _pos, _neg in _pairs:
        for _word in _pos:
            LEXICON.setdefault(_word, (_family, 1))
        for _word in _neg:
            LEXICON.setdefault(_word, (_family, -1))


def tokens(text: str) -> list[str]:
    return [t.replace("’", "'") for t in _TOKEN.findall(text.lower())]


def is_negation(token: str) -> bool:
    return token in NEGATIONS or token in CONTRACTIONS or token.endswith("n't")


@dataclass(frozen=True)
class Polar:
    word: str
    family: str
    sign: int  # after negation: "not increase" is -1
    raw: int  # the word's own sign


def polar_terms(words: list[str]) -> list[Polar]:
    out: list[Polar] = []
    for i, word in enumerate(words):
        hit = LEXICON.get(word)
        if hit is None:
            continue
        family, raw = hit
        flips = sum(is_negation(w) for w in words[max(0, i - SCOPE) : i])
        out.append(Polar(word, family, raw * (-1) ** flips, raw))
    return out


def negation_count(words: list[str]) -> int:
    return sum(is_negation(w) for w in words)
