"""The window's old single outline (`outline.json` in the data folder) becomes a document,
`documents/Outline.docx`, once; the JSON is kept beside it as `outline.json.migrated`."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from evidence.cards.outline_file import load_outline
from evidence.documents.doc_file import save_document
from evidence.errors import EvidenceError

log = logging.getLogger(__name__)

OUTLINE_JSON = "outline.json"
MIGRATED_SUFFIX = ".migrated"
DOCUMENTS_DIR = "documents"
OUTLINE_DOCX = "Outline.docx"


class OutlineUnreadable(EvidenceError):
    """The old outline.json could not be read; it was kept aside (the message says where)."""


def outline_docx_path(data_root: Path) -> Path:
    return Path(data_root) / DOCUMENTS_DIR / OUTLINE_DOCX


def migrate_outline(data_root: Path) -> Path | None:
    """The migrated document's path (made now, or by an earlier start); None when there was
    no outline to migrate (none, or empty). Raises OutlineUnreadable when outline.json cannot
    be read (load_outline has kept it aside, so the next start does not ask again), and
    ExportError when the document cannot be written (outline.json is then untouched)."""
    source = Path(data_root) / OUTLINE_JSON
    target = outline_docx_path(data_root)
    if target.exists():
        if source.exists():  # an earlier start wrote the docx, then stopped before this
            _keep_aside(source)
        return target
    if not source.exists():
        return None
    loaded = load_outline(source)
    if loaded.problem is not None:
        raise OutlineUnreadable(loaded.problem)
    if not loaded.document.nodes:
        _keep_aside(source)
        return None
    doc = loaded.document
    doc.title = doc.title or "Outline"
    target.parent.mkdir(parents=True, exist_ok=True)
    save_document(doc, target, expected=None)
    _keep_aside(source)
    log.info("outline.json became %s", target)
    return target


def _keep_aside(source: Path) -> None:
    os.replace(source, source.with_name(source.name + MIGRATED_SUFFIX))
