"""The model manager's table: one row per catalog model or installed file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont

from agents.models import Verdict
from app.model_rows import ModelRow, size_text
from desktop.library.import_results_model import problem_color
from desktop.row_table import RIGHT, AnyIndex, RowTableModel

COLUMNS = ("Model", "Size", "Quant.", "Licence", "On this computer", "Status")


class ModelsTableModel(RowTableModel[ModelRow]):
    columns = COLUMNS

    def set_rows(self, rows: list[ModelRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ModelRow:
        return self._rows[row]

    def row_of(self, name: str) -> int:
        return next((i for i, r in enumerate(self._rows) if r.name == name), -1)

    def rows(self) -> list[ModelRow]:
        return list(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row, col = self._row(index), index.column()
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 4 and row.fit is not None:
                return row.fit.explanation
            return row.note or None
        if role == Qt.ItemDataRole.FontRole and row.active:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and col == 4 and row.fit is not None:
            return problem_color() if row.fit.verdict is Verdict.TOO_BIG else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return RIGHT
        return None

    @staticmethod
    def _text(row: ModelRow, col: int) -> str:
        if col == 0:
            return row.title
        if col == 1:
            return size_text(row.size_bytes) if row.size_bytes else "—"
        if col == 2:
            return row.quantization or "—"
        if col == 3:
            return row.licence or "—"
        if col == 4:
            return str(row.fit.verdict) if row.fit is not None else "unknown"
        return row.shown_status
