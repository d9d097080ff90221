"""Line numbers in a PDF's margin (a conference review copy, a court filing): found from word
positions and removed before the text is read, so a passage says "they leverage", not "they
285 leverage".

A margin column is a run of bare numbers, aligned on their left or right edge, that no
other word of the page shares a strip with, set apart from the text beside them by more than
a space, counting lines: sorted top to bottom they rise by 1 (every line) or by 5 (every
fifth). A number in a sentence always has words above or below it in its strip, so it is
never taken for one; nor is a table's column under a header, nor a list's own numbers
("1 Introduction": one space from their text).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

Word = Sequence[Any]  # PyMuPDF's word tuple: x0, y0, x1, y1, text, block, line, word
Rect = tuple[float, float, float, float]

_NUMBER = re.compile(r"\d{1,5}")
MIN_RUN = 5  # numbered lines a page needs before its numbers are taken for a margin's
ALIGN_PT = 2.5  # how far the aligned edges of one column's numbers may differ
STEPS = (1, 5)  # every line, or every fifth
STEADY = 0.8  # the share of steps that must be the column's step (a blank line may skip)
MIN_GAP_PT = 8.0  # a margin's numbers stand this far from their line's text (a space: ~3)


def margin_numbers(words: Sequence[Word]) -> list[Rect]:
    """The boxes of the page's margin line numbers (empty for an ordinary page)."""
    numbers = [w for w in words if _NUMBER.fullmatch(str(w[4]))]
    if len(numbers) < MIN_RUN:
        return []
    others = [w for w in words if not _NUMBER.fullmatch(str(w[4]))]
    taken: dict[int, Word] = {}
    for edge in (0, 2):  # left-aligned (x0) or right-aligned (x1) columns
        for column in _aligned(numbers, edge):
            if (
                _alone_in_strip(column, others)
                and _set_apart(column, others)
                and _counts_lines(column)
            ):
                taken.update((id(w), w) for w in column)
    return [(float(w[0]), float(w[1]), float(w[2]), float(w[3])) for w in taken.values()]


def _aligned(numbers: Sequence[Word], edge: int) -> list[list[Word]]:
    """Groups of at least MIN_RUN numbers whose `edge` coordinates lie within ALIGN_PT."""
    ordered = sorted(numbers, key=lambda w: float(w[edge]))
    groups: list[list[Word]] = []
    current: list[Word] = []
    for w in ordered:
        if current and float(w[edge]) - float(current[0][edge]) > ALIGN_PT:
            groups.append(current)
            current = []
        current.append(w)
    groups.append(current)
    return [g for g in groups if len(g) >= MIN_RUN]


def _alone_in_strip(column: Sequence[Word], others: Sequence[Word]) -> bool:
    x0 = min(float(w[0]) for w in column)
    x1 = max(float(w[2]) for w in column)
    return not any(float(o[0]) < x1 and float(o[2]) > x0 for o in others)


def _set_apart(column: Sequence[Word], others: Sequence[Word]) -> bool:
    """Most numbers are MIN_GAP_PT or more from the nearest word of their line (a number
    alone on its line, beside a blank line, counts as apart)."""
    apart = 0
    for w in column:
        same_line = [o for o in others if float(o[1]) < float(w[3]) and float(o[3]) > float(w[1])]
        gaps = [max(float(o[0]) - float(w[2]), float(w[0]) - float(o[2])) for o in same_line]
        apart += not gaps or min(gaps) >= MIN_GAP_PT
    return apart >= STEADY * len(column)


def _counts_lines(column: Sequence[Word]) -> bool:
    values = [int(str(w[4])) for w in sorted(column, key=lambda w: float(w[1]))]
    steps = [b - a for a, b in pairwise(values)]
    if not steps or any(s <= 0 for s in steps):
        return False
    step, count = Counter(steps).most_common(1)[0]
    return step in STEPS and count >= STEADY * len(steps)


def drop_margin_numbers(page: Any, flags: int) -> int:
    """Remove the page's margin line numbers from the in-memory page (a redaction of just
    those boxes: the file on disk is never written). Returns how many were removed."""
    boxes = margin_numbers(page.get_text("words", flags=flags))
    if not boxes:
        return 0
    for x0, y0, x1, y1 in boxes:
        page.add_redact_annot((x0, y0, x1, y1))
    page.apply_redactions(images=0, graphics=0)  # PDF_REDACT_IMAGE_NONE, LINE_ART_NONE
    return len(boxes)
