"""A card body: its paragraphs joined with "\\n", and its marks as character spans.

Adjacent runs with the same mark (and, for highlight, the same colour) merge into one span;
a span never crosses a paragraph break. Emphasis runs are underlined too, so an emphasised
word lies inside both an EMPHASIS span and an UNDERLINE span.
"""

from __future__ import annotations

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
        pos = _para_spans(para, pos, spans)
        texts.append(para.text)
        if para.table and TABLE_WARNING not in warnings:
            warnings.append(TABLE_WARNING)
        if para.has_picture and IMAGE_WARNING not in warnings:
            warnings.append(IMAGE_WARNING)
    spans.sort()
    return "\n".join(texts), spans, warnings


def _para_spans(para: Para, pos: int, out: list[Span]) -> int:
    """Append the paragraph's spans, starting at body offset `pos`; return its end."""
    open_at: dict[tuple[Mark, str], int] = {}
    for seg in para.segments:
        if not seg.text:
            continue
        keys: set[tuple[Mark, str]] = set()
        if not seg.marker:
            fmt = seg.fmt
            if fmt.underline:
                keys.add((Mark.UNDERLINE, ""))
            if fmt.emphasis:
                keys.add((Mark.EMPHASIS, ""))
            if fmt.highlight:
                keys.add((Mark.HIGHLIGHT, fmt.highlight))
        for key in [k for k in open_at if k not in keys]:
            out.append(Span(open_at.pop(key), pos, key[0], key[1]))
        for key in keys:
            open_at.setdefault(key, pos)
        pos += len(seg.text)
    for (mark, color), start in open_at.items():
        out.append(Span(start, pos, mark, color))
    return pos
