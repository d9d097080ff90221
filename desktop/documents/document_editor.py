"""One document on screen: the navigation pane beside the rich text view.

The QTextDocument is the truth while editing (Qt's undo stack covers typing, every key and
every move); `card_document()` reads it back into a CardDocument when the window saves.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QTextBlock, QTextCursor, QTextDocument
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from desktop.documents import roles as r
from desktop.documents import units
from desktop.documents import verbatim_keys as keys
from desktop.documents.document_view import DocumentView
from desktop.documents.nav_pane import NavModel, NavPane
from desktop.documents.read_cache import ReadCache
from desktop.documents.rich_text import build_text_document, read_text_document
from evidence.cards.card import CardDocument, Node

READ_MODE_POINTS = 18.0  # read mode's body size; headings keep their proportions


class DocumentEditor(QWidget):
    modified_changed = Signal(bool)
    contents_changed = Signal()  # every edit (the window debounces autosave on it)
    cursor_unit_changed = Signal()  # the card or block under the cursor changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = ""
        self._read_mode = False
        self._unit_key: tuple[int, int] | None = None
        self.view = DocumentView()
        first = build_text_document(CardDocument())
        first.setParent(self)
        self.view.setDocument(first)  # the view deletes the document it made itself
        self.nav_model = NavModel(first, self)
        self.nav = NavPane(self.nav_model)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.view)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.nav.jump_requested.connect(self._jump)
        self.nav_model.move_requested.connect(self.move_unit)
        self.view.cursorPositionChanged.connect(self._cursor_moved)
        self._adopt(first)

    # -- the document --------------------------------------------------------------------------

    def load(self, doc: CardDocument) -> None:
        """Show `doc`; the undo history and the modified flag start here."""
        self._title = doc.title
        self._adopt(build_text_document(doc))

    def _adopt(self, qdoc: QTextDocument) -> None:
        old = self.view.document()
        qdoc.setParent(self)
        if self._read_mode:
            _set_base_size(qdoc, READ_MODE_POINTS)
        self.view.setDocument(qdoc)
        self.nav_model.set_document(qdoc)
        if old is not qdoc:
            old.modificationChanged.disconnect(self.modified_changed)
            old.contentsChanged.disconnect(self.contents_changed)
            # Freed now, while loading, rather than by deleteLater at some later event,
            # where freeing 16,000 blocks would land in the middle of the first keystrokes.
            old.setParent(None)
        qdoc.modificationChanged.connect(self.modified_changed)
        qdoc.contentsChanged.connect(self.contents_changed)
        self._cache = ReadCache(qdoc)
        self.view.moveCursor(QTextCursor.MoveOperation.Start)
        self._unit_key = None
        self._cursor_moved()

    def card_document(self) -> CardDocument:
        return read_text_document(self.view.document(), self._title, self._cache)

    def is_modified(self) -> bool:
        return self.view.document().isModified()

    def set_modified(self, flag: bool) -> None:
        self.view.document().setModified(flag)

    # -- units at the cursor -------------------------------------------------------------------

    def unit_under_cursor(self, kind: str = "card") -> list[Node]:
        """A copy of the card or analytic at the cursor ("card"), or of the Block heading with
        its children ("block"; the card when the cursor is under no Block)."""
        found = units.unit_range(self.view.textCursor().block(), kind)
        return copy.deepcopy(units.nodes_in(found)) if found else []

    def current_path(self) -> list[str]:
        block = self.view.textCursor().block()
        fast = self.nav_model.heading_path(block.blockNumber())
        return fast if fast is not None else units.heading_path(block)

    def insert_nodes(self, nodes: list[Node]) -> None:
        """Insert `nodes` after the card or paragraph at the cursor, as one undo step."""
        if not nodes:
            return
        block = self.view.textCursor().block()
        found = units.card_range(block)
        before = found[1] if found else block.next()
        cursor = QTextCursor(self.view.textCursor())
        cursor.beginEditBlock()
        units.insert_before(cursor, before, nodes)
        cursor.endEditBlock()
        self.view.setTextCursor(cursor)  # at the end of what came in: the next goes after it
        self.nav_model.mark_dirty()

    def insert_marker(self, text: str) -> None:
        cursor = self.view.textCursor()
        keys.insert_marker(cursor, text)
        self.view.setTextCursor(cursor)

    def move_unit(self, source: QTextBlock, before: QTextBlock) -> bool:
        """Move the heading (with everything under it) or the card at `source` in front of
        `before` (invalid: to the end), as one undo step. False when that is where it is."""
        qdoc = self.view.document()
        if not source.isValid():
            return False
        found = (source, units.subtree_stop(source))
        a = source.blockNumber()
        b = found[1].blockNumber() if found[1].isValid() else qdoc.blockCount()
        t = before.blockNumber() if before.isValid() else qdoc.blockCount()
        if a <= t <= b:
            return False
        nodes = units.nodes_in(found)
        cursor = QTextCursor(self.view.textCursor())
        cursor.beginEditBlock()
        if t > b:  # the later place first, so the earlier one's blocks stay where they are
            units.insert_before(cursor, before, nodes)
            units.remove_range(cursor, found)
        else:
            units.remove_range(cursor, found)
            units.insert_before(cursor, before, nodes)
        cursor.endEditBlock()
        self.nav_model.refresh()
        return True

    # -- modes ---------------------------------------------------------------------------------

    def set_read_only(self, flag: bool) -> None:
        self.view.setReadOnly(flag)
        self.nav.setDragEnabled(not flag)

    def set_read_mode(self, flag: bool) -> None:
        """Read-only with large type (every size is relative to the base font)."""
        self._read_mode = flag
        self.set_read_only(flag)
        _set_base_size(self.view.document(), READ_MODE_POINTS if flag else r.BASE_POINTS)

    def read_mode(self) -> bool:
        return self._read_mode

    # -- signals -------------------------------------------------------------------------------

    def _jump(self, position: int) -> None:
        self.view.move_cursor_to(position)
        self.view.setFocus()

    def _cursor_moved(self) -> None:
        block = self.view.textCursor().block()
        found = units.card_range(block)
        key = (found[0].blockNumber(), -1) if found else (block.blockNumber(), 0)
        if key != self._unit_key:
            self._unit_key = key
            self.nav.follow(block.blockNumber())
            self.cursor_unit_changed.emit()


def _set_base_size(qdoc: QTextDocument, points: float) -> None:
    font = QFont(qdoc.defaultFont())
    font.setPointSizeF(points)
    qdoc.setDefaultFont(font)
