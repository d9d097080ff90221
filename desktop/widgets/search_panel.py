"""Search: results as you type (hybrid), filters, marked snippets; Enter opens a result as a
card, Ctrl+K cuts a card from its passage. (Stub: being built.)"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.context import AppContext
from desktop.jobs import JobRegistry


class SearchPanel(QWidget):
    open_card = Signal(object)  # evidence.cards.Card: open in the card editor
    cut_passage = Signal(int, str)  # passage id, the query (the claim to cut for)

    def __init__(self, ctx: AppContext, jobs: JobRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Search"))

    def refresh(self) -> None:
        """Run the current query again (the library changed)."""

    def focus_query(self) -> None:
        """Put the cursor in the query box (Ctrl+F)."""
