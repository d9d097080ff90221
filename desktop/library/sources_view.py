"""The sources table: filter, sort by any column, Remove (button or Delete key)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.library.sources_model import COLUMNS, ID_ROLE, SORT_ROLE, SourcesModel
from evidence.index.records import SourceRecord


class _Table(QTableView):
    delete_pressed = Signal()
    MIN_TITLE = 150  # below this the title scrolls sideways instead of shrinking to "San…"

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_title()

    def fit_title(self) -> None:
        header = self.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(1, header.count()))
        header.resizeSection(0, max(self.MIN_TITLE, self.viewport().width() - others))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class SourcesView(QWidget):
    remove_requested = Signal(list)  # list[SourceRecord]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SourcesModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter sources by title, author, date…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.remove_button = QPushButton("Remove…")
        self.remove_button.setToolTip("Remove the selected sources from the library (Delete)")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._request_remove)
        self.table = _Table()
        self.table.setObjectName("SourcesView")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        # Widths from the font, with room for the sort arrow: the dock is often narrow.
        metrics, pad = self.table.fontMetrics(), 16
        for col, sample in ((1, "Roush et al."), (2, "2020-11-01"), (3, "DOCX")):
            header.resizeSection(col, metrics.horizontalAdvance(sample) + pad)
        for col in (4, 5):
            header.resizeSection(col, metrics.horizontalAdvance(COLUMNS[col]) + pad)
        self.table.delete_pressed.connect(self._request_remove)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter, 1)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

    def set_sources(self, sources: list[SourceRecord]) -> None:
        """Replace the rows, keeping the selection (by source id) across the reset."""
        keep = {r.id for r in self.selected()}
        self.model.set_sources(sources)
        self.select_ids(keep)
        self._selection_changed()

    def selected(self) -> list[SourceRecord]:
        rows = {self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()}
        return [self.model.source_at(r) for r in sorted(rows)]

    def select_ids(self, ids: set[int]) -> None:
        self.table.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ID_ROLE) in ids:
                self.table.selectionModel().select(index, flags)

    def _selection_changed(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def _request_remove(self) -> None:
        chosen = self.selected()
        if chosen:
            self.remove_requested.emit(chosen)
