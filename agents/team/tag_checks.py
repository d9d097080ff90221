"""Is a generated tag usable? The Reviewer's check for the ways a small model's tag fails.

Seen on real backfiles with Gemma 3 270M: a phrase repeated twenty times ("Climate change
climate change …"), a list of noun phrases ("Dollar hegemony, central role, global role, …"),
search-snippet marks leaking in ("the argument of «competitiveness» is a myth."), fragments cut
from a sentence ("and is a policy of the US government to") and two cards with one tag. A tag
is a claim a debater reads aloud: one sentence, with a verb, said once.

Each check is deliberately generous to real debate tags, which are often terse ("No impact —
adaptation solves."): a tag is refused only for a clear sign, never for style.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection

MIN_WORDS, MAX_WORDS = 2, 40

_MARKUP = re.compile(r"[«»<>{}\[\]*#|\\`]|https?://|^\s*(tag|claim|answer)\s*:", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'.-]*")
_FUNCTION = frozenset(
    "a an the and or but nor of to in on at by for with from as that which who whom whose "
    "this these those it its is are was were be been being not no he she they we you i his "
    "her their our them us him me my your".split()
)
# A fragment stops mid-phrase.
_BAD_LAST = frozenset(
    "a an the and or but nor of to in on at by for with from as that which who than".split()
)
_AUXILIARIES = frozenset(
    "is are was were be been being am will would can could should shall must may might has "
    "have had do does did won't can't isn't aren't wasn't don't doesn't didn't".split()
)
_COMMON_VERBS = frozenset(
    "make take give get go come keep hold cause solve fail win lose lead need risk undermine "
    "increase decrease reduce prevent drive spur boost hurt harm help kill destroy collapse "
    "outweigh turn say show prove mean rise fall grow spread threaten ensure block bar stop "
    "require allow deter escalate trigger crush save solve kills".split()
)


def _words(tag: str) -> list[str]:
    words = (w.lower().strip(".'-") for w in _WORD.findall(tag.replace("’", "'")))
    return [w for w in words if w]


def normalize(tag: str) -> str:
    """A tag as compared with another: lower case, words only."""
    return " ".join(_words(tag))


def tag_problem(tag: str, other_tags: Collection[str] = ()) -> str:
    """Why `tag` is not a usable tag, in a few words; "" when it is fine. `other_tags` are
    the tags already given to cards of the same result."""
    words = _words(tag)
    if _MARKUP.search(tag):
        return "it holds markup or snippet marks"
    if len(words) < MIN_WORDS:
        return "it is too short to be a claim"
    if len(words) > MAX_WORDS:
        return "it is too long for a tag"
    repeated = _repetition(words)
    if repeated:
        return f"it repeats “{repeated}”"
    # A sentence does not start in lower case, nor lower-case "and"/"of"/"is": it was cut
    # out of one ("and is a policy of the US government to").
    first = tag.lstrip(" \"“'‘(")[:1]
    if first.islower() or words[-1] in _BAD_LAST:
        return "it is a fragment of a sentence"
    if tag.count(",") >= 3 and not _has_verb(words):
        return "it is a list of phrases, not a claim"
    if not _has_verb(words) and words[0] not in ("no", "not"):  # "No impact." is a claim
        return "it has no verb: a fragment, not a claim"
    key = normalize(tag)
    if any(key == normalize(other) for other in other_tags):
        return "another card of this result has the same tag"
    return ""


def _repetition(words: list[str]) -> str:
    """A phrase said three times, or a content word that is a fifth of the tag, or a tag
    under 60% distinct words: the signature of a model looping, not of emphasis."""
    distinct = len(set(words)) / len(words)
    for n in (3, 2):
        grams = Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
        for gram, times in grams.most_common(1):
            if any(w not in _FUNCTION for w in gram) and (
                times >= 3 or (times >= 2 and distinct < 0.6)
            ):
                return " ".join(gram)
    content = Counter(w for w in words if w not in _FUNCTION)
    for word, count in content.most_common(1):
        if count >= 3 and (count / len(words) >= 0.3 or distinct < 0.6):
            return word
    return ""


def _has_verb(words: list[str]) -> bool:
    """Generous on purpose: any auxiliary, common debate verb or verb-like ending counts, so
    that only tags with no sign of a verb at all are refused."""
    for w in words:
        if w in _AUXILIARIES or w in _COMMON_VERBS or w.endswith("n't"):
            return True
        if len(w) > 3 and w not in _FUNCTION and w.endswith(("s", "ed", "es", "ing", "en")):
            return True
    return False
