"""The document body as a flat list of paragraphs, each a list of formatted text segments.

Body-level children are walked in document order so a table keeps its place between
paragraphs. Tables, pictures and embedded objects are not read: they become marker text
("[Table omitted]") that the card keeps, because a card body must stay verbatim and the
reader should see that something was there. Tabs and line breaks inside a paragraph become
spaces (a card body's only line separator is the paragraph break, "\\n").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from evidence.parsers.docx import node_text
from evidence.verbatim.effective import (
    PLAIN,
    RunFormat,
    StyleSheet,
    W,
    outline_to_level,
    paragraph_outline,
    read_props,
)

TABLE_MARK, IMAGE_MARK = "[Table omitted]", "[Image omitted]"

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _R, _TBL, _T = f"{W}p", f"{W}r", f"{W}tbl", f"{W}t"
_BOOKMARK = f"{W}bookmarkStart"
_PPR, _RPR, _PSTYLE, _RSTYLE = f"{W}pPr", f"{W}rPr", f"{W}pStyle", f"{W}rStyle"
_VAL = f"{W}val"
_SPACE = {f"{W}tab", f"{W}ptab", f"{W}br", f"{W}cr"}
_HYPHEN = f"{W}noBreakHyphen"
_PICTURES = {f"{W}drawing", f"{W}pict", f"{W}object", f"{_MC}AlternateContent"}
# Never text: properties, deleted tracked changes, and the fallback copy of alternate content
# (its mc:Choice twin is read instead). Everything else that is not a run is a container
# (w:hyperlink, w:ins, w:smartTag, w:sdt, w:fldSimple, w:customXml...) and is walked into.
_SKIP = {
    f"{W}{name}"
    for name in ("pPr", "rPr", "del", "moveFrom", "sdtPr", "sdtEndPr", "sectPr", "tblPr")
} | {f"{_MC}Fallback"}


@dataclass(slots=True)
class Segment:
    """A stretch of one run's text (or a marker, with `marker` set) and its formatting."""

    text: str
    fmt: RunFormat = PLAIN
    marker: bool = False


@dataclass(slots=True)
class Para:
    level: int  # 0 body text, 1..4 Pocket/Hat/Block/Tag
    segments: list[Segment] = field(default_factory=list)
    table: bool = False
    bookmarks: tuple[str, ...] = ()  # names, read on headings only

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def words(self) -> str:
        """The paragraph's own text, markers left out (for headings)."""
        return "".join(s.text for s in self.segments if not s.marker)

    @property
    def has_picture(self) -> bool:
        return any(s.marker for s in self.segments)


def read_blocks(body: Any, styles: StyleSheet) -> list[Para]:
    return list(_iter_blocks(body, styles))


def _iter_blocks(container: Any, styles: StyleSheet) -> Iterator[Para]:
    # A bookmark can start between paragraphs (Word puts some there); it opens at the next.
    pending: list[str] = []
    for child in container:
        tag = child.tag
        if tag == _P:
            para = _paragraph(child, styles)
            if pending:
                para.bookmarks = (*pending, *para.bookmarks)
                pending = []
            yield para
        elif tag == _BOOKMARK:
            pending.append(child.get(f"{W}name") or "")
        elif tag == _TBL:
            yield Para(0, [Segment(TABLE_MARK, marker=True)], table=True)
        elif isinstance(tag, str) and tag not in _SKIP:
            yield from _iter_blocks(child, styles)  # w:sdt, w:sdtContent, w:ins, mc:Choice...


def _paragraph(p: Any, styles: StyleSheet) -> Para:
    ppr = p.find(_PPR)
    style_el = ppr.find(_PSTYLE) if ppr is not None else None
    style = (style_el.get(_VAL) or "") if style_el is not None else ""
    outline = paragraph_outline(ppr)
    level = outline_to_level(outline) if outline is not None else styles.heading_level(style)
    para = Para(level)
    _collect(p, style, styles, para.segments)
    if level:  # a heading: a card's provenance is a bookmark on its tag (documents/provenance)
        para.bookmarks = tuple(b.get(f"{W}name") or "" for b in p.iter(_BOOKMARK))
    return para


def _collect(element: Any, style: str, styles: StyleSheet, out: list[Segment]) -> None:
    for child in element:
        tag = child.tag
        if tag == _R:
            _run(child, style, styles, out)
        elif isinstance(tag, str) and tag not in _SKIP:
            _collect(child, style, styles, out)


def _run(r: Any, style: str, styles: StyleSheet, out: list[Segment]) -> None:
    rpr = r.find(_RPR)
    char_style = ""
    if rpr is not None:
        rstyle = rpr.find(_RSTYLE)
        char_style = (rstyle.get(_VAL) or "") if rstyle is not None else ""
    fmt = styles.run_format(style, char_style, read_props(rpr))
    parts: list[str] = []
    for child in r:
        tag = child.tag
        if tag == _T:
            parts.append(node_text(child))
        elif tag in _SPACE:
            parts.append(" ")
        elif tag == _HYPHEN:
            parts.append("-")
        elif tag in _PICTURES:
            if parts:
                out.append(Segment("".join(parts), fmt))
                parts = []
            out.append(Segment(IMAGE_MARK, marker=True))
        # w:instrText (field codes), w:delText, w:fldChar, w:softHyphen, w:sym: not text.
    if parts:
        out.append(Segment("".join(parts), fmt))
