"""The rules debaters follow, applied to the learned cutter's word decisions.

Marks are whole words (a decision per whitespace word); highlight is a subset of underline;
highlight reads as runs (gaps of up to two words bridged); a highlighted claim keeps the
negation or hedge that decides what it says; citations, page markers and bracketed asides
are never marked.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agents.cutter.features import SKIP, parenthetical
from agents.cutter.text import Word, fill_gaps
from evidence.cards.lexicon import HEDGES, NEGATIONS

# How far (in words, within one clause) a negation or hedge may sit before a highlighted run
# and still be read with it: "do not [significantly] reduce" keeps the "not". Only before:
# English puts them ahead of what they qualify, and one after a run starts the next claim.
QUALIFIER_REACH = 3


def qualifier(word: Word) -> bool:
    key = word.key
    return key in NEGATIONS or key in HEDGES or (key.endswith("nt") and "'" in word.text)


def never_marked(words: Sequence[Word]) -> np.ndarray:
    """Page markers, footnote numbers, omission notes and short (...) / [...] asides."""
    skip = np.array([bool(SKIP.match(w.text)) for w in words], dtype=bool)
    return skip | (parenthetical(words) > 0)


def keep_qualifiers(
    words: Sequence[Word], highlight: list[bool], word_clause: np.ndarray
) -> list[bool]:
    """Highlight a negation or hedge within QUALIFIER_REACH words before a highlighted word
    of its clause, and the words between, so the read claim does not flip its meaning."""
    out = list(highlight)
    n = len(words)
    for i, word in enumerate(words):
        if out[i] or not qualifier(word):
            continue
        for j in range(i + 1, min(n, i + QUALIFIER_REACH + 1)):
            if highlight[j] and word_clause[j] == word_clause[i]:
                for k in range(i, j + 1):
                    out[k] = True
                break
    return out


def apply_rules(
    words: Sequence[Word],
    underline: Sequence[bool],
    highlight: Sequence[bool],
    word_clause: np.ndarray,
    *,
    underline_gap: int = 1,
    highlight_gap: int = 2,
) -> tuple[list[bool], list[bool]]:
    """Final (underline, highlight) word decisions from the model's raw ones."""
    skip = never_marked(words)
    under = [bool(u) and not s for u, s in zip(underline, skip, strict=True)]
    high = [bool(h) and u for h, u in zip(highlight, under, strict=True)]
    high = fill_gaps(high, highlight_gap)
    high = keep_qualifiers(words, high, word_clause)
    high = [h and not s for h, s in zip(high, skip, strict=True)]
    # What is read aloud is underlined: bridged and qualifier words join the underline.
    under = fill_gaps([u or h for u, h in zip(under, high, strict=True)], underline_gap)
    under = [u and not s for u, s in zip(under, skip, strict=True)]
    high = [h and u for h, u in zip(high, under, strict=True)]
    return under, high
