"""Case outline: the Pocket/Hat/Block/Tag tree of the document being built; drag to reorder,
rename, delete; saved automatically to the data dir. (Stub: being built.)"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.context import AppContext
from evidence.cards import Card, CardDocument, Node


class OutlinePanel(QWidget):
    card_activated = Signal(object)  # a Card double-clicked/Enter: open it in the editor

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Outline"))
        self._doc = CardDocument()

    def add_card(self, card: Card) -> None:
        """Append a card under the selected heading (or at the end)."""
        self._doc.nodes.append(card)

    def add_nodes(self, nodes: list[Node]) -> None:
        """Append an agent result (headings with cards) at the top level."""
        self._doc.nodes.extend(nodes)

    def document(self) -> CardDocument:
        return self._doc

    def selected_document(self) -> CardDocument:
        """The selected nodes (with their children) as a document, for export."""
        return self._doc
