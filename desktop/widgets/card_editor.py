"""Card editor: tag, short cite, full cite, and the body with Verbatim's keys (F8 cite, F9
underline, F10 emphasis, F11 highlight, F12 clear, F3 condense), Undo/Redo. Marking never
changes the body's words. (Stub: being built.)"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from evidence.cards import Card


class CardEditor(QWidget):
    send_to_outline = Signal(object)  # the current Card (Verbatim's "send to speech")
    card_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Card"))
        self._card: Card | None = None

    def set_card(self, card: Card) -> None:
        self._card = card

    def card(self) -> Card | None:
        """The card as edited (a new Card object)."""
        return self._card
