"""Per-file results of the imports since the panel was last idle: a summary line, a
"failures only" filter, and the table (failures in red, the reason in full)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.library.flagged_cards import flagged_text
from desktop.library.import_results_model import (
    FAILED_ROLE,
    ImportResultsModel,
    detail_text,
    problem_color,
)
from evidence.importing.events import FileResult, FileStatus


def mark_problem(label: QLabel, problem: bool) -> None:
    """Failure red that reads on the light and the dark palette; normal text otherwise."""
    palette = label.palette()
    color = (
        problem_color()
        if problem
        else QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    )
    palette.setColor(QPalette.ColorRole.WindowText, color)
    label.setPalette(palette)


class ImportResults(QWidget):
    show_flagged = Signal()  # the "N cards have highlight problems" line was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ImportResultsModel(self)
        self._counts: Counter[str] = Counter()
        self._flagged = 0
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(FAILED_ROLE)
        self.proxy.setFilterKeyColumn(0)
        self.summary = QLabel("No imports yet")
        self.summary.setObjectName("ImportSummary")
        self.summary.setWordWrap(True)
        self.failures_only = QCheckBox("Failures only")
        self.failures_only.toggled.connect(self._filter)
        self.view = QTableView()
        self.view.setObjectName("ImportResultsView")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 150)
        header.setStretchLastSection(True)
        self.detail = QLabel()
        self.detail.setObjectName("ImportResultDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)
        # The imported cards the highlight checker flagged: a link that lists them.
        self.flagged_link = QLabel()
        self.flagged_link.setObjectName("HighlightFindingsLink")
        self.flagged_link.setTextFormat(Qt.TextFormat.RichText)
        self.flagged_link.setToolTip("List them; open one to see its problems marked")
        self.flagged_link.linkActivated.connect(lambda _href: self.show_flagged.emit())
        self.flagged_link.hide()
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.summary, 1)
        top.addWidget(self.failures_only, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.flagged_link)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)

    def clear(self) -> None:
        self.model.clear()
        self.detail.hide()
        self._counts.clear()
        self.set_flagged(0)

    def add(self, results: Sequence[FileResult]) -> None:
        self.model.append(results)
        self._counts.update(str(r.status) for r in results)
        # Keep the newest row in sight unless the user scrolled up to read something.
        bar = self.view.verticalScrollBar()
        if bar.value() >= bar.maximum() - 2 * self.view.verticalHeader().defaultSectionSize():
            self.view.scrollToBottom()

    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    def counts_text(self) -> str:
        """ "3 imported, 1 failed" (the command line's summary words)."""
        return ", ".join(f"{n} {k}" for k, n in sorted(self._counts.items())) or "no files"

    def flagged(self) -> int:
        return self._flagged

    def set_flagged(self, n: int) -> None:
        """Show (n > 0) or hide the line that lists the imported cards with highlight
        problems (counted once at import, evidence/cards/flagged.py)."""
        self._flagged = n
        self.flagged_link.setText(
            f"⚠ {flagged_text(n)}: <a href='#flagged'>show them</a>" if n else ""
        )
        self.flagged_link.setVisible(n > 0)

    def set_summary(self, text: str, *, problem: bool = False) -> None:
        self.summary.setText(text)
        mark_problem(self.summary, problem)
        failed = self._counts.get(FileStatus.FAILED, 0) > 0
        self.failures_only.setEnabled(failed or self.failures_only.isChecked())

    def _show_detail(self, current: QModelIndex) -> None:
        """The whole path and reason of the chosen row: the table elides long ones."""
        if not current.isValid():
            self.detail.hide()
            return
        ev = self.model.result_at(self.proxy.mapToSource(current).row())
        self.detail.setText(f"{ev.path}\n{ev.status}: {detail_text(ev) or 'no details'}")
        mark_problem(self.detail, ev.status == FileStatus.FAILED)
        self.detail.show()

    def _filter(self, on: bool) -> None:
        self.proxy.setFilterFixedString("true" if on else "")
