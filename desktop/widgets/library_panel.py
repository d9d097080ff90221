"""Library dock: drop files/folders to import (progress, cancel, per-file results), the
sources with their cites, remove, and the index's embedding status. (Stub: being built.)"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.context import AppContext
from desktop.jobs import JobRegistry


class LibraryPanel(QWidget):
    library_changed = Signal()  # sources were added or removed: search and status refresh

    def __init__(self, ctx: AppContext, jobs: JobRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Library"))

    def import_paths(self, paths: Sequence[Path]) -> None:
        """Start (or queue) an import of files and folders."""

    def refresh(self) -> None:
        """Reload the sources list and the index status (off the GUI thread)."""
