"""A banner across the top of the window for what start-up found: a settings file kept
aside, a damaged library (with a Repair button that runs the doctor), each said once."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class NoticeBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("NoticeBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "#NoticeBar { border: 1px solid palette(mid); background: palette(alternate-base); }"
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action = QPushButton()
        self.action.hide()
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action)
        layout.addWidget(self.dismiss)
        self._messages: list[str] = []
        self._slot: Callable[[], object] | None = None
        self.action.clicked.connect(self._act)
        self.hide()

    def add(self, text: str) -> None:
        if text in self._messages:  # said once
            return
        self._messages.append(text)
        self.label.setText("<br>".join(f"⚠ {html.escape(m)}" for m in self._messages))
        self.show()

    def offer(self, text: str, slot: Callable[[], object]) -> None:
        """Show the one action (e.g. "Repair library") the notices lead to."""
        self._slot = slot
        self.action.setText(text)
        self.action.show()

    def clear(self) -> None:
        self._messages.clear()
        self._slot = None
        self.action.hide()
        self.hide()

    def messages(self) -> list[str]:
        return list(self._messages)

    def _act(self) -> None:
        if self._slot is not None:
            self._slot()
