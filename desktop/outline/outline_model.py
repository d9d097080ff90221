"""The outline (a CardDocument) as a Qt tree model: Pocket/Hat/Block headings, cards and
analytics; rename, insert, remove, and internal drag-and-drop moves.

Rules of the tree (Verbatim's outline): cards and analytics have no children, and a heading
only goes under a heading of a higher level (a Block under a Hat or a Pocket, a Hat under a
Pocket), or at the top level. Every index's internal id is `id(node)`; the node, its parent
and its row are looked up in `_info`, which is rebuilt after each change of structure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from desktop.outline.outline_nodes import LEVEL_NAMES, can_hold, node_font, node_label
from evidence.cards.card import Card, CardDocument, Heading, Node, walk

MIME_TYPE = "application/x-debate-prep-outline-nodes"
NODE_ROLE = Qt.ItemDataRole.UserRole + 1  # the Node itself

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class OutlineModel(QAbstractItemModel):
    def __init__(self, doc: CardDocument | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._doc = doc or CardDocument()
        self._info: dict[int, tuple[Node, Heading | None, int]] = {}
        self._reindex()

    # -- lookups ---------------------------------------------------------------------------------

    def document(self) -> CardDocument:
        return self._doc

    def set_document(self, doc: CardDocument) -> None:
        self.beginResetModel()
        self._doc = doc
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        info: dict[int, tuple[Node, Heading | None, int]] = {}

        def visit(parent: Heading | None, children: list[Node]) -> None:
            for row, child in enumerate(children):
                info[id(child)] = (child, parent, row)
                if isinstance(child, Heading):
                    visit(child, child.children)

        visit(None, self._doc.nodes)
        self._info = info

    def _children(self, parent: Heading | None) -> list[Node]:
        return self._doc.nodes if parent is None else parent.children

    def node(self, index: Index) -> Node | None:
        if not index.isValid():
            return None
        entry = self._info.get(index.internalId())
        return entry[0] if entry else None

    def index_of(self, node: Node | None) -> QModelIndex:
        if node is None or id(node) not in self._info:
            return QModelIndex()
        _, _, row = self._info[id(node)]
        return self.createIndex(row, 0, id(node))

    def parent_node(self, node: Node) -> Heading | None:
        return self._info[id(node)][1]

    # -- the read-only interface -----------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = _ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        holder = self.node(parent) if parent.isValid() else None
        if parent.isValid() and not isinstance(holder, Heading):
            return QModelIndex()
        children = self._children(holder)  # type: ignore[arg-type]
        if row >= len(children):
            return QModelIndex()
        return self.createIndex(row, 0, id(children[row]))

    def parent(self, index: Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        node = self.node(index)
        if node is None:
            return QModelIndex()
        return self.index_of(self._info[id(node)][1])

    def rowCount(self, parent: Index = _ROOT) -> int:
        if parent.column() > 0:
            return 0
        if not parent.isValid():
            return len(self._doc.nodes)
        node = self.node(parent)
        return len(node.children) if isinstance(node, Heading) else 0

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self.node(index)
        if node is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return node_label(node)
        if role == Qt.ItemDataRole.EditRole:
            return node.title if isinstance(node, Heading) else node.tag
        if role == Qt.ItemDataRole.ToolTipRole:
            if isinstance(node, Card):
                return "\n".join(t for t in (node.tag, node.short_cite, node.full_cite) if t)
            if isinstance(node, Heading):
                return LEVEL_NAMES.get(node.level)
            return node.text or None
        if role == Qt.ItemDataRole.FontRole:
            return node_font(node)
        if role == NODE_ROLE:
            return node
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        node = self.node(index)
        if node is None:
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemIsDragEnabled
        )
        if isinstance(node, Heading):
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        else:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    # -- editing ---------------------------------------------------------------------------------

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        node = self.node(index)
        if node is None or role != Qt.ItemDataRole.EditRole or not isinstance(value, str):
            return False
        text = " ".join(value.split())  # a title or tag is one line
        if not text:
            return False
        if isinstance(node, Heading):
            node.title = text
        else:
            node.tag = text
        self.dataChanged.emit(index, index)
        return True

    def insert_nodes(self, nodes: Sequence[Node], parent: Node | None, row: int = -1) -> bool:
        """Insert `nodes` (new objects, not already in the tree) under `parent` at `row`
        (-1: at the end); False when the outline's rules forbid it."""
        if not nodes or not all(can_hold(parent, n) for n in nodes):
            return False
        if any(id(n) in self._info for n in walk(list(nodes))):
            raise ValueError("a node can be in the outline only once")
        children = self._children(parent)  # type: ignore[arg-type]
        row = len(children) if row < 0 or row > len(children) else row
        self.beginInsertRows(self.index_of(parent), row, row + len(nodes) - 1)
        children[row:row] = list(nodes)
        self._reindex()
        self.endInsertRows()
        return True

    def removeRows(self, row: int, count: int, parent: Index = _ROOT) -> bool:
        holder = self.node(parent) if parent.isValid() else None
        if parent.isValid() and not isinstance(holder, Heading):
            return False
        children = self._children(holder)  # type: ignore[arg-type]
        if row < 0 or count <= 0 or row + count > len(children):
            return False
        self.beginRemoveRows(parent, row, row + count - 1)
        del children[row : row + count]
        self._reindex()
        self.endRemoveRows()
        return True

    def remove_nodes(self, nodes: Sequence[Node]) -> None:
        for node in top_most(self, nodes):
            if id(node) in self._info:
                index = self.index_of(node)
                self.removeRows(index.row(), 1, index.parent())

    def move_nodes(self, nodes: Sequence[Node], parent: Node | None, row: int = -1) -> bool:
        """Move `nodes` (document order kept) under `parent` before `row` (-1: at the end);
        False, with nothing changed, when any move would break the outline's rules."""
        moving = top_most(self, nodes)
        if not moving or not all(self._can_move(n, parent) for n in moving):
            return False
        children = self._children(parent)  # type: ignore[arg-type]
        dest = len(children) if row < 0 or row > len(children) else row
        for node in moving:
            _, source, src_row = self._info[id(node)]
            same = source is parent
            if not self.beginMoveRows(
                self.index_of(source), src_row, src_row, self.index_of(parent), dest
            ):
                dest = src_row + 1  # already there: the next node goes after it
                continue
            del self._children(source)[src_row]
            if same and src_row < dest:
                dest -= 1
            children.insert(dest, node)
            dest += 1
            self._reindex()
            self.endMoveRows()
        return True

    def _can_move(self, node: Node, parent: Node | None) -> bool:
        if not can_hold(parent, node):
            return False
        # Not into itself or its own subtree.
        ancestor: Node | None = parent
        while ancestor is not None:
            if ancestor is node:
                return False
            ancestor = self._info[id(ancestor)][1]
        return True

    # -- drag and drop (moves inside this model only) --------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        nodes = [n for n in (self.node(i) for i in indexes) if n is not None]
        payload = {"model": id(self), "nodes": [id(n) for n in top_most(self, nodes)]}
        mime = QMimeData()
        mime.setData(MIME_TYPE, QByteArray(json.dumps(payload).encode()))
        return mime

    def _dragged(self, data: QMimeData) -> list[Node] | None:
        if not data.hasFormat(MIME_TYPE):
            return None
        try:
            payload = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
        except ValueError:
            return None
        if payload.get("model") != id(self):
            return None  # from another outline: its ids mean nothing here
        found = [self._info[k][0] for k in payload.get("nodes", []) if k in self._info]
        return found or None

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        nodes = self._dragged(data)
        if nodes is None or action != Qt.DropAction.MoveAction:
            return False
        target = self.node(parent) if parent.isValid() else None
        return all(self._can_move(n, target) for n in nodes)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """Moves the nodes itself: the view must not remove the source rows afterwards
        (OutlineTree.startDrag ignores the drag's result)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        nodes = self._dragged(data) or []
        target = self.node(parent) if parent.isValid() else None
        return self.move_nodes(nodes, target, row)


def top_most(model: OutlineModel, nodes: Sequence[Node]) -> list[Node]:
    """`nodes` less those inside another of them, in document order, without repeats."""
    chosen = {id(n) for n in nodes}
    order = {id(n): i for i, n in enumerate(walk(model.document().nodes))}
    out: list[Node] = []
    for node in sorted({id(n): n for n in nodes if id(n) in order}.values(),
                       key=lambda n: order[id(n)]):  # fmt: skip
        ancestor = model.parent_node(node)
        while ancestor is not None and id(ancestor) not in chosen:
            ancestor = model.parent_node(ancestor)
        if ancestor is None:
            out.append(node)
    return out
