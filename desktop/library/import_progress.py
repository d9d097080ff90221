"""The running import: what it is doing, a progress bar with counts, the rate and the time
left (evidence/importing/progress.py: a moving rate, no estimate before there is enough work
behind it), and Cancel. `summary_changed` carries the one-line state for the status bar."""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from evidence.importing.progress import ImportMeter, ImportSnapshot


class ImportProgress(QWidget):
    cancel_requested = Signal()
    summary_changed = Signal(str)  # e.g. "vectors 1,200/5,000 · 14.2 passages/s · about 4 min left"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("ImportProgressLabel")
        self.label.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setObjectName("ImportProgressDetail")
        self.detail.setToolTip(
            "The rate over the last half minute of work, and the time left at that rate"
        )
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(
            "Stop after the current file; finished files are kept and the rest can be resumed"
        )
        self.cancel_button.clicked.connect(self._cancel)
        self.queued = QLabel()
        self.queued.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addWidget(self.detail)
        layout.addWidget(self.queued)
        self._meter = ImportMeter()
        self.snapshot = self._meter.snapshot

    def start(self, resuming: bool) -> None:
        self._meter = ImportMeter()  # each import measures its own work
        self.snapshot = self._meter.snapshot
        self.label.setText("Resuming the unfinished import…" if resuming else "Looking for files…")
        self.detail.clear()
        self.bar.setRange(0, 0)  # busy until the files are counted
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()

    def note(self, event: object) -> None:
        """Every event of the import, as it comes (the counts and the clock of the rate)."""
        self.snapshot = self._meter.feed(event)

    def files(self, done: int, total: int, path: str = "") -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{done:,} / {total:,} files")
        name = PurePath(path).name if path else ""
        self.label.setText(f"Importing files: {name}" if name else "Importing files…")
        self._show_detail(f"{self.snapshot.passages:,} passages searchable by keyword")

    def vectors(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{done:,} / {total:,} passages")
        self.label.setText(
            "Computing vectors for semantic search… (search and editing work meanwhile)"
        )
        self._show_detail("")

    def _show_detail(self, head: str) -> None:
        snap: ImportSnapshot = self.snapshot
        self.detail.setText(" · ".join(x for x in (head, snap.detail() if snap.phase else "") if x))
        self.summary_changed.emit(f"Import: {snap.text()}")

    def set_queued(self, n: int) -> None:
        self.queued.setText(f"{n} more import{'s' if n != 1 else ''} waiting")
        self.queued.setVisible(n > 0)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.label.setText("Stopping after the current file…")
        self.cancel_requested.emit()
