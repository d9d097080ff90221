"""Per-file results of the imports since the panel was last idle: a summary line, a
"failures only" filter, and the table (failures in red, the reason in full)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
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
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ImportResultsModel(self)
        self._counts: Counter[str] = Counter()
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
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.summary, 1)
        top.addWidget(self.failures_only, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)

    def clear(self) -> None:
        self.model.clear()
        self.detail.hide()
        self._counts.clear()

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
