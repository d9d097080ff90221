"""Assistant: pick a task, type the claim, the opponent's card or the resolution, Run, and
watch the Searcher, Analyzer, Writer and Reviewer work live; Stop ends the run within a
second and keeps nothing of it. Finished cards are stored and sent to the document in front."""

from __future__ import annotations

from enum import StrEnum
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from agents.team.events import StepEvent
from agents.team.tasks import AnswerTask, BlockTask, CaseTask, CutTask, Side
from app.assistant import Phase, RunRequest, RunResult, run_assistant
from app.context import AppContext
from desktop.assistant.steps_model import ERROR_COLOR, StepsModel
from desktop.jobs import Job, JobRegistry

NO_EVIDENCE_HINT = (
    "No cards: your library has no evidence on this. Import articles or backfiles on it "
    "(File ▸ Import, or drop files on the window), then run again."
)


class TaskKind(StrEnum):
    CUT = "Cut cards"
    BLOCK = "Research a block"
    ANSWER = "Answer a card"
    CASE = "Build a case"


# What the text box holds and what the count counts, per task.
_PROMPTS = {
    TaskKind.CUT: ("The claim the cards must prove, e.g. “UNCLOS requires states to "
                   "conserve whales”", "Cards", 3),
    TaskKind.BLOCK: ("The claim to research a block for", "Answers", 3),
    TaskKind.ANSWER: ("Paste the opponent's card: its tag and text", "Answers", 3),
    TaskKind.CASE: ("The resolution, e.g. “Resolved: the United States should ratify "
                    "UNCLOS”", "Contentions", 2),
}  # fmt: skip


