"""Search results as a list model: one row per hit (a card's tag, short cite and place in its
file, or a passage's source and PDF page; then the marked snippet).

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
# Where a card sits (file ▸ pocket ▸ hat ▸ block): small italics in the row's own text colour,
# so it reads on a selected row and in both themes.
PLACE_STYLE = "font-style:italic"
# A team hit's sharer: a blue tag, readable in both themes.
TEAM_STYLE = "font-weight:bold;background-color:#cfe3ff;color:#0b3d91"


def heading(item: ResultItem) -> str:
    """A card's tag and short cite; a passage's source (and PDF page)."""
    if item.imported and item.card.tag:
        return " — ".join(x for x in (item.card.tag, item.card.short_cite) if x)
    return item.where()


def subline(item: ResultItem) -> str:
    """Under a card's tag: where it sits, and the other files holding it."""
    if not (item.imported and item.card.tag):
        return item.also_text()
    return " · ".join(x for x in (item.where(), item.also_text()) if x)


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
            under = subline(item)
            return f"{heading(item)}{team}\n" + (f"{under}\n" if under else "") + hit.snippet
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.shared_by:
                return f"From the team library, shared by {item.shared_by}"
            kind = "imported card" if item.imported else "passage (Enter makes a new card)"
            return f"{ranks_text(hit)} · {kind}"
        if role == HTML_ROLE:
            card = (" · analytic" if item.analytic else " · card") if item.imported else ""
            if item.shared_by:
                card += (
                    f' · <span style="{TEAM_STYLE}">shared by {html.escape(item.shared_by)}</span>'
                )
            under = subline(item)
            under_html = f'<br><small style="{PLACE_STYLE}">{html.escape(under)}</small>'
            return (
                f"<b>{html.escape(heading(item))}</b><small>{card}</small>"
                f"{under_html if under else ''}<br>{marked_html(hit.snippet, hit.marks)}"
            )
        if role == ITEM_ROLE:
            return item
        return None
