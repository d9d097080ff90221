"""A card body and its spans ⇄ paragraphs of runs (text, marks), without a character loop.

`card_format` works per character, which is right for one card and far too slow for a
900k-word document; these give the same answers (`spans_of_runs` equals
`card_format.spans_of(card_format.settle_breaks(...))`) from run boundaries alone.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from desktop.editor import card_format as cf
from evidence.cards.card import Mark, Span

Run = tuple[str, cf.Marks]


def paragraph_runs(body: str, spans: Iterable[Span]) -> list[list[Run]]:
    """The body's paragraphs ("\\n"-separated), each as maximal runs of equal marks. Where
    highlights of two colours overlap the later span wins, as in `card_format.char_marks`."""
    n = len(body)
    spans = list(spans)
    cuts = {0, n}
    clamped = [(_clamp(s.start, n), _clamp(s.end, n), s) for s in spans]
    for start, end, _span in clamped:
        cuts.add(start)
        cuts.add(end)
    at = body.find("\n")
    while at != -1:
        cuts.update((at, at + 1))
        at = body.find("\n", at + 1)
    bounds = sorted(cuts)
    segments = len(bounds) - 1
    under = [False] * segments
    emph = [False] * segments
    color = [""] * segments
    for start, end, span in clamped:
        first = bisect_left(bounds, start)
        last = bisect_left(bounds, end)
        if first >= last:
            continue
        if span.mark == Mark.UNDERLINE:
            under[first:last] = [True] * (last - first)
        elif span.mark == Mark.EMPHASIS:
            emph[first:last] = [True] * (last - first)
        else:
            color[first:last] = [span.color or cf.DEFAULT_HIGHLIGHT] * (last - first)
    known: dict[tuple[bool, bool, str], cf.Marks] = {}
    marks: list[cf.Marks] = []
    for key in zip(under, emph, color, strict=True):
        m = known.get(key)
        if m is None:
            m = known[key] = cf.Marks(*key)
        marks.append(m)
    paragraphs: list[list[Run]] = [[]]
    for i, m in enumerate(marks):
        piece = body[bounds[i] : bounds[i + 1]]
        if piece == "\n":
            paragraphs.append([])
            continue
        para = paragraphs[-1]
        if para and para[-1][1] is m:  # Marks are shared per kind above
            para[-1] = (para[-1][0] + piece, m)
        elif piece:
            para.append((piece, m))
    return paragraphs


def spans_of_runs(paragraphs: list[list[Run]]) -> tuple[str, list[Span]]:
    """The body ("\\n"-joined paragraphs) and its canonical spans."""
    located: list[tuple[int, int, cf.Marks | None]] = []  # None: a paragraph break
    pos = 0
    texts: list[str] = []
    for index, para in enumerate(paragraphs):
        if index:
            located.append((pos, pos + 1, None))
            pos += 1
        for text, marks in para:
            if text:
                located.append((pos, pos + len(text), marks))
                pos += len(text)
        texts.append("".join(text for text, _ in para))
    settled = _settle(located)
    spans: list[Span] = []
    for mark in Mark:
        if mark == Mark.UNDERLINE:
            keys = ["x" if m.underline else "" for _, _, m in settled]
        elif mark == Mark.EMPHASIS:
            keys = ["x" if m.emphasis else "" for _, _, m in settled]
        else:
            keys = [m.highlight for _, _, m in settled]
        open_key, start, end = "", 0, 0
        for (a, b, _m), key in zip(settled, keys, strict=True):
            if key and key == open_key and a == end:
                end = b
                continue
            if open_key:
                spans.append(Span(start, end, mark, open_key if mark == Mark.HIGHLIGHT else ""))
            open_key, start, end = key, a, b
        if open_key:
            spans.append(Span(start, end, mark, open_key if mark == Mark.HIGHLIGHT else ""))
    spans.sort(key=lambda s: (s.start, s.end, s.mark, s.color))  # Span's own order, faster
    return "\n".join(texts), spans


def _settle(located: list[tuple[int, int, cf.Marks | None]]) -> list[tuple[int, int, cf.Marks]]:
    """Each run of paragraph breaks takes the marks its two neighbours share."""
    out: list[tuple[int, int, cf.Marks]] = []
    i = 0
    while i < len(located):
        a, b, m = located[i]
        if m is not None:
            out.append((a, b, m))
            i += 1
            continue
        j = i
        while j < len(located) and located[j][2] is None:
            j += 1
        left = located[i - 1][2] if i > 0 else None
        right = located[j][2] if j < len(located) else None
        shared = left.common(right) if left is not None and right is not None else cf.NONE
        out.append((a, located[j - 1][1], shared))
        i = j
    return out


def _clamp(value: int, n: int) -> int:
    return value if 0 <= value <= n else min(max(value, 0), n)
