"""Verbatim's Emphasis is boxed (bold, underlined, in a thin border); Qt's character
formats have no border, so the boxes are drawn over the view's visible paragraphs only,
after Qt has painted them (a few dozen fragments a paint, whatever the document's size).
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QPainter, QPen, QTextBlock, QTextDocument, QTextLine
from PySide6.QtWidgets import QTextEdit

from desktop.documents import roles as r


class EmphasisBoxes:
    def __init__(self) -> None:
        self._doc: QTextDocument | None = None
        self._emphasis: dict[int, bool] = {}  # per char format index of the document

    def paint(self, view: QTextEdit, painter: QPainter, area: QRect) -> None:
        """Boxes over the paragraphs that meet `area` (viewport coordinates)."""
        qdoc = view.document()
        if qdoc is not self._doc:
            self._doc, self._emphasis = qdoc, {}
        dx = -view.horizontalScrollBar().value()
        dy = -view.verticalScrollBar().value()
        layout = qdoc.documentLayout()
        pen = QPen(view.palette().text().color())
        pen.setWidthF(1.0)
        painter.setPen(pen)
        block = _block_at(qdoc, area.top() - dy)
        while block.isValid() and layout.blockBoundingRect(block).top() + dy <= area.bottom():
            if r.role_of(block) == r.BODY:
                for start, end in self._runs(block):
                    for rect in _rects(block, start, end):
                        painter.drawRect(rect.translated(dx, dy).adjusted(0, 1, 0, -1))
            block = block.next()

    def _runs(self, block: QTextBlock) -> list[tuple[int, int]]:
        """Emphasis runs of the block, as positions inside it (neighbours merged)."""
        runs: list[tuple[int, int]] = []
        base = block.position()
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            index = frag.charFormatIndex()
            on = self._emphasis.get(index)
            if on is None:
                on = self._emphasis[index] = r.marks_of(frag.charFormat()).emphasis
            if on:
                a = frag.position() - base
                b = a + frag.length()
                if runs and runs[-1][1] == a:
                    runs[-1] = (runs[-1][0], b)
                else:
                    runs.append((a, b))
            it += 1
        return runs


def _block_at(qdoc: QTextDocument, y: float) -> QTextBlock:
    """The block at height `y` of the document, by bisection over block numbers (Qt's own
    hit test, cursorForPosition, took ~7 ms a paint in a 1,000-card document). Qt lays a
    document out lazily from the top, so a block with no lines yet lies below anything
    painted: asking for its rectangle would lay out everything above it first (~0.9 s on
    the first paint of a 3,000-card file), so it counts as below without being asked."""
    layout = qdoc.documentLayout()
    lo, hi = 0, qdoc.blockCount() - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        block = qdoc.findBlockByNumber(mid)
        if block.layout().lineCount() and layout.blockBoundingRect(block).top() <= y:
            lo = mid
        else:
            hi = mid - 1
    return qdoc.findBlockByNumber(lo)


def _rects(block: QTextBlock, start: int, end: int) -> list[QRectF]:
    """The box of [start, end) on each line it crosses, in document coordinates."""
    text_layout = block.layout()
    origin = text_layout.position()
    out: list[QRectF] = []
    for i in range(text_layout.lineCount()):
        line = text_layout.lineAt(i)
        a = max(start, line.textStart())
        b = min(end, line.textStart() + line.textLength())
        if a >= b:
            continue
        x1, x2 = _x(line, a), _x(line, b)
        out.append(QRectF(x1, line.y(), x2 - x1, line.height()).translated(origin))
    return out


def _x(line: QTextLine, pos: int) -> float:
    """QTextLine.cursorToX: PySide gives (x, position) back; its stubs say object."""
    value = line.cursorToX(pos)
    return float(value[0] if isinstance(value, tuple) else value)  # type: ignore[arg-type]
