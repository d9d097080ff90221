"""Reading a Verbatim .docx into a CardDocument.

The zip is checked for bombs before anything expands, then document.xml and styles.xml are
parsed with plain lxml (no python-docx object layer: it is the slow part on 300-page files).
A missing styles.xml is survivable: style ids in the document still say Heading4, Emphasis
and StyleUnderline, and direct formatting is on the runs themselves.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from evidence.cards.card import CardDocument, nest
from evidence.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    EvidenceError,
    FileTooLarge,
    UnreadablePath,
    UnsupportedFile,
)
from evidence.gc_pause import gc_paused
from evidence.parsers.docx import check_expansion, xml_limit_error
from evidence.parsers.metadata import is_junk_title
from evidence.parsers.sniff import OLE2_MAGIC
from evidence.verbatim.blocks import Para, read_blocks
from evidence.verbatim.effective import StyleSheet, W
from evidence.verbatim.outline import has_tagged_cite, outline

DEFAULT_MAX_BYTES = 150 * 2**20
NO_STYLES = "the document has no styles.xml: read from style ids and direct formatting only"
BAD_STYLES = "the document's styles.xml is damaged: read from style ids and direct formatting"

_DOCUMENT = "word/document.xml"
_RELS = "word/_rels/document.xml.rels"
_STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_STRICT_DOCUMENT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}document"
_VERBATIM_CHAR_STYLES = {"Style13ptBold", "StyleUnderline"}


def read_verbatim(
    source: str | Path | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> CardDocument:
    """The outline and cards of a Verbatim .docx. Raises EvidenceError subclasses
    (CorruptFile, EncryptedFile, FileTooLarge, EmptyFile, UnreadablePath, UnsupportedFile)."""
    data, file_name = _load(source, max_bytes)
    with gc_paused():  # a backfile's paragraphs, runs and spans: no cycles among them
        parts = _Parts(data, max_bytes)
        return _document(parts, read_blocks(parts.body, parts.styles), file_name)


def read_if_verbatim(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_checked: Callable[[], object] | None = None,
    hold: list[object] | None = None,
) -> CardDocument | None:
    """read_verbatim for a file is_verbatim accepts, None for one it refuses, from one parse
    of the package (an import asked both of the same bytes, parsing the file twice). Raises
    what read_verbatim raises, where is_verbatim would have said False. `on_checked` is
    called once the package has passed the zip-bomb check, before its body is parsed. The
    parsed XML goes into `hold` when given, for the caller to drop when it suits: freeing
    a backfile's tree takes 0.17 s, which an import spends after the file is searchable."""
    data, file_name = _load(data, max_bytes)
    with gc_paused():
        parts = _Parts(data, max_bytes, on_checked)
        if hold is not None:
            hold.append(parts)
        paras = None
        if not _uses_verbatim_styles(parts.body):
            paras = read_blocks(parts.body, parts.styles)
            if not has_tagged_cite(paras):
                return None
        if paras is None:
            paras = read_blocks(parts.body, parts.styles)
        return _document(parts, paras, file_name)


def _document(parts: _Parts, paras: list[Para], file_name: str) -> CardDocument:
    if not any(p.text.strip() for p in paras):
        raise EmptyFile("the Word document has no text")
    flat, warnings = outline(paras)
    doc = CardDocument(nodes=nest(flat), title=parts.title(file_name))
    doc.warnings = parts.warnings + warnings
    return doc


def is_verbatim(docx_bytes: bytes) -> bool:
    """True when the file is cut evidence: it uses Verbatim's Cite/Underline character styles,
    or has a Tag followed by a cite. False for plain articles and for files that cannot be
    read (the plain DOCX parser then reports why)."""
    with gc_paused():
        try:
            parts = _Parts(docx_bytes, DEFAULT_MAX_BYTES)
        except EvidenceError:
            return False
        return _uses_verbatim_styles(parts.body) or has_tagged_cite(
            read_blocks(parts.body, parts.styles)
        )


def _uses_verbatim_styles(body: Any) -> bool:
    return any(el.get(f"{W}val") in _VERBATIM_CHAR_STYLES for el in body.iter(f"{W}rStyle"))


