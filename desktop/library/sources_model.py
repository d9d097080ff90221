"""The library's sources as a table: cite fields, passages and how many have vectors.

Rows are replaced as a whole from a snapshot read off the GUI thread; sorting and filtering
go through a QSortFilterProxyModel that reads SORT_ROLE (numbers sort as numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from PySide6.QtCore import Qt

from desktop.row_table import RIGHT, AnyIndex, RowTableModel
from evidence.index.records import SourceRecord

SORT_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Title", "Authors", "Date", "Kind", "Passages", "Embedded")
NUMERIC = frozenset({4, 5})


class SourcesModel(RowTableModel[SourceRecord]):
    columns = COLUMNS
    right_aligned = NUMERIC

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

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        rec, col = self._row(index), index.column()
        if rec is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(rec, col)
        if role == SORT_ROLE:
            return _sort_key(rec, col)
        if role == ID_ROLE:
            return rec.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(rec)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in NUMERIC:
            return RIGHT
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
