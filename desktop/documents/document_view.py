"""The document itself: a QTextEdit with Verbatim's keys.

F2 paste as plain text, F3 condense, F4-F7 Pocket/Hat/Block/Tag, F8 cite, F9 underline,
F10 emphasis, F11 highlight (in `highlight_color`), F12 clear, Alt+F3 shrink; each key is one
undo step (desktop/documents/verbatim_keys.py). Enter at the end of a heading, tag or cite
starts a body paragraph (Word's "next style: Normal"); Shift+Enter in a body starts a
paragraph too, so a card body never holds a hidden line separator.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QTextCursor,
    QTextDocumentFragment,
)
from PySide6.QtWidgets import QTextEdit, QWidget

from desktop.documents import roles as r
from desktop.documents import verbatim_keys as keys
from desktop.documents.emphasis_boxes import EmphasisBoxes
from desktop.editor import card_format as cf
from evidence.cards.card import Level, Mark

_FRAGMENT_MIME = "application/x-debate-prep-fragment"


class DocumentView(QTextEdit):
    hint = Signal(str)  # why a key did nothing ("Select some text first.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.highlight_color = cf.DEFAULT_HIGHLIGHT
        self.setAcceptRichText(False)  # foreign formats never come in; our own copies do
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        # Our own copies by token: Qt makes one for the selection clipboard on every
        # selection change too, so the last few are kept, not only the newest.
        self._clips: dict[str, QTextDocumentFragment] = {}
        self._clip_count = 0
        self._boxes = EmphasisBoxes()
        self._keys: dict[tuple[int, bool], Callable[[], str]] = {
            (int(Qt.Key.Key_F2), False): self.paste_plain,
            (int(Qt.Key.Key_F3), False): lambda: keys.condense(self.textCursor()),
            (int(Qt.Key.Key_F3), True): lambda: keys.shrink(self.textCursor()),
            (int(Qt.Key.Key_F4), False): lambda: keys.set_level(self.textCursor(), Level.POCKET),
            (int(Qt.Key.Key_F5), False): lambda: keys.set_level(self.textCursor(), Level.HAT),
            (int(Qt.Key.Key_F6), False): lambda: keys.set_level(self.textCursor(), Level.BLOCK),
            (int(Qt.Key.Key_F7), False): lambda: keys.set_level(self.textCursor(), Level.TAG),
            (int(Qt.Key.Key_F8), False): lambda: keys.cite(self.textCursor()),
            (int(Qt.Key.Key_F9), False): lambda: self.toggle(Mark.UNDERLINE),
            (int(Qt.Key.Key_F10), False): lambda: self.toggle(Mark.EMPHASIS),
            (int(Qt.Key.Key_F11), False): lambda: self.toggle(Mark.HIGHLIGHT),
            (int(Qt.Key.Key_F12), False): lambda: keys.clear(self.textCursor()),
        }

    # -- keys ----------------------------------------------------------------------------------

    def keyPressEvent(self, e: QKeyEvent) -> None:
        mods = e.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        action = None
        if mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.AltModifier):
            action = self._keys.get((e.key(), mods == Qt.KeyboardModifier.AltModifier))
        if action is not None:
            e.accept()
            if self.isReadOnly():
                self.hint.emit("The document is read-only.")
                return
            message = action()
            if message:
                self.hint.emit(message)
            return
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        is_enter = e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if is_enter and not self.isReadOnly() and self._new_paragraph(shift):
            e.accept()
            return
        super().keyPressEvent(e)

    def _new_paragraph(self, shift: bool) -> bool:
        """Enter: after a heading, tag or cite, a body paragraph; inside one, a second one of
        the same kind, without the first's provenance (a tag's source stays with one tag);
        Shift+Enter in a body, a paragraph (never a hidden line separator)."""
        cursor = self.textCursor()
        role = r.role_of(cursor.block())
        if role == r.BODY and not shift:
            return False
        at_end = not cursor.hasSelection() and cursor.atBlockEnd()
        next_role = r.BODY if at_end or role == r.BODY else role
        cursor.beginEditBlock()
        cursor.removeSelectedText()
        if next_role == role:  # the same kind, less what belongs to the first one only
            block_fmt, char = cursor.blockFormat(), cursor.charFormat()
            block_fmt.clearProperty(r.PROVENANCE)
            block_fmt.clearProperty(r.WARNINGS)
        else:
            block_fmt, char = r.block_format(next_role), r.char_format_for(next_role)
        cursor.insertBlock(block_fmt, char)
        cursor.endEditBlock()
        self.setTextCursor(cursor)
        return True

    def paintEvent(self, e: QPaintEvent) -> None:
        super().paintEvent(e)
        painter = QPainter(self.viewport())
        self._boxes.paint(self, painter, e.rect())
        painter.end()

    def toggle(self, mark: Mark) -> str:
        return keys.toggle_mark(self.textCursor(), mark, self.highlight_color)

    def paste_plain(self) -> str:
        cursor = self.textCursor()
        message = keys.paste_plain(cursor, QGuiApplication.clipboard().text())
        self.setTextCursor(cursor)
        return message

    # -- copy and paste inside the document keep roles and marks -------------------------------

    def createMimeDataFromSelection(self) -> QMimeData:
        data = super().createMimeDataFromSelection()
        self._clip_count += 1
        token = str(self._clip_count)
        self._clips[token] = QTextDocumentFragment(self.textCursor())
        while len(self._clips) > 4:
            del self._clips[next(iter(self._clips))]
        data.setData(_FRAGMENT_MIME, token.encode())
        return data

    def insertFromMimeData(self, source: QMimeData) -> None:
        # data(), not hasFormat(): some platforms' clipboards do not list a custom format
        # they still hand back.
        token = bytes(source.data(_FRAGMENT_MIME).data()).decode(errors="replace")
        if token:
            fragment = self._clips.get(token)
            if fragment is not None:
                cursor = self.textCursor()
                cursor.insertFragment(fragment)
                self.setTextCursor(cursor)
                return
        if source.hasText():
            cursor = self.textCursor()
            keys.paste_plain(cursor, source.text())
            self.setTextCursor(cursor)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasText() or source.hasFormat(_FRAGMENT_MIME)

    def move_cursor_to(self, position: int) -> None:
        """Put the cursor at `position` and scroll its paragraph to the top third."""
        cursor = self.textCursor()
        cursor.setPosition(min(position, self.document().characterCount() - 1))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        bar = self.verticalScrollBar()
        top = self.cursorRect().top()
        bar.setValue(bar.value() + top - self.viewport().height() // 4)

    def select_range(self, start: int, end: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
