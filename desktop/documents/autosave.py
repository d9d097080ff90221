"""Autosave: a few seconds after the last change, the document goes to the recovery folder
(evidence.documents.recovery), never over the user's file. A clean save or a close discards
it; after a crash, the next start offers what is there.

The document is read back on the GUI thread (it lives there); the .docx is built and written
in a Job: on the sample backfiles that part took 75-170 ms, too long to hold the window."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.jobs import Report
from desktop.documents.tabs import DocTab
from desktop.jobs import Job, JobRegistry
from evidence.cards.card import CardDocument
from evidence.documents.recovery import Recovered, RecoveryStore

log = logging.getLogger(__name__)

IDLE_MS = 3000  # Word's own autorecover is minutes; a debater mid-round wants seconds


def _keep(store: RecoveryStore, key: str, doc: CardDocument, original: Path | None, title: str,
          report: Report, cancelled: object) -> str:  # fmt: skip
    store.write(key, doc, original, title)
    return key


class Autosaver(QObject):
    failed = Signal(str)  # a message for the status bar (said once until a write works)
    written = Signal(object)  # the DocTab just written (tests wait on it)

    def __init__(self, root: Path, jobs: JobRegistry, parent: QObject | None = None, *,
                 idle_ms: int = IDLE_MS) -> None:  # fmt: skip
        super().__init__(parent)
        self.store = RecoveryStore(root)
        self.jobs = jobs
        self.idle_ms = idle_ms
        self._timers: dict[str, QTimer] = {}
        self._busy: set[str] = set()
        self._failing = False

    def watch(self, tab: DocTab) -> None:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(self.idle_ms)
        timer.timeout.connect(lambda: self.write(tab))
        self._timers[tab.key] = timer
        tab.editor.contents_changed.connect(timer.start)

    def write(self, tab: DocTab) -> None:
        """The recovery copy now, when the tab has unsaved changes."""
        timer = self._timers.get(tab.key)
        if timer is not None:
            timer.stop()
        if not tab.editor.is_modified():
            return
        if tab.key in self._busy:  # the last copy is still being written: again later
            if timer is not None:
                timer.start()
            return
        doc = tab.editor.card_document()
        job = Job(f"Autosave {tab.title()}",
                  partial(_keep, self.store, tab.key, doc, tab.path, tab.title()))  # fmt: skip
        # A bound method of a GUI-thread QObject (not a lambda): queued into the GUI thread.
        pending = _Pending(self, tab)
        job.finished.connect(pending.finished)
        job.failed.connect(pending.failed)
        self._busy.add(tab.key)
        self.jobs.start(job)

    def discard(self, tab: DocTab) -> None:
        """Saved cleanly or discarded: no recovery copy (one being written goes when done)."""
        timer = self._timers.get(tab.key)
        if timer is not None:
            timer.stop()
        try:
            self.store.discard(tab.key)
        except OSError as exc:
            log.warning("could not discard the recovery copy of %s: %s", tab.title(), exc)

    def forget(self, tab: DocTab) -> None:
        """The tab closed: its timer goes with it."""
        timer = self._timers.pop(tab.key, None)
        if timer is not None:
            timer.stop()
            timer.deleteLater()

    def pending(self) -> list[Recovered]:
        try:
            return self.store.pending()
        except OSError as exc:
            log.warning("could not read the recovery folder: %s", exc)
            return []

    def _finished(self, tab: DocTab, key: str) -> None:
        self._busy.discard(key)
        self._failing = False
        # Saved, discarded or closed while the copy was written: it must not stay behind.
        if key not in self._timers or not tab.editor.is_modified():
            self.store.discard(key)
            return
        self.written.emit(tab)

    def _failed(self, tab: DocTab, key: str, text: str) -> None:
        self._busy.discard(key)
        log.warning("autosave of %s failed: %s", key, text)
        if not self._failing and key in self._timers:
            self.failed.emit(f"Autosave of {tab.title()} failed: {text}")
        self._failing = True


class _Pending(QObject):
    def __init__(self, saver: Autosaver, tab: DocTab) -> None:
        super().__init__(saver)
        self.saver, self.tab, self.key = saver, tab, tab.key

    def finished(self, _result: object) -> None:
        self.saver._finished(self.tab, self.key)
        self.deleteLater()

    def failed(self, text: str) -> None:
        self.saver._failed(self.tab, self.key, text)
        self.deleteLater()
