"""The library's sources as a table: cite fields, passages and how many have vectors.

Rows are replaced as a whole from a snapshot read off the GUI thread; sorting and filtering
go through a QSortFilterProxyModel that reads SORT_ROLE (numbers sort as numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from evidence.records import SourceRecord

SORT_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Title", "Authors", "Date", "Kind", "Passages", "Embedded")
NUMERIC = {4, 5}
AnyIndex = QModelIndex | QPersistentModelIndex


class SourcesModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[SourceRecord] = []

    # -- data --------------------------------------------------------------------------------

    def set_sources(self, sources: Sequence[SourceRecord]) -> None:
        self.beginResetModel()
        self._rows = list(sources)
        self.endResetModel()

    def source_at(self, row: int) -> SourceRecord:
        return self._rows[row]

    def row_of(self, source_id: int) -> int | None:
        for row, rec in enumerate(self._rows):
            if rec.id == source_id:
                return row
        return None

    # -- Qt ----------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        rec, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(rec, col)
        if role == SORT_ROLE:
            return _sort_key(rec, col)
        if role == ID_ROLE:
            return rec.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(rec)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _display(rec: SourceRecord, col: int) -> str:
    if col == 0:
        return rec.display_name
    if col == 1:
        return _authors(rec.authors)
    if col == 2:
        return rec.date or "n.d."
    if col == 3:
        kind = rec.kind.upper() if len(rec.kind) <= 4 else rec.kind.capitalize()
        return f"Web ({kind})" if rec.is_web else kind
    if col == 4:
        return f"{rec.passages:,}"
    if col == 5:
        return f"{rec.embedded:,}"
    return ""


def _sort_key(rec: SourceRecord, col: int) -> object:
    if col == 4:
        return rec.passages
    if col == 5:
        return rec.embedded
    if col == 2:
        return rec.date  # ISO-like dates sort as text; undated ones first
    return _display(rec, col).casefold()


def _authors(authors: Sequence[str]) -> str:
    if not authors:
        return ""
    if len(authors) > 2:
        return f"{authors[0]} et al."
    return " and ".join(authors)


def _tooltip(rec: SourceRecord) -> str:
    lines = [rec.display_name]
    if rec.authors:
        lines.append(", ".join(rec.authors))
    cite = ", ".join(p for p in (rec.publication, rec.date) if p)
    if cite:
        lines.append(cite)
    if rec.url:
        lines.append(rec.url)
    lines.append(f"File: {PurePath(rec.origin).name}")
    lines.append(
        f"{rec.word_count:,} words, {rec.passages:,} passages, {rec.embedded:,} with vectors"
    )
    lines.extend(f"Warning: {w}" for w in rec.warnings)
    return "\n".join(lines)