def _load(source: str | Path | bytes, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = ""
    else:
        path = Path(source)
        name = path.name
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise FileTooLarge(
                    f"{size / 2**20:,.0f} MB is over the {max_bytes / 2**20:,.0f} MB limit"
                )
            data = path.read_bytes()
        except OSError as exc:
            raise UnreadablePath(f"cannot read {name}: {exc.strerror or exc}") from exc
    if not data:
        raise EmptyFile("the file is empty")
    if len(data) > max_bytes:
        raise FileTooLarge(
            f"{len(data) / 2**20:,.0f} MB is over the {max_bytes / 2**20:,.0f} MB limit"
        )
    return data, name


class _Parts:
    """The XML parts the reader needs, parsed safely."""

    def __init__(
        self, data: bytes, max_bytes: int, on_checked: Callable[[], object] | None = None
    ) -> None:
        if data.startswith(OLE2_MAGIC):
            if "EncryptedPackage".encode("utf-16-le") in data:
                raise EncryptedFile("Word document is password-protected: remove the password")
            raise UnsupportedFile("legacy Word .doc: save it as .docx in Word")
        # CorruptFile, FileTooLarge; the main part comes back inflated (once, not twice)
        main = check_expansion(data, max_bytes, keep=_DOCUMENT)
        if on_checked is not None:
            on_checked()
        self.warnings: list[str] = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                root = _parse(main if main is not None else archive.read(_DOCUMENT))
                styles = self._styles(archive)
                core = _optional(archive, "docProps/core.xml")
        except (zipfile.BadZipFile, zlib.error, KeyError, RuntimeError, OSError, EOFError) as exc:
            # RuntimeError: a password-protected zip member; zlib.error: a truncated one.
            raise CorruptFile(f"Word document is damaged: {_reason(exc)}") from exc
        except etree.XMLSyntaxError as exc:
            too_big = xml_limit_error(exc)
            raise too_big or CorruptFile(f"Word document is damaged: {_reason(exc)}") from exc
        if root.tag == _STRICT_DOCUMENT:
            raise UnsupportedFile("Strict Open XML document: save it as a Word Document (.docx)")
        body = root.find(f"{W}body")
        if body is None:
            raise CorruptFile("Word document is damaged: it has no body")
        self.body: Any = body
        self.styles = StyleSheet(styles)
        self._core = core

    def _styles(self, archive: zipfile.ZipFile) -> Any | None:
        """styles.xml, or None with a warning: cards survive without it."""
        name = _styles_part(archive)
        if name is None:
            self.warnings.append(NO_STYLES)
            return None
        try:
            return _parse(archive.read(name))
        except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError):
            self.warnings.append(BAD_STYLES)
            return None

    def title(self, file_name: str) -> str:
        el = self._core.find(f".//{_DC_TITLE}") if self._core is not None else None
        title = " ".join((el.text or "").split()) if el is not None else ""
        return "" if is_junk_title(title, file_name) else title


def _parse(blob: bytes) -> Any:
    # No DTDs, entities or network: document.xml comes from strangers.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(blob, parser)


def _styles_part(archive: zipfile.ZipFile) -> str | None:
    names = set(archive.namelist())
    if _RELS in names:
        try:
            rels = _parse(archive.read(_RELS))
        except etree.XMLSyntaxError:
            rels = None
        for rel in rels.iter(_PKG_RELS) if rels is not None else ():
            if rel.get("Type") == _STYLES_REL and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                name = posixpath.normpath(posixpath.join("word", target)).lstrip("/")
                if target.startswith("/"):
                    name = target.lstrip("/")
                if name in names:
                    return name
    return "word/styles.xml" if "word/styles.xml" in names else None


def _optional(archive: zipfile.ZipFile, name: str) -> Any | None:
    try:
        return _parse(archive.read(name))
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError):
        return None  # metadata only: its absence or damage costs the title, nothing else


def _reason(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"a required part is missing ({exc.args[0] if exc.args else ''})"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return message[:120]
