"""Decide a file's type from its bytes. Extensions lie: debaters rename files, browsers save
pages as .pdf, and an old .doc renamed .docx must get a message the user can act on."""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from evidence.errors import CorruptFile, EmptyFile, EncryptedFile, UnsupportedFile
from evidence.parsers.document import SourceKind

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Signatures with non-text bytes: safe to test first.
_BINARY_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x7fELF", "ELF executable"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"SQLite format 3\x00", "SQLite database"),
]
# Text-format documents we do not read: must be caught before they pass as plain text.
_TEXT_MAGIC: list[tuple[bytes, str]] = [
    (b"{\\rtf", "RTF document: save it as .docx"),
    (b"%!PS", "PostScript file"),
]
# Printable signatures ("BMW" starts like a BMP): only trusted once the bytes fail as text.
_WEAK_MAGIC: list[tuple[bytes, str]] = [
    (b"GIF8", "GIF image"),
    (b"BM", "BMP image"),
    (b"MZ", "Windows executable"),
    (b"Rar!", "RAR archive"),
    (b"BZh", "bzip2 archive"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg audio"),
    (b"fLaC", "FLAC audio"),
    (b"RIFF", "RIFF media file (WAV, AVI or WebP)"),
]
_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_HTML_TAG = re.compile(r"<(?:head|body|meta|article|title)\b", re.I)
_SNIFF_CHARS = 8192
_UTF16_NUL_SHARE = 0.9  # of every other byte, in UTF-16 without a BOM: mostly ASCII text
_MAX_CONTROL_RATIO = 0.01  # text with more C0/C1 control characters than this is binary

# Opens the whole file from its start: zips and OLE2 containers are read past the head.
Opener = Callable[[], IO[bytes]]


def sniff_kind(path: Path, head: bytes) -> SourceKind:
    """The source kind of the file at `path`, whose first bytes are `head`.

    Pass at least 8 KiB of `head` (more is fine: the whole file is searched for OLE2 stream
    names). Raises EmptyFile, EncryptedFile, CorruptFile or UnsupportedFile with a reason.
    """
    return _sniff(head, lambda: path.open("rb"))


def sniff_bytes(data: bytes) -> SourceKind:
    """The source kind of a whole file already in memory; nothing is read from disk."""
    return _sniff(data, lambda: io.BytesIO(data))


def _sniff(head: bytes, open_whole: Opener) -> SourceKind:
    if not head:
        raise EmptyFile("empty file (0 bytes)")
    if b"%PDF-" in head[:1024]:
        return SourceKind.PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(open_whole, head)
    if head.startswith(OLE2_MAGIC):
        raise _ole2_error(open_whole, head)
    for magic, what in _BINARY_MAGIC + _TEXT_MAGIC:
        if head.startswith(magic):
            raise UnsupportedFile(what)
    text = decode_head(head[:_SNIFF_CHARS])
    if text is None:
        if head[4:8] == b"ftyp":
            raise UnsupportedFile("video or audio file (MP4/MOV)")
        for magic, what in _WEAK_MAGIC:
            if head.startswith(magic):
                raise UnsupportedFile(what)
        raise UnsupportedFile("binary data")
    if _looks_like_html(text):
        return SourceKind.HTML
    return SourceKind.TEXT


def bom_encoding(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def unicode_encoding(data: bytes) -> str | None:
    """The BOM's encoding, else UTF-16 without a BOM told by its NUL bytes (Windows tools
    write it: ASCII text then has a NUL in every other byte), else None."""
    encoding = bom_encoding(data)
    if encoding:
        return encoding
    sample = data[: _SNIFF_CHARS & ~1]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0::2].count(0) / pairs, sample[1::2].count(0) / pairs
    if odd >= _UTF16_NUL_SHARE and even <= 1 - _UTF16_NUL_SHARE:
        return "utf-16-le"
    if even >= _UTF16_NUL_SHARE and odd <= 1 - _UTF16_NUL_SHARE:
        return "utf-16-be"
    return None


def decode_head(head: bytes) -> str | None:
    """The start of the text if `head` reads as text (Unicode with a BOM or UTF-16 without,
    UTF-8, cp1252), else None."""
    encoding = unicode_encoding(head)
    candidates = [encoding] if encoding else ["utf-8", "cp1252"]
    for candidate in candidates:
        # Incremental decoding: a multi-byte character cut off at the end of `head` is fine.
        decoder = codecs.getincrementaldecoder(candidate)("strict")
        try:
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if _few_controls(text):
            return text
    return None


def _few_controls(text: str) -> bool:
    if "\x00" in text:
        return False
    controls = sum(1 for ch in text if ch not in "\t\n\r\f" and unicodedata.category(ch) == "Cc")
    return controls <= _MAX_CONTROL_RATIO * max(len(text), 1)


def _looks_like_html(text: str) -> bool:
    text = text.lstrip("\ufeff")
    if _HTML_START.match(text):
        return True
    return text.lstrip().startswith("<") and bool(_HTML_TAG.search(text, 0, 1024))


def _sniff_zip(open_whole: Opener, head: bytes) -> SourceKind:
    try:
        with open_whole() as fh, zipfile.ZipFile(fh) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        # No readable central directory: the first local header still names the first member.
        name_len = int.from_bytes(head[26:28], "little")
        first = head[30 : 30 + name_len]
        if first in (b"[Content_Types].xml", b"_rels/.rels") or first.startswith(b"word/"):
            raise CorruptFile("Word document is damaged or truncated (broken zip)") from exc
        raise UnsupportedFile("damaged zip archive, not a Word document") from exc
    if "word/document.xml" in names:
        return SourceKind.DOCX
    if "xl/workbook.xml" in names:
        raise UnsupportedFile("Excel workbook (.xlsx), not a Word document")
    if "ppt/presentation.xml" in names:
        raise UnsupportedFile("PowerPoint presentation (.pptx), not a Word document")
    if "content.xml" in names and "mimetype" in names:
        raise UnsupportedFile("OpenDocument file: save it as .docx")
    if "[Content_Types].xml" in names:
        raise CorruptFile("Word document is damaged: it has no word/document.xml")
    raise UnsupportedFile("zip archive, not a Word document")


def _ole2_error(open_whole: Opener, head: bytes) -> Exception:
    """Old Office files and password-protected .docx are both OLE2 containers; the stream
    names (UTF-16LE in the directory, ASCII in hand-made test files) tell them apart."""

    def has(name: str) -> bool:
        return _contains(open_whole, head, name.encode("utf-16-le")) or name.encode() in head

    if has("EncryptedPackage"):
        return EncryptedFile("Word document is password-protected: remove the password in Word")
    if has("Workbook"):
        return UnsupportedFile("legacy Excel .xls file, not a Word document")
    if has("PowerPoint Document"):
        return UnsupportedFile("legacy PowerPoint .ppt file, not a Word document")
    return UnsupportedFile("legacy Word .doc (or an encrypted .docx): save it as .docx in Word")


def _contains(open_whole: Opener, head: bytes, needle: bytes) -> bool:
    if needle in head:
        return True
    # The OLE2 directory may sit anywhere: scan the rest of the file in chunks.
    try:
        with open_whole() as fh:
            fh.seek(len(head))
            tail = head[-len(needle) :]
            while chunk := fh.read(1 << 20):
                if needle in tail + chunk:
                    return True
                tail = chunk[-len(needle) :]
    except OSError:
        return False
    return False
