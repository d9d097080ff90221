"""Open a Verbatim .docx as a document and save it back to the same file, safely.

Opening records a FileStamp (size, mtime, hash) so a save can tell that another program or
window changed, moved or deleted the file since; it also says why the file should open
read-only (Word's `~$` owner file, a read-only file or folder). Saving goes through the
Verbatim writer, keeps the original word/styles.xml (the debater's fonts and sizes) and
replaces the file atomically: the file on disk is the old one or the new one, never half.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evidence.atomic import atomic_open
from evidence.cards.card import CardDocument
from evidence.documents.styles_keep import kept_parts, styles_xml
from evidence.errors import EmptyFile, UnreadablePath, os_reason
from evidence.verbatim.reader import DEFAULT_MAX_BYTES, read_verbatim
from evidence.verbatim.writer import ExportError, docx_bytes, export_error

WORD_LOCK = "Word has it open (~$ lock file)"
READ_ONLY_FILE = "the file is read-only"
READ_ONLY_FOLDER = "its folder cannot be written to"


class SaveConflict(ExportError):
    """The file on disk is no longer the one that was opened (changed, moved or deleted)."""


@dataclass(frozen=True)
class FileStamp:
    size: int
    mtime_ns: int
    sha256: str


@dataclass
class OpenedDocument:
    path: Path
    doc: CardDocument
    stamp: FileStamp
    read_only_reason: str  # "" when writable
    styles: bytes | None  # the original word/styles.xml, kept on save
    parts: dict[str, bytes] = field(default_factory=dict)  # its theme, numbering, font table


def open_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> OpenedDocument:
    """Read `path`; raises EvidenceError subclasses (UnreadablePath, CorruptFile,
    EncryptedFile, UnsupportedFile for a .doc, EmptyFile, FileTooLarge) with clear messages.
    A valid Word file with no text opens as an empty document."""
    path = Path(path)
    try:
        info = path.stat()
        # Too large: read_verbatim says so from the path itself, reading nothing.
        data = b"" if info.st_size > max_bytes else path.read_bytes()
    except OSError as exc:
        raise UnreadablePath(f"cannot open {path.name}: {os_reason(exc)}") from exc
    try:
        doc = read_verbatim(data if data else path, max_bytes=max_bytes)
    except EmptyFile:
        if not data or not zipfile.is_zipfile(io.BytesIO(data)):
            raise
        doc = CardDocument()  # a blank Word document is still a document
    stamp = FileStamp(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())
    return OpenedDocument(
        path, doc, stamp, read_only_reason(path), styles_xml(data), kept_parts(data)
    )


def read_only_reason(path: Path) -> str:
    """Why saving over `path` should not be offered ("" when it can be)."""
    path = Path(path)
    owner = lock_file(path)
    if owner is not None:
        who = lock_owner(owner)
        return f"{WORD_LOCK}: {who}" if who else WORD_LOCK
    if path.exists() and not os.access(path, os.W_OK):
        return READ_ONLY_FILE
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return READ_ONLY_FOLDER
    return ""


def lock_file(path: Path) -> Path | None:
    """Word's owner file for `path`, if one exists. Word names it `~$` + the name, but drops
    the name's first one or two characters when the stem is seven characters or more
    (`~$cument1.docx` for Document1.docx); both forms are checked for such names."""
    path = Path(path)
    name = path.name
    forms = [f"~${name}"]
    if len(path.stem) >= 7:
        forms += [f"~${name[1:]}", f"~${name[2:]}"]
    for form in forms:
        owner = path.parent / form
        if owner.is_file():
            return owner
    return None


def lock_owner(owner: Path) -> str:
    """The user name Word writes at the start of its owner file (a length byte, then the
    name); "" when it cannot be read."""
    try:
        head = owner.read_bytes()[:54]
    except OSError:
        return ""
    if not head or not 0 < head[0] < len(head):
        return ""
    name = head[1 : 1 + head[0]].decode("cp1252", errors="replace").strip()
    return name if name.isprintable() else ""


def save_document(
    doc: CardDocument,
    path: Path,
    *,
    expected: FileStamp | None,
    styles: bytes | None = None,
    force: bool = False,
    parts: Mapping[str, bytes] | None = None,
) -> FileStamp:
    """Write `doc` to `path` atomically and return the new file's stamp.

    `expected` is the stamp from opening (or the last save); None means a new file that
    must not exist yet. Raises SaveConflict when the file on disk no longer matches, unless
    `force`; ExportError with advice for a read-only folder, a full disk, a locked file.
    With `styles`, the original's theme, numbering and font table are kept too: `parts`
    (OpenedDocument.parts: pass them for Save As), else, when `expected` is given, those of
    the file being replaced (the one opened).
    """
    path = Path(path)
    if not force:
        check_unchanged(path, expected)
    if styles is not None and parts is None and expected is not None:
        parts = _parts_on_disk(path)  # the file opened (or forced over): its own parts
    data = docx_bytes(doc, styles=styles, parts=parts)  # a bug here never touches the file
    opened = False
    try:
        with atomic_open(path) as fh:  # keeps the file's permission bits (umask's when new)
            opened = True
            fh.write(data)
        info = path.stat()
    except OSError as exc:
        raise export_error(path, exc, replacing=opened) from exc
    return FileStamp(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def _parts_on_disk(path: Path) -> dict[str, bytes]:
    """The kept parts of the Word file at `path` ({} when there is none to read)."""
    try:
        if path.stat().st_size > DEFAULT_MAX_BYTES:
            return {}
        return kept_parts(path.read_bytes())
    except OSError:
        return {}


def stamp_of(path: Path) -> FileStamp | None:
    """The stamp of the file now, or None when there is none."""
    try:
        info = Path(path).stat()
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ExportError(f"Could not check {path}: {os_reason(exc)}.") from exc
    return FileStamp(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def check_unchanged(path: Path, expected: FileStamp | None) -> None:
    """Raise SaveConflict when the file is not the one `expected` describes."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if expected is not None:
            raise SaveConflict(
                f"{path.name} was moved or deleted since it was opened: "
                "save again to write it there anyway, or use Save As"
            ) from None
        return
    except OSError:
        return  # the write itself reports it with advice
    if expected is None:
        raise SaveConflict(f"{path.name} already exists: save again to replace it")
    if info.st_size == expected.size and info.st_mtime_ns == expected.mtime_ns:
        return
    now = stamp_of(path)
    if now is not None and now.sha256 == expected.sha256:
        return  # touched, not changed (a copy, a sync tool)
    raise SaveConflict(
        f"{path.name} was changed by another program or window since it was opened: "
        "save again to overwrite those changes, or use Save As to keep both"
    )
