"""Word .docx text and core properties.

The body is walked as XML in document order (paragraphs, table cells, content controls), so a
Verbatim card reader can grow from `iter_paragraphs`: each paragraph comes with its style id
and its w:p element (runs, underline, highlight) for that later work.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.package import OpcPackage, Unmarshaller
from docx.opc.part import Part, PartFactory
from docx.opc.pkgreader import PackageReader
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from lxml import etree

from evidence.errors import CorruptFile, EmptyFile, FileTooLarge, UnsupportedFile
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.parsers.metadata import is_junk_title, iso_date, split_authors

MAX_EXPANDED_BYTES = 2**30
MAX_XML_DEPTH = 256  # libxml2's limits without XML_PARSE_HUGE, kept for untrusted files
MAX_XML_TEXT_MB = 10
MAX_MEMBER_RATIO = 200  # deflate manages ~1000:1 only on runs of one byte; XML gets ~10:1
MAX_RATIO_MEMBER_BYTES = 100 * 2**20
_CHUNK = 1 << 20  # bytes inflated per step while counting a member's real size
_LOCAL_HEADER = 30  # fixed part of a zip local file header

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
        raise xml_limit_error(exc) or CorruptFile(
            f"Word document is damaged: {_reason(exc)}"
        ) from exc
    if not paragraphs:
        raise EmptyFile("the Word document has no text")
    doc = ParsedDocument(kind=SourceKind.DOCX, text="\n\n".join(paragraphs))
    _fill_metadata(doc, core, file_name)
    return doc


def package_metadata(data: bytes, *, file_name: str = "") -> ParsedDocument:
    """What parse_docx says of the file bar its text (title, authors, date, warnings), with
    the same package checks (parts, relationships, the main part's content type) but the
    body left unparsed, for a reader that parses it itself (evidence/verbatim). The caller
    has run check_expansion. Raises CorruptFile or UnsupportedFile."""
    try:
        package = OpcPackage()
        reader = PackageReader.from_file(io.BytesIO(data))  # type: ignore[no-untyped-call]
        Unmarshaller.unmarshal(reader, package, _unparsed_main)  # type: ignore[no-untyped-call]
        part = package.main_document_part
        if part.content_type not in _WORD_MAIN_TYPES:
            raise UnsupportedFile(f"not a Word document (content type {part.content_type})")
        core = package.core_properties
    except (UnsupportedFile, CorruptFile):
        raise
    except Exception as exc:
        raise CorruptFile(f"Word document is damaged: {_reason(exc)}") from exc
    doc = ParsedDocument(kind=SourceKind.DOCX, text="")
    _fill_metadata(doc, core, file_name)
    return doc


def _unparsed_main(
    partname: Any, content_type: str, reltype: str, blob: bytes, package: Any
) -> Any:
    """python-docx's parts, but the main document's XML left as bytes."""
    if content_type in _WORD_MAIN_TYPES:
        return Part(partname, content_type, blob, package)
    return PartFactory(partname, content_type, reltype, blob, package)


def check_expansion(data: bytes, max_bytes: int, keep: str | None = None) -> bytes | None:
    """Refuse zip bombs before anything else decompresses. The declared sizes are checked,
    then every member is inflated in bounded chunks and counted (and the output dropped):
    a member holding more than its header declares is refused at once, since zipfile and
    python-docx would inflate it whole in one call whatever the header says.

    `keep` names a member whose inflated bytes are returned (CRC-checked as zipfile does),
    so a reader does not inflate its main part a second time; None otherwise."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise CorruptFile(f"Word document is damaged: {_reason(exc)}") from exc
    limit = min(20 * max_bytes, MAX_EXPANDED_BYTES)
    total = sum(info.file_size for info in infos)
    bomb = any(
        info.file_size > MAX_RATIO_MEMBER_BYTES
        and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1)
        for info in infos
    )
    if bomb or total > limit:
        raise FileTooLarge(f"compressed content expands to {total / 2**20:,.0f} MB")
    if "word/document.xml" not in {info.filename for info in infos}:
        raise CorruptFile("Word document is damaged: it has no word/document.xml")
    view = memoryview(data)
    kept: bytes | None = None
    for info in infos:
        packed = _packed(view, info)
        # The ratio is judged on the bytes really there: a header may claim a large
        # compressed size to look harmless.
        ratio_cap = max(MAX_RATIO_MEMBER_BYTES, MAX_MEMBER_RATIO * len(packed))
        sink: list[bytes] | None = [] if info.filename == keep else None  # the last, as zipfile
        real = _inflated_size(packed, info, stop_after=min(info.file_size, ratio_cap), sink=sink)
        if real > info.file_size:
            raise FileTooLarge(
                f"the part {info.filename} holds more than the {info.file_size:,} bytes its "
                "header declares (a zip bomb?): refused"
            )
        if real > ratio_cap:
            raise FileTooLarge(
                f"the part {info.filename} expands more than {MAX_MEMBER_RATIO} times "
                "(a zip bomb?): refused"
            )
        if sink is not None:
            kept = b"".join(sink)
            if zlib.crc32(kept) != info.CRC:
                raise CorruptFile(f"Word document is damaged: bad CRC-32 for {info.filename}")
    return kept


