"""Go to source: the library text a card was cut from, with the card's words selected."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.sources import SourcePlace


class SourceDialog(QDialog):
    def __init__(self, place: SourcePlace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SourceDialog")
        self.setWindowTitle(f"Source: {place.title}")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        where = QLabel(f"<b>{_html(place.title)}</b><br>{_html(place.origin)}")
        where.setWordWrap(True)
        layout.addWidget(where)
        self.note = QLabel(place.note)
        self.note.setVisible(bool(place.note))
        layout.addWidget(self.note)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setPlainText(place.text)
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.select(place.start, place.end)

    def select(self, start: int, end: int) -> None:
        """The card's words selected and in view (selection shows even without focus)."""
        cursor = self.text.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.text.centerCursor()

    def selected(self) -> str:
        # QPlainTextEdit gives paragraph breaks in a selection as U+2029.
        return self.text.textCursor().selectedText().replace("\u2029", "\n")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
