"""The navigation pane: the Pocket/Hat/Block/Tag tree of a document, as Verbatim shows it.

`NavModel` scans the heading blocks again only when the outline may have changed (a
paragraph added or removed, a heading or tag edited or restyled), on a short debounce, so
typing in a card body never rescans a 3,000-card file. Clicking an entry asks for a jump;
dropping one asks for a move (`move_requested(source block, before block)`: an invalid
"before" is the end of the document), which the editor does as one undo step.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QTextBlock, QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from desktop.documents import roles as r
from desktop.documents import units
from evidence.cards.card import Level

_MIME = "application/x-debate-prep-nav"
REFRESH_MS = 400
Index = QModelIndex | QPersistentModelIndex
_TOP = QModelIndex()  # Qt's default parent: the invisible root


@dataclass(eq=False)
class NavItem:
    role: int  # a Level (0 for the invisible root)
    title: str
    block: QTextBlock
    parent: NavItem | None = None
    children: list[NavItem] = field(default_factory=list)

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


def scan(qdoc: QTextDocument) -> NavItem:
    """The tree of heading and tag paragraphs, nested by level as the document nests them."""
    root = NavItem(0, "", QTextBlock())
    stack = [root]
    block = qdoc.begin()
    while block.isValid():
        role = r.role_of(block)
        if role != r.BODY and role != r.CITE:
            while stack[-1] is not root and stack[-1].role >= role:
                stack.pop()
            item = NavItem(role, r.block_text(block), block, stack[-1])
            stack[-1].children.append(item)
            if role != r.TAG:
                stack.append(item)
        block = block.next()
    return root


def _outline(item: NavItem) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []
    for child in item.children:
        out.append((child.role, child.title, len(child.children)))
        out.extend(_outline(child))
    return out


class NavModel(QAbstractItemModel):
    move_requested = Signal(QTextBlock, QTextBlock)

    def __init__(self, qdoc: QTextDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._root = NavItem(0, "", QTextBlock())
        self._flat: list[NavItem] = []  # every entry in document order
        self._qdoc = qdoc
        self._block_count = -1
        self._dirty = True
        self._connected = False
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh_if_dirty)
        self.set_document(qdoc)

    def set_document(self, qdoc: QTextDocument) -> None:
        if self._connected:
            self._qdoc.contentsChange.disconnect(self._changed)
        self._qdoc = qdoc
        self._connected = True
        qdoc.contentsChange.connect(self._changed)
        self.refresh()

    def _changed(self, pos: int, removed: int, added: int) -> None:
        """Typing in a body paragraph leaves the outline alone; anything else may not."""
        if not self._dirty:
            same_blocks = self._qdoc.blockCount() == self._block_count
            in_body = r.role_of(self._qdoc.findBlock(pos)) in (r.BODY, r.CITE)
            self._dirty = not (same_blocks and in_body and removed != added)
        if self._dirty:
            self._timer.start()

    def mark_dirty(self) -> None:
        self._dirty = True
        self._timer.start()

    def refresh_if_dirty(self) -> None:
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        root = scan(self._qdoc)
        self._block_count = self._qdoc.blockCount()
        self._dirty = False
        if _outline(root) == _outline(self._root):
            _rebind(self._root, root)  # same outline: keep the view's expansion and selection
            return
        self.beginResetModel()
        self._root = root
        self._flat = _flatten(root)
        self.endResetModel()

    def heading_path(self, block_number: int) -> list[str] | None:
        """Titles of the Pocket/Hat/Block above block `block_number`, from the tree (a few
        steps, not a walk back through the document); None while the tree may be stale."""
        if self._dirty:
            return None
        index = self.index_at(block_number)
        item = self.item(index) if index.isValid() else None
        path: list[str] = []
        while item is not None and item is not self._root:
            if r.is_heading(item.role):
                path.append(item.title)
            item = item.parent
        return path[::-1]

    def index_at(self, block_number: int) -> QModelIndex:
        """The entry whose part of the document holds block `block_number` (the nearest
        heading or tag at or above it)."""
        flat = self._flat
        at = bisect_right(range(len(flat)), block_number, key=lambda i: flat[i].block.blockNumber())
        if at == 0:
            return QModelIndex()
        item = flat[at - 1]
        return self.createIndex(item.row(), 0, item)

    def item(self, index: Index) -> NavItem:
        return index.internalPointer() if index.isValid() else self._root

    def root_item(self) -> NavItem:
        return self._root

    # -- QAbstractItemModel ---------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = _TOP) -> QModelIndex:
        owner = self.item(parent)
        if column != 0 or not 0 <= row < len(owner.children):
            return QModelIndex()
        return self.createIndex(row, 0, owner.children[row])

    def parent(self, index: Index = _TOP) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        up = self.item(index).parent
        if up is None or up is self._root:
            return QModelIndex()
        return self.createIndex(up.row(), 0, up)

    def rowCount(self, parent: Index = _TOP) -> int:
        return len(self.item(parent).children)

    def columnCount(self, parent: Index = _TOP) -> int:
        return 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self.item(index)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return item.title or "(untitled)"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(item.role != int(Level.TAG))
            return font
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return (
            base
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
        )

    # -- drag and drop: the model only asks; the editor moves the text -------------------------

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        data = QMimeData()
        if indexes:
            path = _path_of(self.item(indexes[0]))
            data.setData(_MIME, QByteArray(",".join(map(str, path)).encode()))
        return data

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action != Qt.DropAction.MoveAction or not data.hasFormat(_MIME):
            return False
        raw = bytes(data.data(_MIME).data()).decode()
        source = _item_at(self._root, [int(p) for p in raw.split(",") if p])
        if source is None or source is self._root:
            return False
        owner = self.item(parent)
        if row < 0 and owner is not self._root:
            before = units.subtree_stop(owner.block)  # dropped on an entry: at its end
        elif 0 <= row < len(owner.children):
            before = owner.children[row].block
        elif owner is self._root:
            before = QTextBlock()  # the end of the document
        else:
            before = units.subtree_stop(owner.block)
        src_block = source.block
        # Moved after the drop returns: the view must not remove rows itself.
        QTimer.singleShot(0, lambda: self.move_requested.emit(src_block, before))
        return False


def _path_of(item: NavItem) -> list[int]:
    path: list[int] = []
    while item.parent is not None:
        path.append(item.row())
        item = item.parent
    return path[::-1]


def _item_at(root: NavItem, path: list[int]) -> NavItem | None:
    item = root
    for row in path:
        if not 0 <= row < len(item.children):
            return None
        item = item.children[row]
    return item


def _flatten(item: NavItem) -> list[NavItem]:
    out: list[NavItem] = []
    for child in item.children:
        out.append(child)
        out.extend(_flatten(child))
    return out


def _rebind(old: NavItem, new: NavItem) -> None:
    old.block = new.block
    for a, b in zip(old.children, new.children, strict=True):
        _rebind(a, b)


class NavPane(QTreeView):
    """The tree; `jump_requested(position)` when an entry is clicked."""

    jump_requested = Signal(int)

    def __init__(self, model: NavModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.nav_model = model
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setExpandsOnDoubleClick(True)
        self.clicked.connect(self._clicked)
        model.modelReset.connect(self._expand)
        self._expand()

    def _expand(self) -> None:
        self.expandToDepth(1)  # Pockets and Hats open; a Block's cards on demand

    def follow(self, block_number: int) -> None:
        """Select the entry the cursor is under (or its nearest shown ancestor)."""
        index = self.nav_model.index_at(block_number)
        while index.parent().isValid() and not self.isExpanded(index.parent()):
            index = index.parent()
        if index.isValid() and index != self.currentIndex():
            self.setCurrentIndex(index)
            self.scrollTo(index)

    def _clicked(self, index: QModelIndex) -> None:
        item = self.nav_model.item(index)
        if item.block.isValid():
            self.jump_requested.emit(item.block.position())
