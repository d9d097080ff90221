"""The agent team's steps as a list model: one row per step, labelled with its role.

A QStandardItemModel on purpose: the view's layout and painting then read the items in C++,
never calling back into Python. With a Python `data()`, every one of the hundreds of calls a
word-wrapped list makes per layout must take the GIL, and while an import or the agents run
Python in their threads each take waits up to a switch interval: measured stalls of
150-250 ms on a 2-core machine (tests/test_gui_heartbeat.py).

Streamed tokens are not rows: they are appended to the role's current streaming row, and
coalesced so that thousands of tokens cost one change per FLUSH_MS, not one per token."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap, QStandardItem
from PySide6.QtGui import QStandardItemModel as _ItemModel

from agents.team.events import (
    CardCut,
    CardReviewed,
    Message,
    PassagesChosen,
    Planned,
    Reviewed,
    Role,
    RunDone,
    Searched,
    Started,
    StepEvent,
    StepFailed,
    TokenStreamed,
    WebPage,
    WebPagesRemoved,
    WebSearched,
)

FLUSH_MS = 50

# Mid-tone colours read on both the light and the dark palette.
ROLE_COLORS: dict[Role, QColor] = {
    Role.SEARCHER: QColor(66, 133, 244),
    Role.ANALYZER: QColor(171, 71, 188),
    Role.WRITER: QColor(52, 168, 83),
    Role.REVIEWER: QColor(245, 140, 20),
    Role.TEAM: QColor(140, 140, 140),
}
ERROR_COLOR = QColor(232, 72, 72)  # readable on white and on the dark base


def step_kind(event: StepEvent) -> str:
    """The kind of step a row shows, as a plain word for views: "card", "token", ..."""
    match event:
        case Started():
            return "start"
        case TokenStreamed():
            return "token"
        case Message() | WebPage() | WebPagesRemoved() | CardReviewed():
            return "message"
        case Searched() | WebSearched():
            return "evidence"
        case Planned() | PassagesChosen():
            return "plan"
        case CardCut():
            return "card"
        case Reviewed():
            return "review"
        case StepFailed():
            return "error"
        case RunDone():
            return "done"


@dataclass
class StepRow:
    event: StepEvent  # a streaming row holds its first piece
    text: str  # the event's text; a streaming row's grows with every piece

    @property
    def role(self) -> Role:
        return self.event.role

    @property
    def streaming(self) -> bool:
        return isinstance(self.event, TokenStreamed)

    def label(self) -> str:
        text = self.text.lstrip() if self.streaming else self.text
        match self.event:
            case CardCut():
                label = "card: "
            case Reviewed():
                label = "review: "
            case StepFailed():
                label = "error: "
            case TokenStreamed(role=Role.WRITER):  # the Analyzer streams its plan, not a tag
                label = "tag: "
            case _:
                label = ""
        return f"{self.role.value}  ·  {label}{text}"


class StepsModel(_ItemModel):
    RoleNameRole = Qt.ItemDataRole.UserRole + 1  # the agent role, "Writer"
    KindRole = Qt.ItemDataRole.UserRole + 2  # step_kind(), "card"
    EventRole = Qt.ItemDataRole.UserRole + 3  # the StepEvent itself (its typed fields)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StepRow] = []
        self._pending: list[TokenStreamed] = []
        self._icons: dict[Role, QIcon] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    def add_event(self, event: StepEvent) -> None:
        if isinstance(event, TokenStreamed):
            self._pending.append(event)
            if not self._timer.isActive():
                self._timer.start()
            return
        self.flush()  # keep the order: the tokens before this event land first
        self._append(StepRow(event, event.text))

    def flush(self) -> None:
        """Apply the coalesced tokens: at most one change per touched row."""
        self._timer.stop()
        pending, self._pending = self._pending, []
        touched: set[int] = set()
        fresh: list[StepRow] = []  # streaming rows started in this batch, not yet shown
        for piece in pending:
            new = next((r for r in fresh if r.role == piece.role), None)
            if new is not None:
                new.text += piece.text
                continue
            row = self._stream_row(piece.role)
            if row is None:
                fresh.append(StepRow(piece, piece.text))
            else:
                self._rows[row].text += piece.text
                touched.add(row)
        for row in sorted(touched):
            item = self.item(row)
            if item is not None:
                item.setText(self._rows[row].label())
        for step in fresh:
            self._append(step)

    def clear(self) -> None:
        self._timer.stop()
        self._rows, self._pending = [], []
        super().clear()

    def rows(self) -> list[StepRow]:
        self.flush()
        return list(self._rows)

    def _stream_row(self, role: Role) -> int | None:
        """The row the role's tokens go to: its last row, when that one is streaming."""
        for i in range(len(self._rows) - 1, -1, -1):
            if self._rows[i].role == role:
                return i if self._rows[i].streaming else None
        return None

    def _append(self, step: StepRow) -> None:
        item = QStandardItem(self._icon(step.role), step.label())
        item.setEditable(False)
        if not step.streaming:  # a streaming row's tooltip would go stale
            item.setToolTip(step.text)
        item.setData(step.role.value, self.RoleNameRole)
        item.setData(step_kind(step.event), self.KindRole)
        item.setData(step.event, self.EventRole)
        if isinstance(step.event, StepFailed):
            item.setForeground(QBrush(ERROR_COLOR))
        background = _background(step)
        if background is not None:
            item.setBackground(background)
        if isinstance(step.event, CardCut | RunDone):
            font = QFont()
            font.setBold(True)
            item.setFont(font)
        self._rows.append(step)
        self.appendRow(item)

    def _icon(self, role: Role) -> QIcon:
        icon = self._icons.get(role)
        if icon is None:
            pixmap = QPixmap(12, 12)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(ROLE_COLORS[role])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(1, 1, 10, 10)
            painter.end()
            icon = self._icons[role] = QIcon(pixmap)
        return icon


def _background(step: StepRow) -> QBrush | None:
    """Cards, reviews and errors stand out: a translucent tint works on either palette."""
    if isinstance(step.event, StepFailed):
        color = QColor(ERROR_COLOR)
    elif isinstance(step.event, CardCut | Reviewed):
        color = QColor(ROLE_COLORS[step.role])
    else:
        return None
    color.setAlpha(48)
    return QBrush(color)