def _packed(data: memoryview, info: zipfile.ZipInfo) -> memoryview:
    """The member's compressed bytes, found from its local header (never copied)."""
    local = bytes(data[info.header_offset : info.header_offset + _LOCAL_HEADER])
    if len(local) < _LOCAL_HEADER or local[:4] != b"PK\x03\x04":
        raise CorruptFile(f"Word document is damaged: no header for {info.filename}")
    begin = info.header_offset + _LOCAL_HEADER
    begin += int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
    return data[begin : begin + info.compress_size]


def _inflated_size(
    packed: memoryview, info: zipfile.ZipInfo, stop_after: int, sink: list[bytes] | None = None
) -> int:
    """How many bytes the member really inflates to, counted until past `stop_after`:
    memory stays bounded by one chunk whatever the headers claim (unless `sink` collects
    the output, up to `stop_after` and a chunk)."""
    if info.compress_type == zipfile.ZIP_STORED:
        if sink is not None:
            sink.append(bytes(packed))
        return len(packed)
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise CorruptFile(f"Word document is damaged: {info.filename} uses an unknown compression")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    try:
        for at in range(0, len(packed), _CHUNK):
            pending: bytes | memoryview = packed[at : at + _CHUNK]
            while pending:
                out = inflater.decompress(pending, _CHUNK)
                size += len(out)
                if sink is not None:
                    sink.append(out)
                if size > stop_after:
                    return size
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        raise CorruptFile(f"Word document is damaged: {info.filename}: {exc}") from exc
    return size


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
                    parts.append(_RUN_TEXT[item.tag] or node_text(item))
        elif isinstance(tag, str) and tag not in _SKIP:
            _collect(child, parts)  # w:hyperlink, w:ins, w:smartTag, w:fldSimple, w:sdt…


def node_text(element: Any) -> str:
    """An element's text, children's tails included: an entity reference (never expanded:
    entities are how XXE and billion-laughs files attack) is a child node, and the text
    after it is its tail. The reference stays as written, as the HTML parser leaves it."""
    if len(element) == 0:
        return str(element.text or "")
    parts = [element.text or ""]
    for child in element:
        if child.tag is etree.Entity:
            parts.append(child.text or "")
        parts.append(child.tail or "")
    return "".join(parts)


def _fill_metadata(doc: ParsedDocument, core: Any, file_name: str) -> None:
    # Verbatim files carry the template's "Verbatim Mac" and "Microsoft Office User".
    try:
        title = str(core.title or "").strip()
        doc.title = "" if is_junk_title(title, file_name) else title
        doc.authors = split_authors(str(core.author or ""))
        doc.date = iso_date(core.created)
    except (ValueError, TypeError):  # a malformed date in docProps/core.xml
        doc.warnings.append("the document properties could not be read")


def xml_limit_error(exc: BaseException) -> FileTooLarge | None:
    """The plain reason when lxml refused the XML at one of its safety limits (it suggests
    XML_PARSE_HUGE, which would lift them for a stranger's file): None for other errors."""
    message = str(exc)
    if "Excessive depth" in message:
        return FileTooLarge(
            f"the Word document is nested too deeply to read safely (over {MAX_XML_DEPTH} "
            "levels of tables or other elements; Word's own files stay far below)"
        )
    if "XML_PARSE_HUGE" in message or "Resource limit exceeded" in message:
        return FileTooLarge(
            f"the Word document is too large to read safely (a stretch of text over "
            f"{MAX_XML_TEXT_MB} MB without a break): split it in Word"
        )
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"a required part is missing ({exc.args[0] if exc.args else ''})"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return message[:120]