class AssistantPanel(QWidget):
    results_ready = Signal(object)  # list[evidence.cards.card.Node] for the outline
    stats = Signal(object)  # agents.runtime.generation.GenerationStats, for the status bar
    running_changed = Signal(bool)

    def __init__(self, ctx: AppContext, jobs: JobRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        self._job: Job | None = None
        self._pending: RunRequest | None = None  # started when the running job is over
        self.last_result: RunResult | None = None
        self.steps = StepsModel(self)
        self._build()
        self._on_task_changed()
        self._set_running(False)

    # -- construction ------------------------------------------------------------------------

    def _build(self) -> None:
        self.task_box = QComboBox()
        self.task_box.addItems([k.value for k in TaskKind])
        self.task_box.currentIndexChanged.connect(self._on_task_changed)
        self.side_box = QComboBox()
        self.side_box.addItem("Aff", Side.AFF)
        self.side_box.addItem("Neg", Side.NEG)
        self.count_box = QSpinBox()
        self.count_box.setRange(1, 10)
        self.count_label = QLabel()
        self.side_label = QLabel("Side")
        self.text_box = QPlainTextEdit()
        self.text_box.setTabChangesFocus(True)
        self.text_box.setMinimumHeight(60)
        self.source_box = QLineEdit()
        self.source_box.setPlaceholderText("any source (or a file name, title or id)")
        self.source_box.setClearButtonEnabled(True)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run the team (Ctrl+Enter)")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the run; nothing of it is kept (Esc)")
        self.stop_button.clicked.connect(self.stop)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        options = QHBoxLayout()
        options.addWidget(self.count_label)
        options.addWidget(self.count_box)
        options.addWidget(self.side_label)
        options.addWidget(self.side_box)
        options.addStretch(1)
        form = self._form = QFormLayout()
        form.addRow("Task", self.task_box)
        form.addRow(options)
        form.addRow("Only from", self.source_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(form)
        column.addWidget(self.text_box, 1)
        column.addLayout(buttons)
        column.addWidget(self.status)

        self.steps_view = QListView()
        self.steps_view.setModel(self.steps)
        self.steps_view.setWordWrap(True)
        self.steps_view.setUniformItemSizes(False)
        self.steps_view.setAlternatingRowColors(False)
        self.steps_view.setSpacing(1)
        self.steps_view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.steps.rowsInserted.connect(self.steps_view.scrollToBottom)
        self.objections = QLabel()
        self.objections.setWordWrap(True)
        self.objections.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.steps_view, 1)
        right_column.addWidget(self.objections)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (("Ctrl+Return", self.run), ("Ctrl+Enter", self.run),
                           ("Esc", self.stop)):  # fmt: skip
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    def _on_task_changed(self) -> None:
        kind = self.task_kind()
        prompt, counted, default = _PROMPTS[kind]
        self.text_box.setPlaceholderText(prompt)
        self.count_label.setText(counted)
        self.count_box.setValue(default)
        self.side_label.setVisible(kind == TaskKind.CASE)
        self.side_box.setVisible(kind == TaskKind.CASE)
        self._form.setRowVisible(self.source_box, kind == TaskKind.CUT)  # no empty gap

    # -- API -------------------------------------------------------------------------------

    def task_kind(self) -> TaskKind:
        return TaskKind(self.task_box.currentText())

    def set_task(self, kind: TaskKind, text: str = "", count: int | None = None) -> None:
        self.task_box.setCurrentText(kind.value)
        self.text_box.setPlainText(text)
        if count is not None:
            self.count_box.setValue(count)

    @property
    def job(self) -> Job | None:
        return self._job

    def is_running(self) -> bool:
        return self._job is not None

    def run(self) -> bool:
        """Run the task the form describes; False (with the reason shown) when it cannot."""
        if self._job is not None:
            return False
        text = self.text_box.toPlainText().strip()
        if not text:
            self._show_status("Type a claim, a card or a resolution first.", error=True)
            return False
        kind, n = self.task_kind(), self.count_box.value()
        task: CutTask | BlockTask | AnswerTask | CaseTask
        if kind == TaskKind.CUT:
            task = CutTask(text, cards=n)
        elif kind == TaskKind.BLOCK:
            task = BlockTask(text, answers=n)
        elif kind == TaskKind.ANSWER:
            task = AnswerTask(text, answers=n)
        else:
            task = CaseTask(text, side=Side(self.side_box.currentData()), contentions=n)
        source = self.source_box.text() if kind == TaskKind.CUT else ""
        self._start(RunRequest(task, source))
        return True

    def cut_from_passage(self, passage_id: int, claim: str) -> None:
        """Run a one-card cut task on a passage (from the search panel); a run in progress
        is stopped first."""
        self.set_task(TaskKind.CUT, claim, 1)
        request = RunRequest(CutTask(claim, cards=1, passage_id=passage_id))
        if self._job is None:
            self._start(request)
        else:
            self._pending = request
            self.stop()

    def stop(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._show_status("Stopping…")

    # -- the run ---------------------------------------------------------------------------

    def _start(self, request: RunRequest) -> None:
        self.steps.clear()
        self.objections.clear()
        self.objections.hide()
        self.last_result = None
        job = Job(
            f"assistant: {self.task_kind().value}",
            partial(run_assistant, self.ctx, request),
            user_work=True,
        )
        # Bound methods of this GUI-thread object: queued, so the slots run in the GUI thread.
        job.progress.connect(self._on_progress)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        job.done.connect(self._on_done)
        self._job = job
        self._set_running(True)
        self._show_status("Starting…")
        self.jobs.start(job)

    def _on_progress(self, event: object) -> None:
        if isinstance(event, StepEvent):
            self.steps.add_event(event)
        elif isinstance(event, Phase):
            text = "Loading the model (the first time takes a few seconds)…"
            self._show_status(text if event.text.startswith("loading") else "Running…")

    def _on_finished(self, result: object) -> None:
        if not isinstance(result, RunResult):
            return
        self.steps.flush()
        self.last_result = result
        if result.stats is not None:
            self.stats.emit(result.stats)
        if result.cancelled:
            self._show_status("Stopped: nothing of this run was kept.")
            return
        objections = result.objections
        if objections and result.cards:
            lines = "\n".join(f"• {o}" for o in objections)
            self.objections.setText(f"The Reviewer's remaining objections:\n{lines}")
            self.objections.show()
        if not result.cards:
            self._show_status(NO_EVIDENCE_HINT if objections else "No cards were cut.")
            return
        n = len(result.stored)
        self._show_status(f"{n} card{'s' if n != 1 else ''} stored and added to the document.")
        self.results_ready.emit(result.nodes)

    def _on_failed(self, message: str) -> None:
        self.steps.flush()
        self._show_status(f"Could not run: {message}", error=True)

    def _on_done(self) -> None:
        self._job = None
        self._set_running(False)
        pending, self._pending = self._pending, None
        if pending is not None:
            self._start(pending)

    def _set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.running_changed.emit(running)

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOR.name()};" if error else "")
