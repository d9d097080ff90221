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
    RUN_TAGS,
    RunFormat,
    StyleSheet,
    W,
    outline_to_level,
    paragraph_outline,
    raw_props,
)

TABLE_MARK, IMAGE_MARK = "[Table omitted]", "[Image omitted]"

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_P, _R, _TBL, _T = f"{W}p", f"{W}r", f"{W}tbl", f"{W}t"
_BOOKMARK = f"{W}bookmarkStart"
_PPR, _RPR, _PSTYLE = f"{W}pPr", f"{W}rPr", f"{W}pStyle"
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
    text: str = ""  # the segments' text joined, set once they are all read

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
            yield Para(0, [Segment(TABLE_MARK, marker=True)], table=True, text=TABLE_MARK)
        elif isinstance(tag, str) and tag not in _SKIP:
            yield from _iter_blocks(child, styles)  # w:sdt, w:sdtContent, w:ins, mc:Choice...


def _paragraph(p: Any, styles: StyleSheet) -> Para:
    ppr = p.find(_PPR)
    style_el = ppr.find(_PSTYLE) if ppr is not None else None
    style = (style_el.get(_VAL) or "") if style_el is not None else ""
    outline = paragraph_outline(ppr)
    level = outline_to_level(outline) if outline is not None else styles.heading_level(style)
    para = Para(level)
    segments = para.segments
    _collect(p, style, styles, segments)
    para.text = "".join([s.text for s in segments])
    if level:  # a heading: a card's provenance is a bookmark on its tag (documents/provenance)
        para.bookmarks = tuple(b.get(f"{W}name") or "" for b in p.iter(_BOOKMARK))
    return para


def _collect(element: Any, style: str, styles: StyleSheet, out: list[Segment]) -> None:
    # A backfile's 150k runs all pass through here, so it is written for speed: each run's
    # children are walked once (find() and lxml's tag-filtered iterators cost more than the
    # walk), text comes straight off w:t (node_text only when an entity reference splits
    # it), and a run with text looks its format up by its raw w:rPr pairs (raw_props,
    # inlined) in the paragraph style's memo.
    formats = styles.run_formats(style)
    for child in element:
        tag = child.tag
        if tag != _R:
            if isinstance(tag, str) and tag not in _SKIP:
                _collect(child, style, styles, out)
            continue
        rpr = None  # the run's first w:rPr: the one that formats all of its text
        parts: list[str] = []
        for item in child:
            kind = item.tag
            if kind == _T:
                parts.append((item.text or "") if len(item) == 0 else node_text(item))
            elif kind == _RPR:
                if rpr is None:
                    rpr = item
            elif kind in _SPACE:
                parts.append(" ")
            elif kind == _HYPHEN:
                parts.append("-")
            elif kind in _PICTURES:
                if parts:  # rPr normally comes first; find() covers one placed after text
                    raw = raw_props(child.find(_RPR))
                    out.append(Segment("".join(parts), styles.run_format_raw(style, raw)))
                    parts = []
                out.append(Segment(IMAGE_MARK, marker=True))
            # w:instrText (field codes), w:delText, w:fldChar, w:softHyphen, w:sym: not text.
        if not parts:
            continue
        key: list[tuple[str, str | None]] = []
        if rpr is not None:
            for prop in rpr:
                name = prop.tag
                if name in RUN_TAGS:
                    key.append((name, prop.get(_VAL)))
        raw = tuple(key)
        fmt = formats.get(raw) or styles.run_format_raw(style, raw)
        out.append(Segment(parts[0] if len(parts) == 1 else "".join(parts), fmt))
