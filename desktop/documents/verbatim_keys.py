"""Verbatim's keys as edits of a document: each is one undo step and never changes the
words of a card body (marking only; condense only the whitespace between paragraphs).

Marks are computed with `desktop.editor.card_format` over the body paragraphs the selection
touches (a card body is small next to its document), then only the changed runs are written.
Each function returns "" when it did something, or a hint for the status line. Edits go
through a copy of the view's cursor: Qt's undo puts the cursor back where the cursor that
opened the edit block stood, so undoing a key returns to the debater's place, not the top.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QTextBlock, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat

from desktop.documents import roles as r
from desktop.documents import units
from desktop.editor import card_format as cf
from evidence.cards.card import Mark

SELECT_FIRST = "Select some text first."


@dataclass
class BodyText:
    """Contiguous body paragraphs: their text ("\\n" between) and each character's marks."""

    start: int  # document position of the first paragraph
    blocks: list[QTextBlock]
    text: str
    chars: list[cf.Marks]
    u16: cf.Utf16

    @property
    def end(self) -> int:
        return self.start + self.u16.qt(len(self.text))

    def index(self, pos: int) -> int:
        """A document position as an index of `text`, clamped to this text."""
        return self.u16.py(min(max(pos, self.start), self.end) - self.start)

    def pos(self, index: int) -> int:
        return self.start + self.u16.qt(index)


def body_texts(qdoc: QTextDocument, start: int, end: int) -> list[BodyText]:
    """The runs of body paragraphs the range [start, end] touches, whole paragraphs each."""
    out: list[BodyText] = []
    group: list[QTextBlock] = []
    block = qdoc.findBlock(start)
    last = qdoc.findBlock(end)
    while block.isValid():
        if r.role_of(block) == r.BODY:
            group.append(block)
        elif group:
            out.append(_read(group))
            group = []
        if block == last:
            break
        block = block.next()
    if group:
        out.append(_read(group))
    return out


def card_body(qdoc: QTextDocument, pos: int) -> BodyText | None:
    """The body of the card (or analytic) at `pos`."""
    found = units.card_range(qdoc.findBlock(pos))
    if found is None:
        return None
    blocks: list[QTextBlock] = []
    block = found[0]
    while block.isValid() and block != found[1]:
        if r.role_of(block) == r.BODY:
            blocks.append(block)
        block = block.next()
    return _read(blocks) if blocks else None


def _read(blocks: list[QTextBlock]) -> BodyText:
    texts: list[str] = []
    chars: list[cf.Marks] = []
    for n, block in enumerate(blocks):
        if n:
            chars.append(cf.NONE)
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            text = frag.text()
            chars.extend([r.marks_of(frag.charFormat())] * len(text))
            it += 1
        texts.append(block.text())
    text = "\n".join(texts)
    chars = cf.settle_breaks(text, chars)
    return BodyText(blocks[0].position(), blocks, text, chars, cf.Utf16(text))


