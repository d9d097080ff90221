"""Save and Save As for one tab: save_document with the stamp from opening; a conflict asks
(overwrite / save as / cancel); any other failure is shown and nothing is lost (the tab keeps
its changes, the file on disk stays whole). A big document is written in a Job."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.jobs import Report
from desktop.documents import prompts
from desktop.documents.autosave import Autosaver
from desktop.documents.recent import RecentFiles
from desktop.documents.tabs import DocTab
from desktop.jobs import Job, JobRegistry
from evidence.cards.card import CardDocument
from evidence.documents.doc_file import FileStamp, SaveConflict, save_document
from evidence.verbatim.writer import ExportError

log = logging.getLogger(__name__)

# save_document took 80 ms for 1nc.docx (13k body words), 120 ms for neg.docx (34k) and
# 0.9 s for ten neg-2.docx (321k) on this machine: above ~25k words a save would hold the
# window longer than ~100 ms, so it runs in a Job.
JOB_WORDS = 25_000
OVERWRITE, SAVE_AS, CANCEL = "Overwrite", "Save As…", "Cancel"


_Kept = tuple[bytes | None, dict[str, bytes]]  # the original's styles and parts, kept


def _words(doc: CardDocument) -> int:
    return sum(len(c.body.split()) for c in doc.cards())


def _write(doc: CardDocument, path: Path, expected: FileStamp | None, tab_file: _Kept,
           force: bool, report: Report, cancelled: object) -> FileStamp | Exception:  # fmt: skip
    styles, parts = tab_file
    try:
        return save_document(doc, path, expected=expected, styles=styles, force=force,
                             parts=parts or None)  # fmt: skip
    except ExportError as exc:  # handed back whole: a conflict asks, not just says
        return exc


class Saver(QObject):
    message = Signal(str, int)
    saved = Signal(object)  # the DocTab, after a save that wrote all its edits

    def __init__(self, jobs: JobRegistry, autosave: Autosaver, recent: RecentFiles,
                 window: QWidget, job_words: int = JOB_WORDS) -> None:  # fmt: skip
        super().__init__(window)
        self.jobs, self.autosave, self.recent, self.window = jobs, autosave, recent, window
        self.job_words = job_words
        self._busy: set[str] = set()  # keys of tabs with a save running
        docs = Path.home() / "Documents"
        self.folder = docs if docs.is_dir() else Path.home()

    def save(self, tab: DocTab, *, wait: bool = False) -> bool:
        """Ctrl+S. With `wait` (closing), the write happens now and the result says whether
        it is on disk; otherwise a big document is written in a Job (True: started)."""
        if tab.path is None or tab.read_only_reason:
            return self.save_as(tab, wait=wait)
        return self._save(tab, tab.path, tab.stamp, force=False, wait=wait)

    def save_as(self, tab: DocTab, *, wait: bool = False) -> bool:
        suggested = tab.path or self.folder / f"{tab.title()}.docx"
        path = prompts.save_path(self.window, f"Save {tab.title()} as", suggested)
        if path is None:
            return False
        # The dialog asked before replacing a file there.
        return self._save(tab, prompts.with_docx(path), None, force=True, wait=wait)

    def is_saving(self, tab: DocTab) -> bool:
        return tab.key in self._busy

    def _save(self, tab: DocTab, path: Path, expected: FileStamp | None, *, force: bool,
              wait: bool) -> bool:  # fmt: skip
        if tab.key in self._busy:
            self.message.emit(f"{tab.title()} is being saved…", 3000)
            return False
        doc, revision = tab.editor.card_document(), tab.revision
        kept = (tab.styles, tab.parts)
        if wait or _words(doc) < self.job_words:
            result = _write(doc, path, expected, kept, force, lambda _e: None, None)
            return self._done(tab, path, revision, result, wait)
        job = Job(f"Save {path.name}", partial(_write, doc, path, expected, kept, force),
                  user_work=True)  # fmt: skip
        # Bound methods of a GUI-thread QObject (not lambdas): queued into the GUI thread.
        pending = _Pending(self, tab, path, revision)
        job.finished.connect(pending.finished)
        job.failed.connect(pending.failed)
        self._busy.add(tab.key)
        self.message.emit(f"Saving {path.name}…", 0)
        self.jobs.start(job)
        return True

    def _done(self, tab: DocTab, path: Path, revision: int, result: object, wait: bool) -> bool:
        if isinstance(result, SaveConflict):
            return self._conflict(tab, path, str(result), wait)
        if isinstance(result, Exception):
            log.warning("saving %s failed: %s", path, result)
            self.message.emit("Save failed", 5000)
            prompts.warn(self.window, "Could not save",
                         f"{result}\n\nYour changes are still open in {tab.title()}; "
                         "the file on disk was not changed.")  # fmt: skip
            return False
        assert isinstance(result, FileStamp)
        tab.path, tab.stamp, tab.read_only_reason = path, result, ""
        tab.editor.set_read_only(tab.read_mode)
        if tab.revision == revision:  # edits made while a Job wrote stay unsaved
            tab.editor.set_modified(False)
            self.autosave.discard(tab)
        self.recent.add(path)
        self.folder = path.parent
        tab.changed.emit()
        self.message.emit(f"Saved {path}", 5000)
        self.saved.emit(tab)
        return True

    def _conflict(self, tab: DocTab, path: Path, reason: str, wait: bool) -> bool:
        answer = prompts.ask(
            self.window,
            "The file changed on disk",
            f"{reason.rstrip('.')}.\n\nOverwrite it with this document, save this document "
            "somewhere else, or cancel (nothing is written)?",
            [OVERWRITE, SAVE_AS, CANCEL],
        )
        if answer == OVERWRITE:
            return self._save(tab, path, None, force=True, wait=wait)
        if answer == SAVE_AS:
            return self.save_as(tab, wait=wait)
        return False


class _Pending(QObject):
    """One background save's answer, handled in the GUI thread."""

    def __init__(self, saver: Saver, tab: DocTab, path: Path, revision: int) -> None:
        super().__init__(saver)
        self.saver, self.tab, self.path, self.revision = saver, tab, path, revision

    def finished(self, result: object) -> None:
        self.saver._busy.discard(self.tab.key)
        self.saver._done(self.tab, self.path, self.revision, result, False)
        self.deleteLater()

    def failed(self, text: str) -> None:
        self.saver._busy.discard(self.tab.key)
        self.saver._done(self.tab, self.path, self.revision, ExportError(text), False)
        self.deleteLater()
