"""The status bar's read time: what the debater would read aloud (highlighted words, at the
words per minute of the settings) for the card, the block and the document at the cursor.
The document's figure is recounted only after an edit, two seconds after typing stops: reading
the whole document back took 80-270 ms on the sample backfiles, too long to do per key."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget
from shiboken6 import isValid

from desktop.documents.tabs import DocTab
from evidence.documents.stats import DocStats, document_stats, node_stats

RECOUNT_MS = 2000
# The card and block at the cursor took a median 64-74 ms to read back and count on the
# sample backfiles (a busy machine): counted once the cursor rests, not at every unit passed.
CURSOR_MS = 200


def clock(seconds: float) -> str:
    """'0:23', '14:05', '1:02:00'."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ReadTime(QLabel):
    def __init__(self, wpm: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReadTime")
        self._wpm = wpm
        self._tab: DocTab | None = None
        self._doc: dict[str, tuple[int, int, DocStats]] = {}  # key: (revision, wpm, stats)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECOUNT_MS)
        self._timer.timeout.connect(self.update_now)
        self._cursor_timer = QTimer(self)
        self._cursor_timer.setSingleShot(True)
        self._cursor_timer.setInterval(CURSOR_MS)
        self._cursor_timer.timeout.connect(lambda: self.update_now(recount=False))
        self.hide()

    def watch(self, tab: DocTab) -> None:
        tab.editor.cursor_unit_changed.connect(lambda: self._changed(tab, soon=False))
        tab.editor.contents_changed.connect(lambda: self._changed(tab, soon=True))

    def show_tab(self, tab: DocTab | None) -> None:
        self._tab = tab
        self.update_now()

    def _changed(self, tab: DocTab, soon: bool) -> None:
        if tab is not self._tab:
            return
        if soon:
            self._timer.start()  # the document's total, once typing pauses
        else:
            self._cursor_timer.start()

    def update_now(self, recount: bool = True) -> None:
        self._cursor_timer.stop()
        if recount:
            self._timer.stop()
        tab = self._tab
        if tab is None:
            self.hide()
            return
        wpm = self._wpm()
        card = node_stats(tab.editor.unit_under_cursor("card"), wpm)
        block = node_stats(tab.editor.unit_under_cursor("block"), wpm)
        doc = self.document(tab, wpm, recount)
        self.setText(
            f"Read: card {clock(card.read_seconds)} · block {clock(block.read_seconds)} · "
            f"doc {clock(doc.read_seconds)}"
        )
        self.setToolTip(
            f"Highlighted words read aloud at {wpm} words per minute (Settings).\n"
            f"Card: {card.words_read} words; block: {block.words_read} words; "
            f"document: {doc.words_read} of {doc.words} words, {doc.cards} cards, "
            f"{doc.analytics} analytics"
        )
        self.show()

    def document(self, tab: DocTab, wpm: int, recount: bool = True) -> DocStats:
        """The document's figures: counted again only when asked and something changed."""
        cached = self._doc.get(tab.key)
        if cached is not None and (cached[:2] == (tab.revision, wpm) or not recount):
            return cached[2]
        stats = document_stats(tab.editor.card_document(), wpm)
        self._doc[tab.key] = (tab.revision, wpm, stats)
        return stats

    def forget(self, tab: DocTab) -> None:
        self._doc.pop(tab.key, None)
        if tab is not self._tab:
            return
        self._tab = None
        # When the window closes, its editors can be destroyed after this label's timers.
        if isValid(self) and isValid(self._timer) and isValid(self._cursor_timer):
            self.update_now()
