"""The highlight checker, live in the card editor: each finding's span of the body in red
with a wavy red line, and a list of the findings in words under it; clicking one selects
its span.

The wavy lines are extra selections, drawn over the document without touching it, so they
never become marks, never enter the undo history and never reach the saved card. Checks run
a moment after the last change (a timer), so marking or typing stays instant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QTextEdit, QWidget

from desktop.editor import card_format as cf
from desktop.editor.card_body import plain_text
from evidence.cards.card import Card
from evidence.cards.highlight_check import Finding, check_card

# How long after the last change the card is checked again.
RECHECK_MS = 250
_WAVE = QColor("#d32f2f")


def wavy_lines(edit: QTextEdit, findings: Sequence[Finding]) -> list[QTextEdit.ExtraSelection]:
    """One red wavy underline per finding, over its span of the body."""
    u16 = cf.Utf16(plain_text(edit.document()))
    out: list[QTextEdit.ExtraSelection] = []
    for f in findings:
        sel = QTextEdit.ExtraSelection()
        cur = QTextCursor(edit.document())
        cur.setPosition(u16.qt(f.start))
        cur.setPosition(u16.qt(f.end), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(_WAVE)
        # Red letters too: on a word already underlined the wave hides under Word's line.
        fmt.setForeground(_WAVE)
        sel.cursor, sel.format = cur, fmt
        out.append(sel)
    return out


class FindingsList(QListWidget):
    """The findings in words; empty and hidden when the highlight reads cleanly."""

    span_clicked = Signal(int, int)  # [start, end) in the body

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("Highlight checks: click one to select what it is about")
        self.setWordWrap(True)
        self.itemClicked.connect(self._clicked)
        self.hide()

    def show_findings(self, findings: Sequence[Finding]) -> None:
        self.clear()
        for f in findings:
            item = QListWidgetItem(f"⚠ {f.message}")
            item.setData(Qt.ItemDataRole.UserRole, (f.start, f.end))
            self.addItem(item)
        # As tall as its rows, up to four (then it scrolls): the body keeps the room.
        rows = min(max(self.count(), 1), 4)
        self.setFixedHeight(rows * (self.fontMetrics().lineSpacing() + 4) + 2 * self.frameWidth())
        self.setVisible(bool(findings))

    def messages(self) -> list[str]:
        return [self.item(i).text().removeprefix("⚠ ") for i in range(self.count())]

    def _clicked(self, item: QListWidgetItem) -> None:
        start, end = item.data(Qt.ItemDataRole.UserRole)
        self.span_clicked.emit(start, end)


class LiveCheck:
    """Re-checks the card a moment after each change and shows the result."""

    def __init__(
        self, parent: QWidget, edit: QTextEdit, panel: FindingsList, card: Callable[[], Card | None]
    ) -> None:
        self._edit, self._panel, self._card = edit, panel, card
        self.findings: list[Finding] = []
        self._timer = QTimer(parent, singleShot=True, interval=RECHECK_MS)
        self._timer.timeout.connect(self.run)

    def schedule(self) -> None:
        self._timer.start()

    def run(self) -> None:
        """Check now (the timer's slot; tests call it to skip the wait)."""
        self._timer.stop()
        card = self._card()
        self.findings = check_card(card) if card is not None else []
        self._edit.setExtraSelections(wavy_lines(self._edit, self.findings))
        self._panel.show_findings(self.findings)
