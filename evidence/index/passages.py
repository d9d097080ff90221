"""Split a document's text into passages: the units that are embedded, searched and shown.

Passages are whole paragraphs packed to `min_words`..`max_words` words, so a hit reads as a
coherent piece of the source; only a paragraph longer than `max_words` is cut, at sentence
ends when it has them. Spans are offsets into `doc.text`, trimmed of whitespace.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from evidence.parsers.document import ParsedDocument


@dataclass(frozen=True)
class PassageSpan:
    start: int
    end: int
    page: int | None  # the page the passage starts on; None for unpaged sources


_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_BLANK_LINES = re.compile(r"\n\s*\n")
_NEWLINES = re.compile(r"\n\s*")
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.?!][\"'”’)\]]*\Z")
_SENTENCE_START_QUOTES = "\"'“‘([¿¡"

_Para = tuple[int, int, int]  # start, end (trimmed offsets), word count
_Piece = tuple[int, int, int]  # the same, for a passage under construction


def split_passages(
    doc: ParsedDocument, min_words: int = 150, max_words: int = 400
) -> list[PassageSpan]:
    """Passages covering every word of `doc.text`, in order, never overlapping.

    Paragraphs (split at blank lines, or at every newline in text that has no blank lines)
    are accumulated while a passage is under `min_words`; a paragraph that would push it past
    `max_words` starts a new one. The last passage, if under min_words/2, joins the one
    before when that stays within max_words + min_words/2.
    """
    if min_words < 1 or max_words < min_words:
        raise ValueError("need 1 <= min_words <= max_words")
    pieces: list[_Piece] = []
    current: _Piece | None = None
    for para in _paragraphs(doc.text):
        if para[2] > max_words:
            if current:
                pieces.append(current)
            *whole, current = _split_long(doc.text, para, min_words, max_words)
            pieces.extend(whole)
        elif current and current[2] + para[2] > max_words:
            pieces.append(current)
            current = para
        else:
            current = _merge(current, para) if current else para
        if current and current[2] >= min_words:
            pieces.append(current)
            current = None
    if current:
        pieces.append(current)
    if (
        len(pieces) >= 2
        and pieces[-1][2] < min_words / 2
        and pieces[-2][2] + pieces[-1][2] <= max_words + min_words / 2
    ):
        pieces[-2:] = [_merge(pieces[-2], pieces[-1])]
    return [PassageSpan(start, end, doc.page_at(start)) for start, end, _ in pieces]


def _merge(a: _Piece, b: _Piece) -> _Piece:
    return (a[0], b[1], a[2] + b[2])


def _paragraphs(text: str) -> list[_Para]:
    separator = _BLANK_LINES if _BLANK_LINE.search(text) else _NEWLINES
    paras: list[_Para] = []
    pos = 0
    for m in separator.finditer(text):
        _add_paragraph(text, pos, m.start(), paras)
        pos = m.end()
    _add_paragraph(text, pos, len(text), paras)
    return paras


def _add_paragraph(text: str, start: int, end: int, paras: list[_Para]) -> None:
    chunk = text[start:end]
    words = len(chunk.split())
    if words:
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        paras.append((start + lead, end - trail, words))


def _split_long(text: str, para: _Para, min_words: int, max_words: int) -> list[_Piece]:
    """Cut a paragraph into balanced pieces of at most max_words words, at the sentence end
    nearest each piece's target length, else between words."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, para[0], para[1])]
    # breaks[k] = i means a sentence ends after word i-1, so a piece may end at word i.
    breaks = [i for i in range(1, len(words)) if _ends_sentence(text, words[i - 1], words[i])]
    pieces: list[_Piece] = []
    first = 0
    while first < len(words):
        remaining = len(words) - first
        if remaining <= max_words:
            cut = len(words)
        else:
            target = first + math.ceil(remaining / math.ceil(remaining / max_words))
            low = first + max(1, min_words // 2)
            cut = _nearest_break(breaks, target, low, first + max_words)
        pieces.append((words[first][0], words[cut - 1][1], cut - first))
        first = cut
    return pieces


def _nearest_break(breaks: list[int], target: int, low: int, high: int) -> int:
    """The sentence break in [low, high] nearest `target`, else `target` itself."""
    lo, hi = bisect_left(breaks, low), bisect_right(breaks, high)
    candidates = breaks[lo:hi]
    if not candidates:
        return target
    k = bisect_left(candidates, target)
    near = candidates[max(0, k - 1) : k + 1]
    return min(near, key=lambda b: abs(b - target))


def _ends_sentence(text: str, word: tuple[int, int], following: tuple[int, int]) -> bool:
    token = text[word[0] : word[1]]
    m = _SENTENCE_END.search(token)
    if not m or m.start() == 0:
        return False
    first = text[following[0]]
    return first.isupper() or first.isdigit() or first in _SENTENCE_START_QUOTES
