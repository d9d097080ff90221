"""Card editor: tag, short cite, full cite, and the body with Verbatim's keys (F8 cite, F9
underline, F10 emphasis, F11 highlight, F12 clear, F3 condense), Undo/Redo, and Ctrl+Enter
to send the card to the document in front. Marking never changes the body's words. Under the
body, the highlight checker's findings update as the marks change
(desktop/editor/highlight_findings.py).

F8 (Cite): the short cite has its own field, always drawn in the Cite style (bold), so F8
does what a debater means by it: with part of the *full cite* selected (a whole cite pasted
there, "Matanich 96" selected), it moves that part into the short cite. In the body F8 does
nothing (a card body is never cite text) and says so in the hint line.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.editor import card_format as cf
from desktop.editor.card_body import BodyEdit, plain_text
from desktop.editor.highlight_findings import FindingsList, LiveCheck
from evidence.cards.card import Card, Mark

EDITED_BY_HAND = "body edited by hand"
SEND_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class CardEditor(QWidget):
    send_to_outline = Signal(object)  # the current Card (Verbatim's "send to speech")
    card_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._card: Card | None = None
        self._loading = False
        self.tag = QLineEdit(placeholderText="Tag: the claim this card proves")
        self.short_cite = QLineEdit(placeholderText="Short cite, e.g. Matanich 96")
        self.full_cite = QPlainTextEdit(placeholderText="Full cite: author, qualifications, date…")
        self.body = BodyEdit()
        self.body.setPlaceholderText("Body: the source's words, verbatim")
        self.highlight_color = QComboBox()
        self.highlight_color.setToolTip("Highlight colour for F11")
        self.hint = QLabel(wordWrap=True)
        self.findings = FindingsList()  # the highlight checker's findings, live
        self.live_check = LiveCheck(self, self.body, self.findings, self.card)
        self._style_fields()

        self.toolbar = QToolBar("Card")
        self.actions_by_name: dict[str, QAction] = {}
        self._add(
            "cite",
            "Cite",
            "F8",
            self._cite,
            "F8: move the selected part of the full cite into the short cite (the Cite style)",
        )
        self._add("underline", "Underline", "F9", self._underline, "F9: underline the selection")
        self._add("emphasis", "Emphasis", "F10", self._emphasis, "F10: emphasis (bold underline)")
        self._add("highlight", "Highlight", "F11", self._highlight, "F11: highlight the selection")
        self.toolbar.addWidget(self.highlight_color)
        self._add("clear", "Clear", "F12", self._clear, "F12: clear the selection's formatting")
        self._add(
            "condense",
            "Condense",
            "F3",
            self._condense,
            "F3: join the body's paragraphs (the selection's, or all)",
        )
        self.toolbar.addSeparator()
        self._add("undo", "Undo", "Ctrl+Z", self.body.undo, "Undo (Ctrl+Z)")
        self._add(
            "redo",
            "Redo",
            ("Ctrl+Shift+Z", "Ctrl+Y"),
            self.body.redo,
            "Redo (Ctrl+Shift+Z or Ctrl+Y)",
        )
        send = self._add(
            "send",
            "Send to document",
            SEND_KEYS,
            self._send,
            "Into the document in front, at its cursor (Ctrl+Enter)",
            in_toolbar=False,
        )
        self.send_button = QPushButton("Send to document")
        self.send_button.setToolTip(send.toolTip())
        self.send_button.clicked.connect(send.trigger)

        form = QFormLayout()
        form.addRow("Tag", self.tag)
        form.addRow("Cite", self.short_cite)
        form.addRow("", self.full_cite)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.toolbar)
        layout.addLayout(form)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.findings)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.send_button)
        layout.addLayout(bottom)

        for signal in (self.tag.textChanged, self.short_cite.textChanged):
            signal.connect(self._changed)
        self.full_cite.textChanged.connect(self._changed)
        self.body.textChanged.connect(self._changed)
        self.card_changed.connect(self.live_check.schedule)
        self.findings.span_clicked.connect(self._select_in_body)

    def _style_fields(self) -> None:
        tag_font = QFont(self.tag.font())
        tag_font.setBold(True)
        tag_font.setPointSizeF(tag_font.pointSizeF() * 13 / 11)
        self.tag.setFont(tag_font)  # Verbatim's Tag: bold 13 pt
        cite_font = QFont(self.short_cite.font())
        cite_font.setBold(True)
        self.short_cite.setFont(cite_font)  # the Cite style
        self.full_cite.setTabChangesFocus(True)
        self.full_cite.setFixedHeight(self.full_cite.fontMetrics().lineSpacing() * 3 + 12)
        for name, rgb in cf.HIGHLIGHT_RGB.items():
            swatch = QPixmap(12, 12)
            swatch.fill(QColor(rgb))
            self.highlight_color.addItem(QIcon(swatch), name)
        self.highlight_color.setMaximumWidth(120)
        self.highlight_color.setCurrentText(cf.DEFAULT_HIGHLIGHT)

    def _add(
        self,
        name: str,
        text: str,
        keys: str | tuple[str, ...],
        slot: Callable[[], object],
        tip: str,
        in_toolbar: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        seqs = (keys,) if isinstance(keys, str) else keys
        action.setShortcuts([QKeySequence(k) for k in seqs])
        # Only while the editor has focus: the search box keeps its own Enter and Ctrl+Z.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        if in_toolbar:
            self.toolbar.addAction(action)
        self.actions_by_name[name] = action
        return action

    # -- the card ----------------------------------------------------------------------------

    def set_card(self, card: Card) -> None:
        self._loading = True
        try:
            self._card = card
            self.tag.setText(card.tag)
            self.short_cite.setText(card.short_cite)
            self.tag.setCursorPosition(0)  # show a long tag from its start
            self.short_cite.setCursorPosition(0)
            self.full_cite.setPlainText(card.full_cite)
            self.body.load(card.body, card.spans)
        finally:
            self._loading = False
        self.hint.setText("; ".join(card.warnings))
        self.card_changed.emit()

    def card(self) -> Card | None:
        """The card as edited (a new Card object); None before any card was set or typed."""
        orig = self._card
        body = self.body.text()
        tag, short, full = (
            self.tag.text(),
            self.short_cite.text(),
            plain_text(self.full_cite.document()),
        )
        if orig is None and not (body or tag or short or full):
            return None
        chars = self.body.marks()
        spans = cf.spans_of(chars)
        warnings = list(orig.warnings) if orig else []
        source_id = orig.source_id if orig else None
        source_offset = None
        if orig is not None and body == orig.body:
            source_offset = orig.source_offset
            if spans == cf.canonical(orig.body, orig.spans):
                spans = list(orig.spans)  # the same marks: keep the card's own spelling
        elif (
            orig is not None
            and body.split() != orig.body.split()
            and EDITED_BY_HAND not in warnings
        ):
            # Condensing changes only whitespace; anything else is no longer the source's text.
            warnings.append(EDITED_BY_HAND)
        return Card(tag, short, full, body, spans, warnings, source_id, source_offset)

    def _changed(self) -> None:
        if not self._loading:
            self.card_changed.emit()

    def reveal_findings(self) -> None:
        """Check the card now and scroll its first highlight finding into view, the cursor
        at its start (a card opened from an import's list of highlight problems)."""
        self.live_check.run()
        if self.live_check.findings:
            first = self.live_check.findings[0].start
            self.body.select(first, first)

    def _select_in_body(self, start: int, end: int) -> None:
        self.body.select(start, end)
        self.body.setFocus()

    # -- keys ------------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.hint.setText(text)

    def _mark(self, mark: Mark, color: str = "") -> None:
        if not self.body.toggle(mark, color):
            self._say("Select some of the body first.")

    def _underline(self) -> None:
        self._mark(Mark.UNDERLINE)

    def _emphasis(self) -> None:
        self._mark(Mark.EMPHASIS)

    def _highlight(self) -> None:
        self._mark(Mark.HIGHLIGHT, self.highlight_color.currentText())

    def _clear(self) -> None:
        if not self.body.clear_selection_marks():
            self._say("Select some of the body first.")

    def _condense(self) -> None:
        if not self.body.condense():
            self._say("Nothing to condense: the body is one paragraph.")

    def _cite(self) -> None:
        cur = self.full_cite.textCursor()
        picked = cur.selectedText().strip()
        if not self.full_cite.hasFocus() or not picked:
            self._say("F8: select the author and year in the full cite to make it the short cite.")
            return
        cur.removeSelectedText()
        self.full_cite.setPlainText(plain_text(self.full_cite.document()).strip(" ,;:"))
        self.short_cite.setText(picked)

    def _send(self) -> None:
        card = self.card()
        if card is None:
            self._say("Nothing to send: open or write a card first.")
            return
        self.send_to_outline.emit(card)
