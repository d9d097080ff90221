"""Recovery copies of open documents: written every few seconds of idle by the window, so
that after a crash the next start can offer each unsaved document back.

Each document has a key (recovery_key); its copy is `<key>.docx` (the Verbatim writer's
output, provenance included) and `<key>.json` beside it (original path, title, time). Both
are written atomically, the .docx first, so a listed copy is always whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from evidence.atomic import atomic_write_bytes, atomic_write_text
from evidence.cards.card import CardDocument
from evidence.errors import EmptyFile, EvidenceError
from evidence.verbatim.reader import read_verbatim
from evidence.verbatim.writer import docx_bytes

log = logging.getLogger(__name__)

MAX_META_BYTES = 64_000


@dataclass
class Recovered:
    key: str
    original: Path | None  # the file it was opened from; None for a new document
    title: str
    saved_at: float  # time.time() of the copy
    path: Path  # the recovery .docx


def recovery_key(path_or_untitled_id: str) -> str:
    """A file-name-safe key for a document: a file's path (made absolute) or an id the
    window gives an untitled document."""
    text = path_or_untitled_id
    if "/" in text or "\\" in text:
        text = str(Path(text).expanduser().absolute())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


class RecoveryStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def write(self, key: str, doc: CardDocument, original: Path | None, title: str) -> None:
        """Keep a copy of `doc`; raises OSError (disk full, folder read-only) for the caller
        to report: autosave must say it could not keep a copy."""
        _check_key(key)
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.root / f"{key}.docx", docx_bytes(doc))
        meta = {
            "original": str(original) if original is not None else None,
            "title": title,
            "saved_at": time.time(),
        }
        atomic_write_text(self.root / f"{key}.json", json.dumps(meta))

    def pending(self) -> list[Recovered]:
        """The copies on disk, newest first; unreadable metadata is skipped (and logged)."""
        found: list[Recovered] = []
        try:
            metas = sorted(self.root.glob("*.json"))
        except OSError:
            return found
        for meta_path in metas:
            rec = _read_meta(meta_path)
            if rec is not None:
                found.append(rec)
        found.sort(key=lambda r: r.saved_at, reverse=True)
        return found

    def load(self, rec: Recovered) -> CardDocument:
        """The recovered document; raises EvidenceError when the copy cannot be read."""
        try:
            doc = read_verbatim(rec.path)
        except EmptyFile:
            doc = CardDocument()  # the copy of an empty document
        doc.title = doc.title or rec.title
        return doc

    def discard(self, key: str) -> None:
        _check_key(key)
        for suffix in (".json", ".docx"):  # metadata first: a half-discarded copy is unlisted
            (self.root / f"{key}{suffix}").unlink(missing_ok=True)


def _check_key(key: str) -> None:
    if not key or not all(c.isalnum() or c in "-_" for c in key):
        raise ValueError(f"not a recovery key: {key!r}")


def _read_meta(meta_path: Path) -> Recovered | None:
    docx = meta_path.with_suffix(".docx")
    try:
        if meta_path.stat().st_size > MAX_META_BYTES or not docx.is_file():
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        original = meta.get("original")
        return Recovered(
            key=meta_path.stem,
            original=Path(original) if isinstance(original, str) else None,
            title=str(meta.get("title", "")),
            saved_at=float(meta.get("saved_at", 0.0)),
            path=docx,
        )
    except (OSError, ValueError, AttributeError, TypeError, EvidenceError) as exc:
        log.warning("recovery copy %s unreadable: %s", meta_path, exc)
        return None
