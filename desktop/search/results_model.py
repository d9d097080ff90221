"""Search results as a list model: one row per hit (source, page, marked snippet).

DisplayRole is plain text (accessibility, copying, tests); HTML_ROLE is the same as rich text
with the matched words marked, which the results delegate draws; the tooltip gives the
keyword and meaning ranks behind the hybrid score."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.search import ResultItem
from evidence.index.search import SearchHit

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the ResultItem
HTML_ROLE = Qt.ItemDataRole.UserRole + 2
AnyIndex = QModelIndex | QPersistentModelIndex
# Marked words: bold on a light yellow, always with black text so they read in both themes.
MARK_STYLE = "font-weight:bold;background-color:#ffe45c;color:#000000"
# A team hit's sharer: a blue tag, readable in both themes.
TEAM_STYLE = "font-weight:bold;background-color:#cfe3ff;color:#0b3d91"


def where(hit: SearchHit) -> str:
    page = f" · p. {hit.page}" if hit.page else ""
    return f"{hit.source_title}{page}"


def marked_html(snippet: str, marks: Sequence[tuple[int, int]]) -> str:
    out: list[str] = []
    pos = 0
    for start, end in sorted(marks):
        if start < pos:
            continue
        out.append(html.escape(snippet[pos:start]))
        out.append(f'<span style="{MARK_STYLE}">{html.escape(snippet[start:end])}</span>')
        pos = end
    out.append(html.escape(snippet[pos:]))
    return "".join(out)


def ranks_text(hit: SearchHit) -> str:
    lexical = f"#{hit.lexical_rank}" if hit.lexical_rank else "—"
    vector = f"#{hit.vector_rank}" if hit.vector_rank else "—"
    return (
        f"Keyword rank {lexical} · meaning rank {vector} · score {hit.score:.4f}\n"
        f"{PurePath(hit.origin).name}"
    )


class ResultsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ResultItem] = []

    def set_items(self, items: Sequence[ResultItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> ResultItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        hit = item.hit
        team = f" · team: shared by {item.shared_by}" if item.shared_by else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{where(hit)}{team}\n{hit.snippet}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.shared_by:
                return f"From the team library, shared by {item.shared_by}"
            kind = "imported card" if item.imported else "passage (Enter makes a new card)"
            return f"{ranks_text(hit)} · {kind}"
        if role == HTML_ROLE:
            card = " · card" if item.imported else ""
            if item.shared_by:
                card += (
                    f' · <span style="{TEAM_STYLE}">shared by {html.escape(item.shared_by)}</span>'
                )
            return (
                f"<b>{html.escape(where(hit))}</b><small>{card}</small><br>"
                f"{marked_html(hit.snippet, hit.marks)}"
            )
        if role == ITEM_ROLE:
            return item
        return None
