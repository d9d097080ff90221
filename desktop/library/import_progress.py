"""The running import: what it is doing, a progress bar with counts, and Cancel."""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget


class ImportProgress(QWidget):
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("ImportProgressLabel")
        self.label.setWordWrap(True)
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
        layout.addWidget(self.queued)

    def start(self, resuming: bool) -> None:
        self.label.setText("Resuming the unfinished import…" if resuming else "Looking for files…")
        self.bar.setRange(0, 0)  # busy until the files are counted
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()

    def files(self, done: int, total: int, path: str = "") -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{done:,} / {total:,} files")
        name = PurePath(path).name if path else ""
        self.label.setText(f"Importing files: {name}" if name else "Importing files…")

    def vectors(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{done:,} / {total:,} passages")
        self.label.setText("Computing vectors for semantic search…")

    def set_queued(self, n: int) -> None:
        self.queued.setText(f"{n} more import{'s' if n != 1 else ''} waiting")
        self.queued.setVisible(n > 0)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Stopping…")
        self.label.setText("Stopping after the current file…")
        self.cancel_requested.emit()
