"""Export the outline (or the selection) to a Verbatim .docx: a dialog with the export
options and the file, then the write in a Job, so a big outline never freezes the window.

The writer is atomic (evidence.verbatim.writer): a failed export leaves any file already at
that path as it was; its ExportError says what the user can do, and is shown as it is.
"""

from __future__ import annotations

import copy
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.jobs import Report
from desktop.jobs import Job, JobRegistry
from evidence.cards.card import Analytic, Card, CardDocument, Heading, walk
from evidence.verbatim.writer import ExportOptions, write_docx

# Word's highlight menu names for the values w:highlight takes; None keeps each span's own.
HIGHLIGHTS: list[tuple[str, str | None]] = [
    ("Keep each card's colours", None),
    ("Yellow", "yellow"),
    ("Turquoise", "cyan"),
    ("Bright green", "green"),
    ("Pink", "magenta"),
    ("Gray 25%", "lightGray"),
]


def summary(doc: CardDocument) -> str:
    nodes = walk(doc.nodes)
    cards = sum(isinstance(n, Card) for n in nodes)
    analytics = sum(isinstance(n, Analytic) for n in nodes)
    headings = sum(isinstance(n, Heading) for n in nodes)
    return f"{cards} cards, {analytics} analytics, {headings} headings"


class ExportDialog(QDialog):
    def __init__(
        self, what: str, path: Path, options: ExportOptions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export to Word")
        self.highlight = QComboBox()
        for label, value in HIGHLIGHTS:
            self.highlight.addItem(label, value)
        self.highlight.setCurrentIndex(max(0, self.highlight.findData(options.highlight_color)))
        self.shrink = QCheckBox("Shrink text that is not underlined (8 pt)")
        self.shrink.setChecked(options.shrink)
        self.condense = QCheckBox("Condense each card body into one paragraph")
        self.condense.setChecked(options.condense)
        self.analytics = QCheckBox("Include analytics")
        self.analytics.setChecked(options.include_analytics)
        self.file = QLineEdit(str(path))
        self.file.textChanged.connect(self._update)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("Highlight:", self.highlight)
        form.addRow("", self.shrink)
        form.addRow("", self.condense)
        form.addRow("", self.analytics)
        form.addRow("Save as:", file_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.summary_label = QLabel(what)
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._update()

    def options(self) -> ExportOptions:
        return ExportOptions(
            highlight_color=self.highlight.currentData(),
            shrink=self.shrink.isChecked(),
            condense=self.condense.isChecked(),
            include_analytics=self.analytics.isChecked(),
        )

    def path(self) -> Path:
        path = Path(self.file.text().strip()).expanduser()
        return path if path.suffix.lower() == ".docx" else path.with_name(path.name + ".docx")

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.file.text().strip()))

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export to Word", self.file.text(), "Word documents (*.docx)"
        )
        if chosen:
            self.file.setText(chosen)


def _write(doc: CardDocument, path: Path, options: ExportOptions, report: Report,
           cancelled: object) -> Path:  # fmt: skip
    write_docx(doc, path, options)
    return path


class OutlineExporter(QObject):
    """File → Export: ask, write in a Job, report in the status bar or a message box."""

    message = Signal(str, int)  # status bar text and timeout (ms, 0: until replaced)
    exported = Signal(object)  # the Path written

    def __init__(self, jobs: JobRegistry, window: QWidget) -> None:
        super().__init__(window)
        self.jobs, self.window = jobs, window
        self.dialog: ExportDialog | None = None
        self.box: QMessageBox | None = None  # the last message shown (tests read it)
        self._job: Job | None = None
        self._doc = CardDocument()
        self._options = ExportOptions()
        docs = Path.home() / "Documents"
        self._folder = docs if docs.is_dir() else Path.home()

    def start(self, doc: CardDocument, what: str = "the outline") -> None:
        """Open the dialog for a snapshot of `doc` (later edits do not change this export)."""
        if self._job is not None and self._job.is_running():
            self.message.emit("An export is already running", 5000)
            return
        if not doc.nodes:
            self._show(QMessageBox.Icon.Information, "Nothing to export",
                       f"Nothing to export: {what} is empty. Open a document, or send cards "
                       "to one from search, the card editor or the Assistant first.")  # fmt: skip
            return
        self._doc = copy.deepcopy(doc)
        name = (doc.title or "Outline").strip().replace("/", "-") + ".docx"
        self.dialog = ExportDialog(
            f"Export {what}: {summary(doc)}.", self._folder / name, self._options, self.window
        )
        self.dialog.accepted.connect(self._on_accepted)
        self.dialog.open()

    def _on_accepted(self) -> None:
        assert self.dialog is not None
        path, options = self.dialog.path(), self.dialog.options()
        self._options, self._folder = options, path.parent
        job = Job(f"Export {path.name}", partial(_write, self._doc, path, options), user_work=True)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        self._job = job
        self.jobs.start(job)
        self.message.emit(f"Exporting to {path}…", 0)

    def _on_finished(self, path: object) -> None:
        self.message.emit(f"Exported {len(self._doc.cards())} cards to {path}", 0)
        self.exported.emit(path)

    def _on_failed(self, text: str) -> None:
        self.message.emit("Export failed", 5000)
        self._show(QMessageBox.Icon.Warning, "Export failed",
                   f"{text}\n\nNothing already on disk was changed.")  # fmt: skip

    def _show(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        # Window-modal but not blocking (open, not exec): the job signals keep flowing.
        self.box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.window)
        self.box.open()

    def is_running(self) -> bool:
        return self._job is not None and self._job.is_running()
