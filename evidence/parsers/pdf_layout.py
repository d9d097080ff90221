"""Layout heuristics for PDFs: block reading order, and title/authors read off page 1.

Embedded PDF metadata is often a template's ("Instructions for ACL-2013 Proceedings") or an
account's ("Windows User"); the first page's typography is the better witness: the title is
the largest text near the top, and the authors are the name-like lines right below it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TOP_FRACTION = 0.45  # title and authors sit in the top part of page 1
MAX_TITLE_LINES = 4
MAX_AUTHOR_LINES = 15
_STOP = re.compile(
    r"^(?:\d+\.?\s*)?(?:abstract|introduction|key\s*words?|summary|executive summary|background"
    r"|contents|overview)\b",
    re.IGNORECASE,
)
_AFFILIATION = re.compile(
    r"\b(?:universit\w*|institut\w*|college|school|department|dept|faculty|laborator\w*|labs?"
    r"|cent(?:er|re)|inc|corp\w*|llc|ltd|research|foundation|hospital|academy|ministry|council"
    r"|association|society|group|company|journal|proceedings|editor|press|vol(?:ume)?|google"
    r"|microsoft|ibm|amazon|facebook|openai|deepmind|street|road|avenue)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"@|https?:|www\.|doi", re.IGNORECASE)
_FOOTNOTE_MARKS = re.compile(r"[\d*†‡§¶∗⁎•⋆✝#]+")
_PARTICLES = {
    "van", "von", "de", "der", "den", "da", "di", "del", "della", "la", "le", "du", "dos",
    "das", "bin", "ibn", "al", "el", "y", "st.",
}  # fmt: skip
_NAME_TOKEN = re.compile(r"[^\W\d_][\w'’.\-]*")


@dataclass(frozen=True)
class _Line:
    y0: float
    x0: float
    size: float
    text: str


def reading_order(blocks: Sequence[Sequence[Any]], mid_x: float) -> list[Sequence[Any]]:
    """Blocks (PyMuPDF "blocks" tuples) top to bottom, two-column runs column by column.

    A block that crosses the page's centre line (a title, a full-width paragraph) ends a run;
    between such blocks, the left column is read before the right one.
    """
    ordered: list[Sequence[Any]] = []
    left: list[Sequence[Any]] = []
    right: list[Sequence[Any]] = []
    for block in sorted(blocks, key=lambda b: (round(b[1]), b[0])):
        if not str(block[4]).strip():
            continue
        if block[2] <= mid_x:
            left.append(block)
        elif block[0] >= mid_x:
            right.append(block)
        else:
            ordered += left + right + [block]
            left, right = [], []
    return ordered + left + right


def first_page_title_and_authors(page: Any, flags: int) -> tuple[str, list[str]]:
    """(title, authors) from page 1's typography; ("", []) when nothing stands out."""
    all_lines = _lines(page.get_text("dict", flags=flags))
    if not all_lines:
        return "", []
    body_size = _body_size(all_lines)
    top = page.rect.y0 + page.rect.height * TOP_FRACTION
    lines = sorted(
        (ln for ln in all_lines if ln.y0 < top and _letters(ln.text) >= 3),
        key=lambda ln: (round(ln.y0), ln.x0),
    )
    if not lines:
        return "", []
    biggest = max(ln.size for ln in lines)
    if biggest < body_size * 1.15:
        return "", []  # no larger type: nothing marks a title
    start = next(i for i, ln in enumerate(lines) if ln.size >= biggest - 0.5)
    end = start
    while end < len(lines) and end - start < MAX_TITLE_LINES and lines[end].size >= biggest - 0.5:
        end += 1
    title = " ".join(" ".join(ln.text for ln in lines[start:end]).split())
    return title, _authors(lines[end : end + MAX_AUTHOR_LINES])


def _lines(page_dict: dict[str, Any]) -> list[_Line]:
    out: list[_Line] = []
    for block in page_dict.get("blocks", []):
        if block.get("type") != 0:
            continue
        for line in block.get("lines", []):
            spans = [s for s in line.get("spans", []) if str(s.get("text", "")).strip()]
            if not spans:
                continue
            text = "".join(str(s["text"]) for s in line["spans"]).strip()
            size = max(float(s["size"]) for s in spans)
            out.append(_Line(float(line["bbox"][1]), float(line["bbox"][0]), size, text))
    return out


def _body_size(lines: list[_Line]) -> float:
    weights: Counter[float] = Counter()
    for ln in lines:
        weights[round(ln.size, 1)] += len(ln.text)
    return weights.most_common(1)[0][0]


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _authors(lines: list[_Line]) -> list[str]:
    names: list[str] = []
    for ln in lines:
        text = ln.text
        if _STOP.match(text) or len(text) > 120:
            break  # the abstract or the body has begun
        if _CONTACT.search(text) or _AFFILIATION.search(text):
            continue
        text = re.sub(r"^by\s+", "", text, flags=re.IGNORECASE)
        for part in re.split(r",|;|\band\b|&", _FOOTNOTE_MARKS.sub(" ", text)):
            name = _person_name(part)
            if name and name not in names:
                names.append(name)
    return names


def _person_name(part: str) -> str | None:
    tokens = part.strip(" .,;:").split()
    if not 2 <= len(tokens) <= 5:
        return None
    for token in tokens:
        if token.lower() in _PARTICLES:
            continue
        if not (token[0].isupper() and _NAME_TOKEN.fullmatch(token)):
            return None
    return " ".join(tokens)
