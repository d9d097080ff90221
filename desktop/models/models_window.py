"""File → Models…: the recommended models with their fit on this computer, downloads with
progress, speed and time left (cancel keeps the partial file; the next download resumes it),
import of a GGUF file the user has, and switching the active model without a restart."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agents.models import DownloadProgress, Verdict
from agents.runtime.gpu import GpuInfo
from app.context import AppContext
from app.model_jobs import (
    Chosen,
    ImportProgress,
    Outcome,
    choose_job,
    download_job,
    import_job,
    list_job,
)
from app.model_rows import ModelRow, ModelTable, size_text
from desktop.jobs import Job, JobRegistry
from desktop.library.import_results import mark_problem
from desktop.models.models_table import ModelsTableModel
from evidence.units import gb


def progress_text(p: DownloadProgress) -> str:
    """ "312 MB of 1.1 GB · 4.2 MB/s · 3 min left" """
    if p.phase == "checking":
        return f"Checking the {size_text(p.done)} already downloaded…"
    done = size_text(p.done) + (f" of {size_text(p.total)}" if p.total else "")
    parts = [done]
    if p.bytes_per_s > 0:
        parts.append(f"{p.bytes_per_s / 1e6:,.1f} MB/s")
    if p.seconds_left is not None:
        parts.append(f"{_duration(p.seconds_left)} left")
    return " · ".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


class ModelManagerDialog(QDialog):
    model_changed = Signal()  # the active model changed: the status bar shows the new one

    def __init__(
        self,
        ctx: AppContext,
        jobs: JobRegistry,
        turn_web_on: Callable[[], bool],
        gpu: GpuInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.jobs, self.gpu = ctx, jobs, gpu
        self._turn_web_on = turn_web_on
        self._work: Job | None = None  # the download or import running now
        self._lister: Job | None = None
        self.setWindowTitle("Models")
        self.resize(980, 560)
        self.machine = QLabel("Looking at this computer…")
        self.model = ModelsTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._on_select)
        self.table.doubleClicked.connect(lambda _i: self.use_selected())
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() * 5)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress_label = QLabel()
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.clicked.connect(self.cancel_work)
        self.message = QLabel()
        self.message.setObjectName("ModelMessage")
        self.message.setWordWrap(True)
        self.download_button = QPushButton("Download")
        self.download_button.clicked.connect(self.download_selected)
        self.use_button = QPushButton("Use this model")
        self.use_button.clicked.connect(self.use_selected)
        self.import_button = QPushButton("Import a GGUF file…")
        self.import_button.clicked.connect(self._choose_file)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        self._layout(close)
        self._show_work(False)
        self.refresh()

    def _layout(self, close: QPushButton) -> None:
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        for button in (self.download_button, self.use_button, self.import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.machine)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(progress_row)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    # -- the table ---------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._lister is not None:
            return
        job = Job("model-list", list_job(self.ctx, self.gpu))
        job.finished.connect(self._on_table)
        job.failed.connect(lambda m: self.say(f"Cannot list the models: {m}", problem=True))
        job.done.connect(self._on_list_done)
        self._lister = self.jobs.start(job)

    def _on_list_done(self) -> None:
        self._lister = None

    def _on_table(self, table: ModelTable) -> None:
        chosen = self.selected()
        self.machine.setText(f"This computer: {table.machine}")
        self.model.set_rows(table.rows)
        name = chosen.name if chosen else next((r.name for r in table.rows if r.active), "")
        self.select(name)
        self._update_buttons()

    def select(self, name: str) -> None:
        row = self.model.row_of(name)
        if row >= 0:
            self.table.selectRow(row)

    def selected(self) -> ModelRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _on_select(self, _new: QItemSelection, _old: QItemSelection) -> None:
        row = self.selected()
        if row is None:
            self.details.clear()
        else:
            lines = [f"<b>{row.title}</b> — {row.note}" if row.note else f"<b>{row.title}</b>"]
            if row.fit is not None:
                lines.append(row.fit.explanation)
            if row.entry is not None and row.entry.page_url:
                lines.append(f"Model page: {row.entry.page_url} · licence: {row.entry.license}")
            elif row.installed is not None:
                lines.append(f"File: {row.installed.path}")
            self.details.setText("<br>".join(lines))
        self._update_buttons()

    def _update_buttons(self) -> None:
        row, busy = self.selected(), self._work is not None
        self.download_button.setEnabled(bool(row and row.downloadable) and not busy)
        paused = row is not None and row.installed is not None and not row.usable
        self.download_button.setText("Resume download" if paused else "Download")
        self.use_button.setEnabled(bool(row and row.usable and not row.active))
        self.import_button.setEnabled(not busy)

    # -- download and import ------------------------------------------------------------------

    def download_selected(self) -> None:
        row = self.selected()
        if row is None or row.entry is None or not row.downloadable or self._work is not None:
            return
        if not self.ctx.settings.web_access:
            answer = QMessageBox.question(
                self,
                "Web access is off",
                f"Downloading {row.title} ({gb(row.size_bytes)}) needs web access, which is "
                "off. Turn web access on and download?",
            )
            if answer != QMessageBox.StandardButton.Yes or not self._turn_web_on():
                self.say("Not downloaded: web access is off.", problem=True)
                return
        if row.fit is not None and row.fit.verdict is Verdict.TOO_BIG:
            self.say(f"Warning: {row.fit.explanation}", problem=True)
        job = Job(f"download {row.name}", download_job(self.ctx, row.entry), user_work=True)
        self._start_work(job, f"Downloading {row.title}…", "Cancel download")

    def _choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Import a GGUF model", "", "GGUF models (*.gguf);;All (*)"
        )
        if chosen:
            self.import_file(Path(chosen))

    def import_file(self, file: Path) -> None:
        if self._work is not None:
            return
        job = Job(f"import {file.name}", import_job(self.ctx, file), user_work=True)
        self._start_work(job, f"Checking and copying {file.name}…", "")

    def _start_work(self, job: Job, text: str, cancel_text: str, failure: str = "Failed") -> None:
        self.say("")
        self.progress.setRange(0, 0)
        self.progress_label.setText(text)
        self.cancel_button.setText(cancel_text)
        self.cancel_button.setVisible(bool(cancel_text))
        job.progress.connect(self._on_progress)
        job.finished.connect(self._on_outcome)
        job.failed.connect(lambda m: self.say(f"{failure}: {m}", problem=True))
        job.done.connect(self._on_work_done)
        self._work = self.jobs.start(job)
        self._show_work(True)
        self._update_buttons()

    def cancel_work(self) -> None:
        if self._work is not None:
            self._work.cancel()
            self.progress_label.setText("Stopping…")

    def _on_progress(self, event: object) -> None:
        if isinstance(event, DownloadProgress):
            self.progress_label.setText(progress_text(event))
            done, total = event.done, event.total
        elif isinstance(event, ImportProgress):
            self.progress_label.setText(
                f"Copying: {size_text(event.done)} of {size_text(event.total)}"
            )
            done, total = event.done, event.total
        else:
            return
        if total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))

    def _on_outcome(self, outcome: Outcome | Chosen) -> None:
        if isinstance(outcome, Chosen):
            self._switch(outcome)
        elif outcome.cancelled:
            why = "" if self.ctx.settings.web_access else " (web access was turned off)"
            self.say(
                f"Download stopped{why}; {size_text(outcome.kept_bytes)} kept. Download again to "
                "resume where it stopped."
            )
        else:
            self.say(f"{outcome.name} is ready: checked and saved. Select it and Use it.")

    def _on_work_done(self) -> None:
        self._work = None
        self._show_work(False)
        self._update_buttons()
        self.refresh()

    def _show_work(self, on: bool) -> None:
        for widget in (self.progress, self.progress_label):
            widget.setVisible(on)
        self.cancel_button.setVisible(on and bool(self.cancel_button.text()))

    # -- use ----------------------------------------------------------------------------------

    def use_selected(self) -> None:
        row = self.selected()
        if row is None or not row.usable or row.active:
            return
        if row.fit is not None and row.fit.verdict is Verdict.TOO_BIG:
            answer = QMessageBox.question(
                self, "Too big?", f"{row.fit.explanation}\n\nUse {row.title} anyway?"
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        if self._work is not None:
            return
        job = Job(f"check {row.name}", choose_job(self.ctx, row.name, row.title))
        self._start_work(job, f"Checking {row.title}…", "", failure="Not switched")

    def _switch(self, chosen: Chosen) -> None:
        try:
            self.ctx.save_settings(dataclasses.replace(
                self.ctx.settings, generator_model=chosen.generator_model,
                generator_source="local",  # a model file runs here, not on a model server
            ))  # fmt: skip
        except OSError as exc:  # disk full, folder gone
            self.say(f"Not switched: cannot save the settings ({exc})", problem=True)
            return
        self.say(f"The agents now use {chosen.title}; it loads at the next run (no restart).")
        self.model_changed.emit()

    def say(self, text: str, *, problem: bool = False) -> None:
        self.message.setText(text)
        mark_problem(self.message, problem)
