"""Margin line numbers of review copies are dropped from PDF text (issue 16, part 4), and real
numbers in the text are kept: PDFs written here with PyMuPDF, read by the real parser."""

from __future__ import annotations

from typing import Any

import pymupdf
import pytest

from evidence.parsers.pdf import parse_pdf
from evidence.parsers.pdf_margins import margin_numbers

LINES = [
    "Sanctions rarely change a target's behaviour because",
    "they leverage only the economic costs that leaders can",
    "pass on to their citizens, while the regime itself keeps",
    "its rents. In 2019 there were 285 sanctions programs in",
    "force, and 14 of them ended with the target conceding.",
    "Scholars agree that the 3 largest programs failed and",
    "that 40 percent of the targets grew richer afterwards.",
    "Trade diversion through neighbours explains much of it.",
]
PROSE = " ".join(LINES * 6)
_open: Any = pymupdf.open  # PyMuPDF is unannotated


def _pdf(lines: list[str], numbers: dict[int, str], x_number: float = 40, pages: int = 1) -> bytes:
    """`lines` at x = 72, 14 pt apart, with numbers[i] beside line i at `x_number`."""
    with _open() as pdf:
        for _ in range(pages):
            page = pdf.new_page()
            for i, line in enumerate(lines):
                y = 80 + 14 * i
                page.insert_text((72, y), line, fontsize=11)
                if i in numbers:
                    page.insert_text((x_number, y), numbers[i], fontsize=8)
        return bytes(pdf.tobytes())


@pytest.mark.parametrize(
    ("start", "step", "x"),
    [(281, 1, 40), (1, 1, 40), (281, 1, 530), (100, 5, 40)],
    ids=["left, every line", "left, from 1", "right margin", "every fifth line"],
)
def test_margin_line_numbers_are_dropped(start: int, step: int, x: float) -> None:
    lines = LINES * 6  # 48 lines
    numbers = {i: str(start + i) for i in range(len(lines)) if (start + i) % step == 0}
    doc = parse_pdf(_pdf(lines, numbers, x, pages=2))
    assert doc.text.split("\n\n") == [PROSE, PROSE]  # every word of the text, no number added
    assert "because they leverage" in doc.text
    assert doc.extra["line_numbered_pages"] == "2" and doc.page_starts == [0, len(PROSE) + 2]
    # The same page without the numbers reads the same.
    assert parse_pdf(_pdf(lines, {})).text == PROSE


def test_without_the_removal_the_numbers_would_split_the_words() -> None:
    """What a review copy read naively gives (the words the parser must not show)."""
    lines = LINES * 3
    raw = _pdf(lines, {i: str(281 + i) for i in range(len(lines))})
    with _open(stream=raw, filetype="pdf") as pdf:
        assert "because 281 they leverage" in " ".join(pdf[0].get_text().split())


def test_numbers_in_sentences_lists_and_tables_stay() -> None:
    lines = [
        "1 Introduction",
        "2 In 2019 there were 285 programs and 14 ended.",
        "3 Scholars counted 3 failures in 40 cases.",
        "4 Trade diversion explains 12 of them.",
        "5 Neighbours traded 7 goods through 9 ports.",
        "6 Conclusion",
    ]
    doc = parse_pdf(_pdf(lines, {}))  # numbered lines: their numbers are the text's own
    assert doc.text.startswith("1 Introduction 2 In 2019 there were 285")
    assert "line_numbered_pages" not in doc.extra
    # A table's rank column under its header is not a margin either.
    table = ["Rank Country"] + [f"{i} Country{i}" for i in range(1, 9)]
    doc = parse_pdf(_pdf(table, {}))
    assert "1 Country1" in doc.text and "8 Country8" in doc.text


def test_a_column_needs_steady_steps_and_a_strip_of_its_own() -> None:
    def word(x0: float, y: float, text: str) -> tuple[float, float, float, float, str]:
        return (x0, y, x0 + 6 * len(text), y + 10, text)

    prose = [word(72, 14 * i, "text") for i in range(10)]
    margin = [word(40, 14 * i, str(10 + i)) for i in range(10)]
    assert len(margin_numbers(prose + margin)) == 10
    jumbled = [word(40, 14 * i, str(v)) for i, v in enumerate([3, 9, 4, 12, 40, 7, 8, 1, 2, 5])]
    assert margin_numbers(prose + jumbled) == []  # page references in a column, not lines
    shared = [*prose, *margin, word(38, 200, "Note")]  # a word in the strip: not a margin
    assert margin_numbers(shared) == []
    assert margin_numbers(prose + margin[:4]) == []  # too few to tell
