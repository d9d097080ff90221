"""Library dock: drop files/folders to import (progress, cancel, per-file results), the
sources with their cites, remove, and the index's embedding status.

Imports run one at a time as Jobs; a drop while one runs waits in a queue. Per-file results
are buffered and flushed into the model in batches, so a folder of thousands of files keeps
the window responsive. Every database read and write happens in a job's own Library."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.library_jobs import LibrarySnapshot, import_job, remove_job, snapshot_job
from desktop.drops import Dropped, accept_file_drag, dropped_paths, urls_in_text
from desktop.jobs import Job, JobRegistry
from desktop.library.flagged_cards import FlaggedCards
from desktop.library.import_progress import ImportProgress
from desktop.library.import_results import ImportResults, mark_problem
from desktop.library.library_status import import_summary, status_text
from desktop.library.sources_view import SourcesView
from evidence.importing.events import (
    EmbedProgress,
    EmbedUnavailable,
    FileResult,
    FilesFound,
    FileStatus,
    ImportFinished,
)
from evidence.index.records import SourceRecord

FLUSH_MS = 100  # results reach the table at most ten times a second
LIVE_REFRESH_S = 3.0  # while importing, the sources list catches up this often


class LibraryPanel(QWidget):
    library_changed = Signal()  # sources were added or removed: search and status refresh
    status_changed = Signal(object)  # evidence.index.records.IndexStatus, after every refresh

    def __init__(self, ctx: AppContext, jobs: JobRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        self.setAcceptDrops(True)  # the main window forwards drops; this covers a floating dock
        self._queue: list[list[Dropped]] = []
        self._import: Job | None = None
        self._snapshot: Job | None = None
        self._removing: Job | None = None
        self._in_batch = False  # imports since the panel was last idle share one result list
        self._user_cancel = False
        self._closing = False  # the window cancelled every job: start nothing new
        self._ready = False  # imports wait for the first refresh (it repairs the vector index)
        self._refresh_again = False
        self._last_refresh = 0.0
        self._buffer: list[FileResult] = []
        self._stored_ids: list[int] = []  # sources this batch of imports stored
        self._flagged_ids: set[int] = set()  # their flagged cards, each once
        # The cards this batch flagged for their highlight, listed on request.
        self.flagged = FlaggedCards(ctx, jobs, self)
        self._vector_note = ""
        self._finished: ImportFinished | None = None
        self.snapshot: LibrarySnapshot | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._build()
        self.refresh()

    def _build(self) -> None:
        hint = QLabel(
            "Drop PDF, Word, text or HTML files, whole folders, or web addresses anywhere here."
        )
        hint.setWordWrap(True)
        self.url_edit = QLineEdit()
        self.url_edit.setObjectName("UrlEdit")
        self.url_edit.setClearButtonEnabled(True)
        self.url_edit.returnPressed.connect(self.import_typed_urls)
        self.url_button = QPushButton("Add page")
        self.url_button.setToolTip("Fetch the article at this address and add it as a source")
        self.url_button.clicked.connect(self.import_typed_urls)
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.url_button)
        self.set_web_access(self.ctx.settings.web_access)
        self.progress = ImportProgress()
        self.progress.hide()
        self.progress.cancel_requested.connect(self.cancel_import)
        self.results = ImportResults()
        self.results.hide()
        self.results.show_flagged.connect(lambda: self.flagged.show_for(self._stored_ids))
        self.flagged.failed.connect(
            lambda message: self.results.set_summary(
                f"Cannot list the cards: {message}", problem=True
            )
        )
        self.sources = SourcesView()
        self.sources.remove_requested.connect(self.remove_sources)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self.sources)
        split.addWidget(self.results)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.status_label = QLabel("Reading the library…")
        self.status_label.setObjectName("IndexStatus")
        self.status_label.setWordWrap(True)
        self.resume_button = QPushButton("Resume import")
        self.resume_button.hide()
        self.resume_button.clicked.connect(self.resume)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.resume_button)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(url_row)
        layout.addWidget(self.progress)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

    def sizeHint(self) -> QSize:
        return QSize(560, 700)  # room for the cite columns and the failure reasons

    # -- importing ---------------------------------------------------------------------------

    def set_web_access(self, on: bool) -> None:
        """The web switch moved: say in the address field whether a page can be fetched."""
        self.url_edit.setPlaceholderText(
            "Paste a web address and press Enter" if on else "Web address (web access is off)"
        )
        self.url_edit.setToolTip(
            "" if on else "Turn web access on with the switch in the status bar to add web pages"
        )

    def import_typed_urls(self) -> None:
        """Import the address(es) typed or pasted in the field; anything else is explained."""
        text = self.url_edit.text().strip()
        if not text:
            return
        urls = urls_in_text(text) or [text]  # a non-address still goes in: the core says why
        self.url_edit.clear()
        self.import_paths(urls)

    def import_paths(self, paths: Sequence[Dropped]) -> None:
        """Start (or queue) an import of files, folders and web addresses (str)."""
        chosen = [p if isinstance(p, str) else Path(p) for p in paths]
        if chosen:
            self._queue.append(chosen)
            self._pump()

    def resume(self) -> None:
        """Finish an interrupted import and compute the vectors still missing."""
        self._queue.append([])
        self._pump()

    def is_importing(self) -> bool:
        return self._import is not None or bool(self._queue)

    def cancel_import(self) -> None:
        """Stop after the current file; queued drops are dropped too (they would start next)."""
        self._queue.clear()
        self.progress.set_queued(0)
        if self._import is not None:
            self._user_cancel = True
            self._import.cancel()
        else:  # only waiting for the first refresh: nothing to stop
            self.progress.hide()

    def _pump(self) -> None:
        if self._closing:
            return
        if self._import is None and self._ready and self._queue:
            self._start(self._queue.pop(0))
        elif self._queue and self._import is None:
            self.progress.start(resuming=False)  # waiting for the first refresh to finish
        self.progress.set_queued(len(self._queue))

    def _start(self, paths: list[Dropped]) -> None:
        if not self._in_batch:  # the first import after the panel was idle: a fresh list
            self.results.clear()
            self._stored_ids = []
            self._flagged_ids = set()
            self._in_batch = True
        self._finished, self._vector_note, self._user_cancel = None, "", False
        self.results.show()
        self.results.set_summary("Importing…")
        self.resume_button.hide()
        self.progress.start(resuming=not paths)
        job = Job("import", import_job(self.ctx, paths), user_work=True)
        job.progress.connect(self._on_event)
        job.failed.connect(self._on_import_failed)
        job.done.connect(self._on_import_done)
        self._import = self.jobs.start(job)

    def _on_event(self, event: object) -> None:
        if isinstance(event, FileResult):
            self.progress.note(event)  # counted now, shown when the buffer is flushed
            self._buffer.append(event)
            if not self._flush_timer.isActive():
                self._flush_timer.start()
            return
        self._flush()
        self.progress.note(event)  # after the files' flush: they are shown as files
        if isinstance(event, FilesFound):
            self.progress.files(0, event.total)
        elif isinstance(event, EmbedProgress):
            self.progress.vectors(event.done, event.total)
        elif isinstance(event, EmbedUnavailable):
            self._vector_note = event.reason
        elif isinstance(event, ImportFinished):
            self._finished = event
            self._stored_ids += event.stored_ids
            # Counted at import; a batch of drops adds up, a card two drops share once.
            self._flagged_ids.update(event.flagged_ids)
            self.results.set_flagged(len(self._flagged_ids))

    def _flush(self) -> None:
        self._flush_timer.stop()
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        self.results.add(batch)
        last = batch[-1]
        if self._import is not None and not self._import.cancelled:
            self.progress.files(last.index, last.total, last.path)
        stored = any(r.status in (FileStatus.IMPORTED, FileStatus.REPLACED) for r in batch)
        if stored and time.monotonic() - self._last_refresh > LIVE_REFRESH_S:
            self.refresh()

    def _on_import_failed(self, message: str) -> None:
        self._flush()
        self.results.set_summary(f"Import failed: {message}", problem=True)

    def _on_import_done(self) -> None:
        self._flush()
        job, self._import = self._import, None
        self._note_shutdown(job, by_user=self._user_cancel)
        if self._closing:
            return
        if self._finished is not None:  # else the job failed and its message stays up
            summary = import_summary(self._finished, self.results.counts_text(), self._vector_note)
            failed = self.results.counts().get(FileStatus.FAILED, 0) > 0
            self.results.set_summary(summary, problem=failed or bool(self._vector_note))
        self.progress.hide()
        self._in_batch = bool(self._queue)
        self.refresh()
        self.library_changed.emit()
        self._pump()

    # -- sources -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the sources list and the index status (off the GUI thread)."""
        if self._closing:
            return
        if self._snapshot is not None:
            self._refresh_again = True
            return
        self._last_refresh = time.monotonic()
        job = Job("library-refresh", snapshot_job(self.ctx, open_vectors=not self._ready))
        job.finished.connect(self._on_snapshot)
        job.failed.connect(self._on_snapshot_failed)
        job.done.connect(self._on_snapshot_done)
        self._snapshot = self.jobs.start(job)

    def _on_snapshot(self, snap: LibrarySnapshot) -> None:
        self.snapshot = snap
        self.sources.set_sources(snap.sources)
        text, problem = status_text(snap)
        self.status_label.setText(text)
        mark_problem(self.status_label, problem)
        resumable = snap.status.queued_files or (
            snap.status.pending_vectors and not snap.embedder_error
        )
        self.resume_button.setText(
            "Resume import" if snap.status.queued_files else "Compute vectors"
        )
        self.resume_button.setVisible(bool(resumable) and not self.is_importing())
        self.status_changed.emit(snap.status)

    def _on_snapshot_failed(self, message: str) -> None:
        self.status_label.setText(f"Cannot read the library: {message}")
        mark_problem(self.status_label, True)

    def _on_snapshot_done(self) -> None:
        job, self._snapshot = self._snapshot, None
        self._note_shutdown(job)
        if not self._ready:
            self._ready = True
            self._pump()
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _note_shutdown(self, job: Job | None, *, by_user: bool = False) -> None:
        """A job cancelled by someone else than this panel: the window is closing."""
        if job is not None and job.cancelled and not by_user:
            self._closing = True

    def remove_sources(self, records: list[SourceRecord]) -> None:
        """Ask, then remove the sources (passages, vectors and cards; never the files)."""
        if not records or self._removing is not None:
            return
        if not self.confirm_remove(records):
            return
        job = Job("remove-sources", remove_job(self.ctx, [r.id for r in records]), user_work=True)
        job.done.connect(self._on_remove_done)
        self._removing = self.jobs.start(job)

    def confirm_remove(self, records: list[SourceRecord]) -> bool:
        what = f"“{records[0].display_name}”" if len(records) == 1 else f"{len(records)} sources"
        answer = QMessageBox.question(
            self,
            "Remove from the library",
            f"Remove {what} from the library? Its passages, vectors and cards are deleted; "
            "the file on disk is not touched.",
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_remove_done(self) -> None:
        job, self._removing = self._removing, None
        self._note_shutdown(job)
        if self._closing:
            return
        self.refresh()
        self.library_changed.emit()

    # -- drops on the panel itself (when its dock floats) --------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = dropped_paths(event)
        if paths:
            self.import_paths(paths)
