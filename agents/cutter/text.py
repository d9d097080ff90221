"""Card body text as the cutter sees it: words, sentences, clauses, and marks as spans.

A word is a whitespace-separated token of the body (the unit the evaluation scores), kept
with its character range so marks can be written back as spans without touching the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from evidence.cards.card import Mark, Span

_WORD = re.compile(r"\S+")
# A sentence ends at . ! ? (then any closing quotes/brackets); abbreviations and initials
# ("U.S.", "Dr.", "J.") do not end one.
_SENT_END = re.compile(r"[.!?][\"”’')\]]*$")
_ABBREV = re.compile(
    r"^(?:[A-Za-z]\.)+$|^(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|vs|etc|al|No|Vol|Inc|Co|Corp|Gen|Sen|Rep|Gov|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|e\.g|i\.e)\.$"
)
# A clause also ends at , ; : and dashes: debaters underline in clause-sized pieces.
_CLAUSE_END = re.compile(r"[,;:—–][\"”’')\]]*$|[.!?][\"”’')\]]*$")
_DASH = re.compile(r"^[—–-]{1,3}$")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        """Lowercase letters and digits only: what lexical overlap compares."""
        return re.sub(r"[^\w]", "", self.text.lower())


def split_words(body: str) -> list[Word]:
    return [Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(body)]


def _breaks_after(body: str, words: list[Word], i: int) -> bool:
    """A paragraph break follows word i."""
    nxt = words[i + 1].start if i + 1 < len(words) else len(body)
    return "\n" in body[words[i].end : nxt]


def segment(body: str, words: list[Word], *, clauses: bool) -> list[tuple[int, int]]:
    """[start, end) word-index ranges of sentences (or clauses, when `clauses`)."""
    pattern = _CLAUSE_END if clauses else _SENT_END
    out: list[tuple[int, int]] = []
    start = 0
    for i, word in enumerate(words):
        ends = bool(pattern.search(word.text)) and not _ABBREV.match(word.text)
        if clauses and _DASH.match(word.text) and i > start:
            out.append((start, i))
            start = i
            continue
        if ends or _breaks_after(body, words, i) or i == len(words) - 1:
            out.append((start, i + 1))
            start = i + 1
    return out


def merge_short(ranges: list[tuple[int, int]], minimum: int) -> list[tuple[int, int]]:
    """Join ranges shorter than `minimum` words to the following one (the last to the previous)."""
    out: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for rng in ranges:
        if pending is not None:
            rng = (pending[0], rng[1])
            pending = None
        if rng[1] - rng[0] < minimum:
            pending = rng
        else:
            out.append(rng)
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], pending[1])
        else:
            out.append(pending)
    return out


def fill_gaps(marked: list[bool], gap: int) -> list[bool]:
    """Mark runs of at most `gap` unmarked words lying between marked words."""
    out = list(marked)
    last = -1
    for i, on in enumerate(marked):
        if on:
            if 0 <= last < i - 1 and i - last - 1 <= gap:
                for j in range(last + 1, i):
                    out[j] = True
            last = i
    return out


def to_spans(
    body: str, words: list[Word], marked: list[bool], mark: Mark, color: str = ""
) -> list[Span]:
    """Consecutive marked words as one span each, cut at paragraph breaks."""
    spans: list[Span] = []
    start: int | None = None
    for i, word in enumerate(words):
        if marked[i]:
            if start is None:
                start = word.start
            if i + 1 == len(words) or not marked[i + 1] or _breaks_after(body, words, i):
                spans.append(Span(start, word.end, mark, color))
                start = None
    return spans


def marked_words(words: list[Word], spans: list[Span], mark: Mark) -> list[bool]:
    """A word is marked if any of its characters lies inside a span of `mark`."""
    ranges = sorted((s.start, s.end) for s in spans if s.mark == mark)
    out: list[bool] = []
    j = 0
    for word in words:
        while j < len(ranges) and ranges[j][1] <= word.start:
            j += 1
        k = j
        hit = False
        while k < len(ranges) and ranges[k][0] < word.end:
            if ranges[k][1] > word.start:
                hit = True
                break
            k += 1
        out.append(hit)
    return out
