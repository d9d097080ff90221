"""Case outline: the Pocket/Hat/Block/Tag tree of the document being built; add headings,
rename (F2), delete (Delete), move (Alt+Up/Down, or drag), and "send to speech" (add_card).

Saved automatically to the data dir (`outline.json`) half a second after each change and
when the app quits; an unreadable saved outline is kept aside and the user is told where.
"""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QToolBar, QVBoxLayout, QWidget

from app.context import AppContext
from desktop.outline.outline_model import OutlineModel, top_most
from desktop.outline.outline_nodes import LEVEL_NAMES
from desktop.outline.outline_tree import OutlineTree
from evidence.cards.card import Card, CardDocument, Heading, Level, Node, walk
from evidence.cards.outline_file import load_outline, save_outline

log = logging.getLogger(__name__)

AUTOSAVE_MS = 500


class OutlinePanel(QWidget):
    card_activated = Signal(object)  # a Card (a copy) double-clicked/Enter: open it in the editor

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, autosave_ms: int = AUTOSAVE_MS
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path = ctx.data_dir.root / "outline.json"
        loaded = load_outline(self.path)
        self.load_problem = loaded.problem
        # A broken file that could not be moved aside must not be overwritten by autosave.
        self._can_save = loaded.problem is None or loaded.moved_to is not None
        self._dirty = False
        self.model = OutlineModel(loaded.document, self)

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.setObjectName("OutlineNotice")
        self.notice.setStyleSheet(
            "#OutlineNotice { border: 1px solid palette(mid); padding: 4px; }"
        )
        self.notice.linkActivated.connect(self._dismiss_notice)
        self.notice.hide()

        self.tree = OutlineTree()
        self.tree.setModel(self.model)
        self.tree.expandAll()
        self.tree.open_requested.connect(self._on_activated)
        self.tree.delete_requested.connect(self.delete_selected)
        self.tree.move_requested.connect(self.move_current)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)

        self._actions = self._make_actions()
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for name in ("pocket", "hat", "block", None, "up", "down", "rename", "delete"):
            if name is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(self._actions[name])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(toolbar)
        layout.addWidget(self.notice)
        layout.addWidget(self.tree)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(autosave_ms)
        self._timer.timeout.connect(self.save)
        for signal in (self.model.dataChanged, self.model.rowsInserted, self.model.rowsRemoved,
                       self.model.rowsMoved, self.model.modelReset):  # fmt: skip
            signal.connect(self._changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.flush)
        if loaded.problem:
            self._show_notice(loaded.problem)

    def _make_actions(self) -> dict[str, QAction]:
        def action(text: str, tip: str, slot: Callable[[], None]) -> QAction:
            act = QAction(text, self)
            act.setToolTip(tip)
            act.triggered.connect(slot)
            return act

        return {
            "pocket": action("+ Pocket", "Add a Pocket (speech or file section)", self.add_pocket),
            "hat": action("+ Hat", "Add a Hat (argument group)", self.add_hat),
            "block": action("+ Block", "Add a Block (one argument's cards)", self.add_block),
            "up": action("▲", "Move up (Alt+Up)", self.move_up),
            "down": action("▼", "Move down (Alt+Down)", self.move_down),
            "rename": action("Rename", "Rename the heading or tag (F2)", self.rename_current),
            "delete": action("Delete", "Delete the selection (Delete)", self.delete_selected),
        }

    # -- the public API ----------------------------------------------------------------------

    def add_card(self, card: Card) -> None:
        """Send to speech: a copy of `card` goes under the selected heading (after the selected
        card), else at the end of the last Block, else at the end of the outline."""
        current = self.current_node()
        parent: Node | None
        row = -1
        if isinstance(current, Heading):
            parent = current
        elif current is not None:
            parent = self.model.parent_node(current)
            row = self.model.index_of(current).row() + 1
        else:
            blocks = [n for n in walk(self.model.document().nodes)
                      if isinstance(n, Heading) and n.level == Level.BLOCK]  # fmt: skip
            parent = blocks[-1] if blocks else None
        self._insert([copy.deepcopy(card)], parent, row)

    def add_nodes(self, nodes: list[Node]) -> None:
        """Append an agent result (headings with cards) at the top level."""
        if nodes:
            self._insert([copy.deepcopy(n) for n in nodes], None, -1)

    def document(self) -> CardDocument:
        """The live outline (do not change it behind the model's back)."""
        return self.model.document()

    def selected_document(self) -> CardDocument:
        """The selected nodes (with their children) as a document, for export."""
        nodes = top_most(self.model, self.selected_nodes())
        return CardDocument(copy.deepcopy(nodes), title=self.model.document().title)

    # -- selection -----------------------------------------------------------------------------

    def current_node(self) -> Node | None:
        index = self.tree.currentIndex()
        if not index.isValid() or not self.tree.selectionModel().isSelected(index):
            return None
        return self.model.node(index)

    def selected_nodes(self) -> list[Node]:
        rows = self.tree.selectionModel().selectedRows()
        return [n for n in (self.model.node(i) for i in rows) if n is not None]

    def select(self, node: Node) -> QModelIndex:
        index = self.model.index_of(node)
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return index

    # -- editing -------------------------------------------------------------------------------

    def _insert(self, nodes: list[Node], parent: Node | None, row: int) -> None:
        if self.model.insert_nodes(nodes, parent, row):
            for node in nodes:
                self.tree.expandRecursively(self.model.index_of(node))
            self.select(nodes[0])

    def add_pocket(self) -> None:
        self.add_heading(Level.POCKET)

    def add_hat(self) -> None:
        self.add_heading(Level.HAT)

    def add_block(self) -> None:
        self.add_heading(Level.BLOCK)

    def add_heading(self, level: Level, title: str | None = None) -> Heading:
        """A new heading after the selected node's branch, under the nearest heading that may
        hold it; without a title, its name is edited at once."""
        heading = Heading(level, title or f"New {LEVEL_NAMES[level]}")
        child: Node | None = None
        node = self.current_node()
        while node is not None and not (isinstance(node, Heading) and node.level < level):
            child, node = node, self.model.parent_node(node)
        row = -1 if child is None else self.model.index_of(child).row() + 1
        self._insert([heading], node, row)
        if title is None:
            self.tree.edit(self.model.index_of(heading))
        return heading

    def rename_current(self) -> None:
        index = self.tree.currentIndex()
        if index.isValid():
            self.tree.setFocus()
            self.tree.edit(index)

    def delete_selected(self) -> None:
        nodes = top_most(self.model, self.selected_nodes())
        if not nodes:
            return
        filled = [n for n in nodes if isinstance(n, Heading) and n.children]
        if filled:
            count = sum(len(walk(h.children)) for h in filled)
            names = ", ".join(f"“{h.title}”" for h in filled[:3])
            if not self.confirm(f"Delete {names} and the {count} items under it?"):
                return
        first = self.model.index_of(nodes[0])
        parent, row = first.parent(), first.row()
        self.model.remove_nodes(nodes)
        # Keep the keyboard in place: select what moved into the deleted row.
        rows = self.model.rowCount(parent)
        after = self.model.index(min(row, rows - 1), 0, parent) if rows else parent
        if after.isValid():
            self.tree.setCurrentIndex(after)

    def confirm(self, question: str) -> bool:
        """Asks the user (tests replace this)."""
        answer = QMessageBox.question(self, "Delete from the outline", question)
        return answer == QMessageBox.StandardButton.Yes

    def move_up(self) -> None:
        self.move_current(-1)

    def move_down(self) -> None:
        self.move_current(1)

    def move_current(self, delta: int) -> None:
        """Move the current node one place among its siblings."""
        node = self.current_node()
        if node is None:
            return
        row = self.model.index_of(node).row()
        parent = self.model.parent_node(node)
        target = row - 1 if delta < 0 else row + 2  # rows count before the move
        siblings = self.model.rowCount(self.model.index_of(parent))
        if 0 <= target <= siblings and self.model.move_nodes([node], parent, target):
            self.select(node)

    def _on_activated(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if isinstance(node, Card):
            self.card_activated.emit(copy.deepcopy(node))

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        keys = {"rename": "F2", "delete": "Del", "up": "Alt+Up", "down": "Alt+Down"}
        for name in ("pocket", "hat", "block", None, "rename", "delete", None, "up", "down"):
            if name is None:
                menu.addSeparator()
                continue
            act = self._actions[name]
            label = {"up": "Move up", "down": "Move down"}.get(name, act.text())
            shown = QAction(f"{label}\t{keys[name]}" if name in keys else label, menu)
            shown.triggered.connect(act.trigger)
            menu.addAction(shown)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    # -- saving --------------------------------------------------------------------------------

    def _changed(self) -> None:
        self._dirty = True
        self._timer.start()

    def save(self) -> bool:
        """Write the outline now; a failure is shown in the panel and retried on the next
        change (the file on disk stays the last good one)."""
        self._timer.stop()
        if not self._can_save:
            return False
        try:
            save_outline(self.path, self.model.document())
        except OSError as exc:
            log.warning("could not save the outline to %s: %s", self.path, exc)
            reason = exc.strerror or str(exc)
            self._show_notice(
                f"The outline could not be saved to {self.path}: {reason}. "
                "It will be retried on the next change."
            )
            return False
        self._dirty = False
        return True

    def flush(self) -> None:
        """Save now if anything changed (on quit and close)."""
        if self._dirty:
            self.save()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush()
        super().closeEvent(event)

    def _show_notice(self, text: str) -> None:
        self.notice.setText(f"⚠ {html.escape(text)} <a href='dismiss'>Dismiss</a>")
        self.notice.show()

    def _dismiss_notice(self, _link: str) -> None:
        self.notice.hide()
