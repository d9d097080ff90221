"""Read one file into a ParsedDocument, whatever it is. Every problem with the input comes out
as an evidence.errors class with a reason the user can act on."""

from __future__ import annotations

import os
from pathlib import Path

from evidence.errors import FileTooLarge, UnreadablePath, not_a_file_reason, os_reason
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.parsers.docx import parse_docx
from evidence.parsers.html import parse_html
from evidence.parsers.pdf import parse_pdf
from evidence.parsers.sniff import sniff_bytes
from evidence.parsers.text import parse_text

DEFAULT_MAX_BYTES = 150 * 2**20

__all__ = ["DEFAULT_MAX_BYTES", "parse_bytes", "parse_file", "read_bytes"]


def parse_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Parse the file at `path`, deciding its type from its content.

    Raises UnreadablePath, FileTooLarge, EmptyFile, EncryptedFile, CorruptFile or
    UnsupportedFile.
    """
    return parse_bytes(read_bytes(path, max_bytes), file_name=path.name, max_bytes=max_bytes)


def parse_bytes(
    data: bytes, *, file_name: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedDocument:
    """Parse a whole file's bytes (from read_bytes, which enforced the size limit);
    `file_name` only helps judge titles. Raises what parse_file raises, bar UnreadablePath."""
    kind = sniff_bytes(data)
    if kind is SourceKind.PDF:
        return parse_pdf(data, file_name=file_name)
    if kind is SourceKind.DOCX:
        return parse_docx(data, max_bytes=max_bytes, file_name=file_name)
    if kind is SourceKind.HTML:
        return parse_html(data)
    return parse_text(data)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after checking it is a readable regular file within the limit.

    The type is checked before opening and again on the open descriptor, which is opened
    non-blocking: a FIFO swapped in between must not block the import for ever."""
    try:
        info = path.stat()
    except OSError as exc:
        raise UnreadablePath(os_reason(exc)) from exc
    _check_file(info, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnreadablePath(os_reason(exc)) from exc
    with os.fdopen(fd, "rb") as fh:
        _check_file(os.fstat(fd), max_bytes)
        try:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat
        except OSError as exc:
            raise UnreadablePath(os_reason(exc)) from exc
    if len(data) > max_bytes:
        raise FileTooLarge(_too_large(len(data), max_bytes))
    return data


def _check_file(info: os.stat_result, max_bytes: int) -> None:
    reason = not_a_file_reason(info.st_mode)
    if reason:
        raise UnreadablePath(reason)
    if info.st_size > max_bytes:
        raise FileTooLarge(_too_large(info.st_size, max_bytes))


def _too_large(size: int, max_bytes: int) -> str:
    return f"file is {size / 2**20:,.1f} MB; the limit is {max_bytes / 2**20:,.1f} MB"