def write_marks(cursor: QTextCursor, body: BodyText, new: list[cf.Marks]) -> bool:
    """Format the characters whose marks changed (inside the caller's edit block)."""
    changed = [i for i in range(len(body.text)) if body.chars[i] != new[i] and body.text[i] != "\n"]
    if not changed:
        return False
    for run in cf.runs_of(new, changed[0], changed[-1] + 1):
        pieces = [p for p in _split_breaks(body.text, run.start, run.end)]
        for a, b in pieces:
            cursor.setPosition(body.pos(a))
            cursor.setPosition(body.pos(b), QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(r.body_char_format(run.marks))
    return True


def _split_breaks(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) without its paragraph breaks (block separators keep their own format)."""
    out: list[tuple[int, int]] = []
    a = start
    for i in range(start, end):
        if text[i] == "\n":
            if i > a:
                out.append((a, i))
            a = i + 1
    if end > a:
        out.append((a, end))
    return out


def toggle_mark(cursor: QTextCursor, mark: Mark, color: str = "") -> str:
    """F9/F10/F11: Word's rule over the selection (mark it, or unmark it when all marked)."""
    if not cursor.hasSelection():
        return SELECT_FIRST
    a, b = cursor.selectionStart(), cursor.selectionEnd()
    edit = QTextCursor(cursor)
    edit.beginEditBlock()
    done = False
    for body in body_texts(cursor.document(), a, b):
        start, end = body.index(a), body.index(b)
        if start < end:
            new = _toggled(body, start, end, mark, color)
            done = write_marks(edit, body, new) or done
    edit.endEditBlock()
    return "" if done else "Marks go on a card's body text."


def _toggled(body: BodyText, start: int, end: int, mark: Mark, color: str) -> list[cf.Marks]:
    """Verbatim's Underline and Emphasis are two character styles, and Emphasis is drawn
    underlined, so the reader gives emphasised words both marks: F10 sets both (or takes
    both off when all is emphasised); F9 makes it plain Underline (or takes it off)."""
    text, chars = body.text, body.chars
    if mark == Mark.HIGHLIGHT:
        return cf.toggle_mark(text, chars, start, end, mark, color)
    words = [chars[i] for i in range(start, end) if text[i] != "\n"]
    if mark == Mark.EMPHASIS:
        on = not all(m.emphasis for m in words)
        out = cf.set_mark(text, chars, start, end, Mark.EMPHASIS, on)
        return cf.set_mark(text, out, start, end, Mark.UNDERLINE, on)
    on = not all(m.underline and not m.emphasis for m in words)
    out = cf.set_mark(text, chars, start, end, Mark.EMPHASIS, False)
    return cf.set_mark(text, out, start, end, Mark.UNDERLINE, on)


def clear(cursor: QTextCursor) -> str:
    """F12: the selection back to plain text: body marks off, cite style off, and headings
    or tags it touches back to body paragraphs (Verbatim's clear to Normal)."""
    if not cursor.hasSelection():
        return SELECT_FIRST
    qdoc = cursor.document()
    a, b = cursor.selectionStart(), cursor.selectionEnd()
    edit = QTextCursor(cursor)
    edit.beginEditBlock()
    for body in body_texts(qdoc, a, b):
        start, end = body.index(a), body.index(b)
        if start < end:
            write_marks(edit, body, cf.clear_marks(body.text, body.chars, start, end))
    block = qdoc.findBlock(a)
    last = qdoc.findBlock(b)
    while block.isValid():
        role = r.role_of(block)
        if role == r.CITE:
            lo, hi = max(a, block.position()), min(b, block.position() + block.length() - 1)
            if lo < hi:
                edit.setPosition(lo)
                edit.setPosition(hi, QTextCursor.MoveMode.KeepAnchor)
                edit.setCharFormat(r.body_char_format(cf.NONE))
        elif role != r.BODY:
            set_role_of_block(edit, block, r.BODY)
        if block == last:
            break
        block = block.next()
    edit.endEditBlock()
    return ""


def set_role_of_block(cursor: QTextCursor, block: QTextBlock, role: int) -> None:
    """Make one paragraph a heading, tag, cite or body paragraph, in that role's look."""
    cursor.setPosition(block.position())
    cursor.setBlockFormat(r.block_format(role))
    char = r.char_format_for(role)
    cursor.setBlockCharFormat(char)
    cursor.setPosition(block.position() + block.length() - 1, QTextCursor.MoveMode.KeepAnchor)
    cursor.setCharFormat(char)


def set_level(cursor: QTextCursor, role: int) -> str:
    """F4-F7: the paragraphs of the selection (or the cursor's) become Pocket/Hat/Block/Tag."""
    qdoc = cursor.document()
    block = qdoc.findBlock(cursor.selectionStart())
    last = qdoc.findBlock(cursor.selectionEnd())
    edit = QTextCursor(cursor)
    edit.beginEditBlock()
    while block.isValid():
        if r.role_of(block) != role:
            set_role_of_block(edit, block, role)
        if block == last:
            break
        block = block.next()
    edit.endEditBlock()
    return ""


def cite(cursor: QTextCursor) -> str:
    """F8: the selection (in one paragraph) becomes the short cite; a body paragraph holding
    it becomes the card's cite paragraph."""
    if not cursor.hasSelection():
        return "Select the author and date (the short cite) first."
    qdoc = cursor.document()
    a, b = cursor.selectionStart(), cursor.selectionEnd()
    block = qdoc.findBlock(a)
    if qdoc.findBlock(b) != block and b != block.position() + block.length():
        return "A cite is one paragraph: select inside one."
    role = r.role_of(block)
    if role not in (r.BODY, r.CITE):
        return "F8 styles a cite: select the author and date in the cite paragraph."
    edit = QTextCursor(cursor)
    edit.beginEditBlock()
    # One short cite per paragraph: a new one replaces the old (a body paragraph becomes
    # the cite paragraph, its marks gone: a cite is never read from).
    set_role_of_block(edit, block, r.CITE)
    edit.setPosition(a)
    edit.setPosition(min(b, block.position() + block.length() - 1), QTextCursor.MoveMode.KeepAnchor)
    edit.setCharFormat(r.cite_char_format())
    edit.endEditBlock()
    return ""


def condense(cursor: QTextCursor) -> str:
    """F3: the card body at the cursor in one paragraph (only the selection's paragraphs
    when there is a selection); a joining space keeps the marks both sides share."""
    qdoc = cursor.document()
    if cursor.hasSelection():
        a, b = cursor.selectionStart(), cursor.selectionEnd()
        ranges = [(body, body.index(a), body.index(b)) for body in body_texts(qdoc, a, b)]
    else:
        body = card_body(qdoc, cursor.position())
        ranges = [(body, 0, len(body.text))] if body is not None else []
    edit = QTextCursor(cursor)
    edit.beginEditBlock()
    done = False
    for body, start, end in reversed(ranges):  # from the end: earlier positions stay valid
        for a, b, repl in reversed(cf.condense_edits(body.text, start, end)):
            edit.setPosition(body.pos(a))
            edit.setPosition(body.pos(b), QTextCursor.MoveMode.KeepAnchor)
            if repl:
                edit.insertText(repl, r.body_char_format(cf.joining_marks(body.chars, a, b)))
            else:
                edit.removeSelectedText()
            done = True
    edit.endEditBlock()
    return "" if done else "Nothing to condense: the card body is one paragraph."


def shrink(cursor: QTextCursor) -> str:
    """Alt+F3: the card's unmarked body text small (again: back to normal size). Looks only:
    a card has no sizes, so saving keeps the words and marks (the export's Shrink option
    shrinks a whole file)."""
    qdoc = cursor.document()
    body = card_body(qdoc, cursor.position())
    if body is None:
        return "Put the cursor in a card's body to shrink it."
    runs = [run for run in cf.runs_of(body.chars) if run.marks == cf.NONE]
    plain = [(a, b) for run in runs for a, b in _split_breaks(body.text, run.start, run.end)]
    if not plain:
        return "Everything in this card is marked."
    probe = QTextCursor(qdoc)
    probe.setPosition(body.pos(plain[0][0]) + 1)
    on = not probe.charFormat().boolProperty(r.SHRUNK)
    fmt = QTextCharFormat()
    fmt.setProperty(r.SHRUNK, on)
    fmt.setProperty(QTextFormat.Property.FontSizeAdjustment, -1 if on else 0)
    edit = QTextCursor(cursor)
    edit.beginEditBlock()
    for a, b in plain:
        edit.setPosition(body.pos(a))
        edit.setPosition(body.pos(b), QTextCursor.MoveMode.KeepAnchor)
        edit.mergeCharFormat(fmt)
    edit.endEditBlock()
    return ""


def paste_plain(cursor: QTextCursor, text: str) -> str:
    """F2: the clipboard's words in the look of the paragraph they land in."""
    if not text:
        return "The clipboard holds no text."
    role = r.role_of(cursor.block())
    if role != r.BODY:
        text = text.replace("\r\n", " ").replace("\n", " ")  # a heading stays one paragraph
    cursor.beginEditBlock()
    cursor.insertText(text.replace("\r\n", "\n"), r.char_format_for(role))
    cursor.endEditBlock()
    return ""


def insert_marker(cursor: QTextCursor, text: str) -> None:
    """A "marked" point: the text at the cursor in its own unmarked run."""
    role = r.role_of(cursor.block())
    cursor.beginEditBlock()
    cursor.insertText(text, r.char_format_for(role if role != r.CITE else r.BODY))
    cursor.endEditBlock()
