"""Assistant: pick a task, type the claim or resolution, Run, and watch the Searcher,
Analyzer, Writer and Reviewer work live; Stop stops within a second. (Stub: being built.)"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.context import AppContext
from desktop.jobs import JobRegistry


class AssistantPanel(QWidget):
    results_ready = Signal(object)  # list[evidence.cards.Node] for the outline
    stats = Signal(object)  # agents.generation.GenerationStats, for the status bar

    def __init__(self, ctx: AppContext, jobs: JobRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Assistant"))

    def cut_from_passage(self, passage_id: int, claim: str) -> None:
        """Run a one-card cut task on a passage (from the search panel)."""
