"""Cards already read back, kept until an edit touches them, so reading a 3,000-card
document for an autosave costs the cards that changed, not all of them.

An entry hangs on its tag block through QTextBlock.userState (an index here; Qt keeps it
with the block across edits elsewhere and never copies it into pasted text). Every
contentsChange (typing, a key, undo, a move) clears the entries of the blocks it touches
and of the card before them, whose body may have grown or shrunk at its end.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QTextBlock, QTextDocument

from desktop.documents import roles as r
from evidence.cards.card import Analytic, Card

Leaf = Card | Analytic


class ReadCache:
    def __init__(self, qdoc: QTextDocument) -> None:
        self._qdoc = qdoc
        self._entries: dict[int, tuple[Leaf, int]] = {}
        self._next = 0
        qdoc.contentsChange.connect(self._changed)

    def get(self, tag: QTextBlock) -> tuple[Leaf, int] | None:
        """A copy of the card or analytic read at `tag`, and how many blocks it spans."""
        found = self._entries.get(tag.userState())
        if found is None:
            return None
        node, count = found
        if isinstance(node, Card):
            return replace(node, spans=list(node.spans), warnings=list(node.warnings)), count
        return replace(node), count

    def put(self, tag: QTextBlock, node: Leaf, count: int) -> None:
        self._next += 1
        self._entries[self._next] = (node, count)
        self._entries.pop(tag.userState(), None)
        tag.setUserState(self._next)  # changes no text: no contentsChange, no undo step

    def __len__(self) -> int:
        return len(self._entries)

    def _changed(self, pos: int, removed: int, added: int) -> None:
        del removed
        if not self._entries:
            return
        block = self._qdoc.findBlock(pos)
        last = self._qdoc.findBlock(pos + added)
        start = block.previous() if block.previous().isValid() else block
        while start.previous().isValid() and r.role_of(start) in (r.BODY, r.CITE):
            start = start.previous()
        while start.isValid():
            if start.userState() >= 0:
                self._entries.pop(start.userState(), None)
                start.setUserState(-1)
            if start == last:
                break
            start = start.next()
