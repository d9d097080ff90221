"""The agent team's steps as a list model: one row per step, labelled with its role.

A QStandardItemModel on purpose: the view's layout and painting then read the items in C++,
never calling back into Python. With a Python `data()`, every one of the hundreds of calls a
word-wrapped list makes per layout must take the GIL, and while an import or the agents run
Python in their threads each take waits up to a switch interval: measured stalls of
150-250 ms on a 2-core machine (tests/test_gui_heartbeat.py).

Streamed tokens are not rows: they are appended to the role's current streaming row, and
coalesced so that thousands of tokens cost one change per FLUSH_MS, not one per token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap, QStandardItem
from PySide6.QtGui import QStandardItemModel as _ItemModel

from agents.team.events import Role, StepEvent, StepKind

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
_KIND_LABEL = {
    StepKind.CARD: "card: ",
    StepKind.REVIEW: "review: ",
    StepKind.ERROR: "error: ",
    StepKind.TOKEN: "tag: ",
}


@dataclass
class StepRow:
    role: Role
    kind: StepKind
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        text = self.text.lstrip() if self.kind == StepKind.TOKEN else self.text
        label = _KIND_LABEL.get(self.kind, "")
        if self.kind == StepKind.TOKEN and self.role != Role.WRITER:
            label = ""  # only the Writer streams a tag; the Analyzer streams its plan
        return f"{self.role.value}  ·  {label}{text}"


class StepsModel(_ItemModel):
    RoleNameRole = Qt.ItemDataRole.UserRole + 1  # the agent role, "Writer"
    KindRole = Qt.ItemDataRole.UserRole + 2  # the StepKind value, "card"
    EventDataRole = Qt.ItemDataRole.UserRole + 3  # the event's data dict

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StepRow] = []
        self._pending: list[tuple[Role, str]] = []
        self._icons: dict[Role, QIcon] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    def add_event(self, event: StepEvent) -> None:
        if event.kind == StepKind.TOKEN:
            self._pending.append((event.role, event.text))
            if not self._timer.isActive():
                self._timer.start()
            return
        self.flush()  # keep the order: the tokens before this event land first
        self._append(StepRow(event.role, event.kind, event.text, dict(event.data)))

    def flush(self) -> None:
        """Apply the coalesced tokens: at most one change per touched row."""
        self._timer.stop()
        pending, self._pending = self._pending, []
        touched: set[int] = set()
        fresh: list[StepRow] = []  # streaming rows started in this batch, not yet shown
        for role, text in pending:
            new = next((r for r in fresh if r.role == role), None)
            if new is not None:
                new.text += text
                continue
            row = self._stream_row(role)
            if row is None:
                fresh.append(StepRow(role, StepKind.TOKEN, text))
            else:
                self._rows[row].text += text
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
                return i if self._rows[i].kind == StepKind.TOKEN else None
        return None

    def _append(self, step: StepRow) -> None:
        item = QStandardItem(self._icon(step.role), step.label())
        item.setEditable(False)
        if step.kind != StepKind.TOKEN:  # a streaming row's tooltip would go stale
            item.setToolTip(step.text)
        item.setData(step.role.value, self.RoleNameRole)
        item.setData(step.kind.value, self.KindRole)
        item.setData(step.data, self.EventDataRole)
        if step.kind == StepKind.ERROR:
            item.setForeground(QBrush(ERROR_COLOR))
        background = _background(step)
        if background is not None:
            item.setBackground(background)
        if step.kind in (StepKind.CARD, StepKind.DONE):
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
    if step.kind == StepKind.ERROR:
        color = QColor(ERROR_COLOR)
    elif step.kind in (StepKind.CARD, StepKind.REVIEW):
        color = QColor(ROLE_COLORS[step.role])
    else:
        return None
    color.setAlpha(48)
    return QBrush(color)
