"""A card body: its paragraphs joined with "\\n", and its marks as character spans.

Adjacent runs with the same mark (and, for highlight, the same colour) merge into one span;
a span never crosses a paragraph break. Emphasis runs are underlined too, so an emphasised
word lies inside both an EMPHASIS span and an UNDERLINE span.
"""

from __future__ import annotations

from operator import attrgetter

from evidence.cards.card import Mark, Span
from evidence.verbatim.blocks import TABLE_MARK, Para

TABLE_WARNING = f"a table in the card body was left out; {TABLE_MARK} marks its place"
IMAGE_WARNING = "an image or embedded object in the card body was left out"


def build_body(paras: list[Para]) -> tuple[str, list[Span], list[str]]:
    """(body, spans, warnings). Paragraph text is kept as it is, spaces included: the body
    must stay verbatim. Callers pass only non-empty paragraphs."""
    texts: list[str] = []
    spans: list[Span] = []
    warnings: list[str] = []
    pos = 0
    for index, para in enumerate(paras):
        if index:
            pos += 1  # the "\n" between paragraphs
        pos, picture = _para_spans(para, pos, spans)
        texts.append(para.text)
        if para.table and TABLE_WARNING not in warnings:
            warnings.append(TABLE_WARNING)
        if picture and IMAGE_WARNING not in warnings:
            warnings.append(IMAGE_WARNING)
    # Span's own ordering is (start, end, mark, color) compared in Python; the same key as
    # a tuple sorts in C.
    spans.sort(key=_ORDER)
    return "\n".join(texts), spans, warnings


_ORDER = attrgetter("start", "end", "mark", "color")


def _para_spans(para: Para, pos: int, out: list[Span]) -> tuple[int, bool]:
    """Append the paragraph's spans, starting at body offset `pos`; return its end and
    whether it holds a marker (a picture, or the table's own). Each mark is tracked on its
    own: a span opens where a run gains the mark (or a new highlight colour) and closes
    where one loses it; markers carry none."""
    picture = False
    under = emph = high = -1  # where the open span started, -1 when none is open
    color = ""
    for seg in para.segments:
        text = seg.text
        if not text:
            continue
        if seg.marker:
            picture = True
            is_under = is_emph = False
            hue = ""
        else:
            fmt = seg.fmt
            is_under, is_emph, hue = fmt.underline, fmt.emphasis, fmt.highlight
        if is_under != (under >= 0):
            if is_under:
                under = pos
            else:
                out.append(Span(under, pos, Mark.UNDERLINE))
                under = -1
        if is_emph != (emph >= 0):
            if is_emph:
                emph = pos
            else:
                out.append(Span(emph, pos, Mark.EMPHASIS))
                emph = -1
        if hue != color:
            if color:
                out.append(Span(high, pos, Mark.HIGHLIGHT, color))
            high, color = pos, hue
        pos += len(text)
    if under >= 0:
        out.append(Span(under, pos, Mark.UNDERLINE))
    if emph >= 0:
        out.append(Span(emph, pos, Mark.EMPHASIS))
    if color:
        out.append(Span(high, pos, Mark.HIGHLIGHT, color))
    return pos, picture
