"""Keep a document's own styles.xml when it is saved through the Verbatim writer.

A debater's file carries their fonts, sizes and colours in word/styles.xml; the writer
builds a fresh package with ours. On save the original part goes back in, byte for byte,
unless it lacks a style the body uses: then only those styles of ours are added to it.
The theme (the fonts "+Body" and "+Headings" stand for), the numbering the styles refer to
and the font table go back too, when they point at no other part, and so does the page
setup (the body's last w:sectPr: page size, margins, columns) without its headers and footers.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from typing import Any

from lxml import etree

from evidence.verbatim.styles_def import (
    CITE_STYLE_ID,
    EMPHASIS_STYLE_ID,
    HEADING_STYLE_IDS,
    UNDERLINE_STYLE_ID,
)

STYLES_PART = "word/styles.xml"
# Parts the writer's package has under the same names; kept from the original with styles.
KEPT_PARTS = ("word/theme/theme1.xml", "word/numbering.xml", "word/fontTable.xml")
MAX_STYLES_BYTES = 20 * 2**20  # Verbatim's is ~60 kB; anything near this is not styles
MAX_DOCUMENT_BYTES = 1 << 30  # the reader's own expansion limit
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# Not a part: the page setup, kept among the parts under this name (writer.py splices it).
SECTION = "word/document.xml#sectPr"
_DOCUMENT = "word/document.xml"
_TAIL_BYTES = 1 << 20  # the page setup and what follows the last paragraph fit in this
_CLOSERS = (b"</w:p>", b"</w:tbl>", b"</w:sdt>", b"</w:customXml>", b"<w:body>")


def styles_xml(package: bytes) -> bytes | None:
    """The styles part of a .docx, or None when it has none (or it cannot be read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            info = archive.getinfo(STYLES_PART)
            if info.file_size > MAX_STYLES_BYTES:
                return None
            return archive.read(info)
    except (KeyError, zipfile.BadZipFile, zlib.error, RuntimeError, OSError, EOFError):
        return None


def kept_parts(package: bytes) -> dict[str, bytes]:
    """The original's theme, numbering and font table, each only when it is well-formed and
    refers to no other part (a picture bullet, an embedded font): the writer's package has
    no relationships for those."""
    out: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            for name in KEPT_PARTS:
                try:
                    info = archive.getinfo(name)
                except KeyError:
                    continue
                if info.file_size <= MAX_STYLES_BYTES:
                    data = archive.read(info)
                    if _standalone(data):
                        out[name] = data
            info = archive.getinfo(_DOCUMENT)
            if info.file_size <= MAX_DOCUMENT_BYTES:
                section = section_xml(archive.read(info))
                if section is not None:
                    out[SECTION] = section
    except (KeyError, zipfile.BadZipFile, zlib.error, RuntimeError, OSError, EOFError):
        return out
    return out


def section_xml(document: bytes) -> bytes | None:
    """The body's last w:sectPr (the page setup) as XML, less what points at other parts
    (headers, footers, printer settings) and tracked changes; None when there is none."""
    end = document.rfind(b"</w:body>")
    root_end = document.find(b">", document.find(b"<w:document"))
    if end < 0 or root_end < 0:
        return None
    # After the last body element's closing tag come only whole elements (empty paragraphs,
    # bookmark ends, the w:sectPr): that tail parses alone under the document's root tag.
    # Looked for near the end only: a tag missing from a 20 MB body costs a scan of it all.
    near = max(root_end + 1, end - _TAIL_BYTES)
    after = max(document.rfind(tag, near, end) + len(tag) for tag in _CLOSERS)
    tail = document[max(after, near) : end]
    if b"<w:sectPr" not in tail:
        return None
    head = document[document.find(b"<w:document") : root_end + 1]
    try:
        root = _parse(head + b"<w:body>" + tail + b"</w:body></w:document>")
    except etree.XMLSyntaxError:
        return None
    body = root.find(f"{_W}body")
    sect = body.find(f"{_W}sectPr") if body is not None else None
    if sect is None:
        return None
    for el in list(sect.iter()):
        linked = any(k.startswith(_REL_NS) for k in el.attrib if k[0] == "{")
        if el is not sect and (linked or el.tag == f"{_W}sectPrChange"):
            el.getparent().remove(el)
    alone = _parse(etree.tostring(sect))  # its own root, so unused prefixes can go
    etree.cleanup_namespaces(alone)
    data: bytes = etree.tostring(alone, encoding="UTF-8")
    return data


def _standalone(data: bytes) -> bool:
    try:
        root = _parse(data)
    except etree.XMLSyntaxError:
        return False
    return not any(
        key.startswith(_REL_NS) for el in root.iter() for key in el.attrib if key[0] == "{"
    )


def kept_styles(original: bytes, ours: Any) -> bytes | None:
    """`original` (a document's styles.xml), plus any style of `ours` (the writer's styles
    element) that the body uses and the original lacks; None when the original is damaged."""
    try:
        kept = _parse(original)
    except etree.XMLSyntaxError:
        return None
    if kept.tag != f"{_W}styles":
        return None
    have = {s.get(f"{_W}styleId") for s in kept.iter(f"{_W}style")}
    missing = _needed(ours, have)
    if not missing:
        return original  # byte for byte
    for style in missing:
        kept.append(copy.deepcopy(style))
    data: bytes = etree.tostring(kept, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def _needed(mine: Any, have: set[str | None]) -> list[Any]:
    """The writer's styles the body refers to (and what they are based on or linked to)
    that the original lacks, in the writer's order."""
    by_id = {s.get(f"{_W}styleId"): s for s in mine.iter(f"{_W}style")}
    want: set[str] = set()
    todo = [*HEADING_STYLE_IDS.values(), CITE_STYLE_ID, UNDERLINE_STYLE_ID, EMPHASIS_STYLE_ID]
    while todo:
        sid = todo.pop()
        if sid in want or sid in have or sid not in by_id:
            continue
        want.add(sid)
        for ref in ("basedOn", "link", "next"):
            el = by_id[sid].find(f"{_W}{ref}")
            if el is not None and el.get(f"{_W}val"):
                todo.append(el.get(f"{_W}val"))
    return [s for sid, s in by_id.items() if sid in want]


def _parse(blob: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(blob, parser)
