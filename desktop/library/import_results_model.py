"""Per-file results of imports: status, file, and what happened (or why it failed).

A folder can hold thousands of files, so results arrive in batches (`append`) and each batch
is one beginInsertRows; the model never resets while rows are streaming in."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from desktop.row_table import AnyIndex, RowTableModel
from evidence.importing.events import FileResult, FileStatus

COLUMNS = ("Status", "File", "Details")
FAILED_ROLE = Qt.ItemDataRole.UserRole  # True for a failed file (the failures-only filter)
LABELS = {
    FileStatus.IMPORTED: "imported",
    FileStatus.REPLACED: "replaced",
    FileStatus.UNCHANGED: "unchanged",
    FileStatus.DUPLICATE: "duplicate",
    FileStatus.SKIPPED: "skipped",
    FileStatus.FAILED: "FAILED",
}


def detail_text(ev: FileResult) -> str:
    """The command line's words for the file (with the singular right)."""
    if ev.status == FileStatus.FAILED:
        return ev.reason
    detail = f"{ev.passages} passage{'' if ev.passages == 1 else 's'}" if ev.passages else ""
    if ev.cards:
        detail = f"{ev.cards} cards, {ev.passages - ev.cards} analytics (Verbatim)"
        if ev.flagged:
            detail += f", {ev.flagged} with highlight problems"
    if ev.status in (FileStatus.DUPLICATE, FileStatus.SKIPPED):
        return ev.reason
    if ev.reason:
        detail += f" (warning: {ev.reason})"
    return detail


def problem_color() -> QColor:
    # Readable on both palettes: a dark red on light backgrounds, a light red on dark ones.
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return QColor(255, 120, 110) if base.lightness() < 128 else QColor(176, 0, 32)


class ImportResultsModel(RowTableModel[FileResult]):
    columns = COLUMNS

    def append(self, results: Sequence[FileResult]) -> None:
        if not results:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(results) - 1)
        self._rows.extend(results)
        self.endInsertRows()

    def clear(self) -> None:
        if self._rows:
            self.beginResetModel()
            self._rows = []
            self.endResetModel()

    def result_at(self, row: int) -> FileResult:
        return self._rows[row]

    def results(self) -> list[FileResult]:
        return list(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        ev, col = self._row(index), index.column()
        if ev is None:
            return None
        failed = ev.status == FileStatus.FAILED
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return LABELS.get(ev.status, str(ev.status))
            if col == 1:  # a file's name; a web page's whole address (its name says little)
                return (
                    ev.path
                    if ev.path.startswith(("http://", "https://"))
                    else (PurePath(ev.path).name)
                )
            return detail_text(ev)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{ev.path}\n{detail_text(ev)}".rstrip()
        if role == FAILED_ROLE:
            return failed
        if role == Qt.ItemDataRole.ForegroundRole and failed:
            return QBrush(problem_color())
        if role == Qt.ItemDataRole.FontRole and failed and col == 0:
            font = QFont()
            font.setBold(True)
            return font
        return None
