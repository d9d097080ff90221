"""Word .docx text and core properties.

The body is walked as XML in document order (paragraphs, table cells, content controls), so a
Verbatim card reader can grow from `iter_paragraphs`: each paragraph comes with its style id
and its w:p element (runs, underline, highlight) for that later work.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.package import OpcPackage
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml

from evidence.errors import CorruptFile, EmptyFile, FileTooLarge, UnsupportedFile
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.parsers.metadata import is_junk_title, iso_date, split_authors

MAX_EXPANDED_BYTES = 2**30
MAX_MEMBER_RATIO = 200  # deflate manages ~1000:1 only on runs of one byte; XML gets ~10:1
MAX_RATIO_MEMBER_BYTES = 100 * 2**20

_WORD_MAIN_TYPES = {
    CT.WML_DOCUMENT_MAIN,
    "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm (Verbatim)
}
_P, _TBL, _R = qn("w:p"), qn("w:tbl"), qn("w:r")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Deleted tracked changes, property elements and the fallback copy of alternate content hold
# no text that should be read (the fallback would repeat its choice's text).
_SKIP_TAGS = ("w:del", "w:moveFrom", "w:pPr", "w:rPr", "w:sectPr", "w:tblPr", "w:trPr", "w:tcPr",
              "w:sdtPr", "w:sdtEndPr", "w:tblGrid")  # fmt: skip
_SKIP = {qn(t) for t in _SKIP_TAGS} | {_MC_FALLBACK}
_RUN_TEXT: dict[str, str | None] = {
    qn("w:t"): None,  # its own text
    qn("w:tab"): "\t",
    qn("w:ptab"): "\t",
    qn("w:br"): "\n",
    qn("w:cr"): "\n",
    qn("w:noBreakHyphen"): "-",
}
_STYLE = f"{qn('w:pPr')}/{qn('w:pStyle')}"


@dataclass(frozen=True)
class DocxParagraph:
    text: str
    style_id: str  # "" for the default paragraph style
    element: Any  # the w:p element
    in_table: bool = False


def parse_docx(data: bytes, *, max_bytes: int, file_name: str = "") -> ParsedDocument:
    check_expansion(data, max_bytes)
    try:
        package = OpcPackage.open(io.BytesIO(data))
        part = package.main_document_part
        if part.content_type not in _WORD_MAIN_TYPES:
            raise UnsupportedFile(f"not a Word document (content type {part.content_type})")
        # python-docx only builds a Document for .docx proper; parse the others' XML directly.
        root = getattr(part, "element", None)
        if root is None:
            root = parse_xml(part.blob)
        body = root.find(qn("w:body"))
        if body is None:
            raise CorruptFile("Word document is damaged: it has no body")
        paragraphs = [p.text for p in iter_paragraphs(body) if p.text.strip()]
        core = package.core_properties
    except (UnsupportedFile, CorruptFile):
        raise
    except Exception as exc:  # python-docx and lxml raise KeyError, ValueError, XMLSyntaxError…
        raise CorruptFile(f"Word document is damaged: {_reason(exc)}") from exc
    if not paragraphs:
        raise EmptyFile("the Word document has no text")
    doc = ParsedDocument(kind=SourceKind.DOCX, text="\n\n".join(paragraphs))
    _fill_metadata(doc, core, file_name)
    return doc


def check_expansion(data: bytes, max_bytes: int) -> None:
    """Refuse zip bombs before anything decompresses. Declared sizes suffice: Python's
    zipfile stops reading a member at its declared size, so it cannot lie its way past."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise CorruptFile(f"Word document is damaged: {_reason(exc)}") from exc
    total = sum(info.file_size for info in infos)
    bomb = any(
        info.file_size > MAX_RATIO_MEMBER_BYTES
        and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1)
        for info in infos
    )
    if bomb or total > min(20 * max_bytes, MAX_EXPANDED_BYTES):
        raise FileTooLarge(f"compressed content expands to {total / 2**20:,.0f} MB")
    if "word/document.xml" not in {info.filename for info in infos}:
        raise CorruptFile("Word document is damaged: it has no word/document.xml")


def iter_paragraphs(container: Any, in_table: bool = False) -> Iterator[DocxParagraph]:
    """Paragraphs under a body (or cell, or content control) in document order."""
    for child in container:
        tag = child.tag
        if tag == _P:
            style = child.find(_STYLE)
            style_id = style.get(qn("w:val"), "") if style is not None else ""
            yield DocxParagraph(paragraph_text(child), style_id, child, in_table)
        elif tag == _TBL:
            yield from iter_paragraphs(child, in_table=True)  # rows, cells, nested tables
        elif isinstance(tag, str) and tag not in _SKIP:
            yield from iter_paragraphs(child, in_table)  # w:sdt, w:sdtContent, w:ins, …


def paragraph_text(p: Any) -> str:
    parts: list[str] = []
    _collect(p, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == _R:
            for item in child:
                if item.tag in _RUN_TEXT:
                    parts.append(_RUN_TEXT[item.tag] or item.text or "")
        elif isinstance(tag, str) and tag not in _SKIP:
            _collect(child, parts)  # w:hyperlink, w:ins, w:smartTag, w:fldSimple, w:sdt…


def _fill_metadata(doc: ParsedDocument, core: Any, file_name: str) -> None:
    # Verbatim files carry the template's "Verbatim Mac" and "Microsoft Office User".
    try:
        title = str(core.title or "").strip()
        doc.title = "" if is_junk_title(title, file_name) else title
        doc.authors = split_authors(str(core.author or ""))
        doc.date = iso_date(core.created)
    except (ValueError, TypeError):  # a malformed date in docProps/core.xml
        doc.warnings.append("the document properties could not be read")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"a required part is missing ({exc.args[0] if exc.args else ''})"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return message[:120]
