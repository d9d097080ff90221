"""Plain text and Markdown."""

from __future__ import annotations

from evidence.errors import EmptyFile
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.parsers.sniff import unicode_encoding

MAX_TITLE_CHARS = 150


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM'd Unicode, else UTF-8, else cp1252 (Windows' default for
    English, and it maps nearly every byte, so old files still open)."""
    encoding = unicode_encoding(data)
    if encoding:
        return data.decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_text(data: bytes) -> ParsedDocument:
    text, encoding = decode_text(data)
    text = normalise_newlines(text).replace("\x00", "")
    if not text.strip():
        raise EmptyFile("the file holds only whitespace")
    doc = ParsedDocument(kind=SourceKind.TEXT, text=text, title=_title(text))
    doc.extra["encoding"] = encoding
    if "\ufffd" in text:
        doc.warnings.append(f"some characters could not be decoded as {encoding}")
    return doc


def _title(text: str) -> str:
    first_line = text.lstrip().split("\n", 1)[0]
    title = first_line.strip().lstrip("#").strip()
    return title if len(title) < MAX_TITLE_CHARS else ""
