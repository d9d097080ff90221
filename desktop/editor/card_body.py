"""The card body: a QTextEdit whose characters carry the card's marks as format properties.

The document is the truth while editing (so Qt's undo stack covers typing and marking
alike); `marks()` reads it into per-character Marks and every formatting key goes through
`desktop.editor.card_format`, which never changes the words. Each mark is stored as a user property
and drawn the way Verbatim shows it: underline; emphasis bold + underlined; highlight as the
background colour with black (or white) text, readable in the dark theme too.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QTextEdit, QWidget

from desktop.editor import card_format as cf
from evidence.cards.card import Mark, Span

_UNDERLINE = int(QTextFormat.Property.UserProperty) + 1
_EMPHASIS = int(QTextFormat.Property.UserProperty) + 2
_HIGHLIGHT = int(QTextFormat.Property.UserProperty) + 3


def char_format(marks: cf.Marks) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setProperty(_UNDERLINE, marks.underline)
    fmt.setProperty(_EMPHASIS, marks.emphasis)
    fmt.setProperty(_HIGHLIGHT, marks.highlight)
    fmt.setFontUnderline(marks.underline or marks.emphasis)
    fmt.setFontWeight(QFont.Weight.Bold if marks.emphasis else QFont.Weight.Normal)
    if marks.highlight:
        rgb = cf.highlight_rgb(marks.highlight)
        fmt.setBackground(QColor(rgb))
        fmt.setForeground(QColor(cf.text_on(rgb)))
    return fmt


def marks_of(fmt: QTextCharFormat) -> cf.Marks:
    return cf.Marks(
        fmt.boolProperty(_UNDERLINE), fmt.boolProperty(_EMPHASIS), fmt.stringProperty(_HIGHLIGHT)
    )


def plain_text(doc: QTextDocument) -> str:
    """The document's text exactly (toPlainText would turn no-break spaces into spaces)."""
    return doc.toRawText().replace("\u2029", "\n")


class BodyEdit(QTextEdit):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)  # pasting brings words, never a foreign file's formats
        self.setTabChangesFocus(True)

    # -- document ⇄ marks ----------------------------------------------------------------------

    def load(self, body: str, spans: Sequence[Span]) -> None:
        """Show a body and its marks; the undo history starts here."""
        doc = self.document()
        doc.setUndoRedoEnabled(False)
        doc.setPlainText(body)
        chars = cf.char_marks(body, spans)
        self._write(body, [cf.NONE] * len(body), chars)
        doc.setUndoRedoEnabled(True)
        doc.setModified(False)
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def text(self) -> str:
        return plain_text(self.document())

    def marks(self) -> list[cf.Marks]:
        body = self.text()
        u16 = cf.Utf16(body)
        chars = [cf.NONE] * len(body)
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                m = marks_of(frag.charFormat())
                if m != cf.NONE:
                    a, b = u16.py(frag.position()), u16.py(frag.position() + frag.length())
                    chars[a:b] = [m] * (b - a)
                it += 1
            block = block.next()
        return cf.settle_breaks(body, chars)

    def spans(self) -> list[Span]:
        return cf.spans_of(self.marks())

    def selection(self) -> tuple[int, int]:
        """The selection as [start, end) indexes of the body string."""
        cur = self.textCursor()
        u16 = cf.Utf16(self.text())
        return u16.py(cur.selectionStart()), u16.py(cur.selectionEnd())

    def select(self, start: int, end: int) -> None:
        u16 = cf.Utf16(self.text())
        cur = self.textCursor()
        cur.setPosition(u16.qt(start))
        cur.setPosition(u16.qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cur)

    # -- Verbatim's keys (each one undo step) ------------------------------------------------

    def toggle(self, mark: Mark, color: str = "") -> bool:
        start, end = self.selection()
        if start == end:
            return False
        body, chars = self.text(), self.marks()
        self._write(body, chars, cf.toggle_mark(body, chars, start, end, mark, color))
        return True

    def clear_selection_marks(self) -> bool:
        start, end = self.selection()
        if start == end:
            return False
        body, chars = self.text(), self.marks()
        self._write(body, chars, cf.clear_marks(body, chars, start, end))
        return True

    def condense(self) -> bool:
        """Join the selection's paragraphs (the whole body without a selection)."""
        body, chars = self.text(), self.marks()
        start, end = self.selection()
        if start == end:
            start, end = 0, len(body)
        edits = cf.condense_edits(body, start, end)
        if not edits:
            return False
        u16 = cf.Utf16(body)
        cur = QTextCursor(self.document())
        cur.beginEditBlock()
        for a, b, repl in reversed(edits):  # from the end, so earlier offsets stay valid
            cur.setPosition(u16.qt(a))
            cur.setPosition(u16.qt(b), QTextCursor.MoveMode.KeepAnchor)
            cur.insertText(repl, char_format(cf.joining_marks(chars, a, b)))
        cur.endEditBlock()
        return True

    def _write(self, body: str, old: Sequence[cf.Marks], new: Sequence[cf.Marks]) -> None:
        """Format the characters whose marks changed, as one undo step."""
        changed = [i for i in range(len(body)) if old[i] != new[i]]
        if not changed:
            return
        u16 = cf.Utf16(body)
        cur = QTextCursor(self.document())
        cur.beginEditBlock()
        for run in cf.runs_of(new, changed[0], changed[-1] + 1):
            cur.setPosition(u16.qt(run.start))
            cur.setPosition(u16.qt(run.end), QTextCursor.MoveMode.KeepAnchor)
            cur.setCharFormat(char_format(run.marks))
        cur.endEditBlock()
