"""The visible web switch in the status bar. Off (the default) means the app opens no network
connection at all: no page fetch, no web search, no model download."""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QToolButton, QWidget

from app.context import AppContext

log = logging.getLogger(__name__)

ON_TIP = (
    "Web access is ON: web pages can be added, the Searcher may search the web, and models "
    "can be downloaded. Click to turn all network use off."
)
OFF_TIP = (
    "Web access is OFF: the app makes no network connection at all. Click to allow adding "
    "web pages, web search by the Searcher and model downloads."
)


class WebSwitch(QToolButton):
    changed = Signal(bool)  # the saved state after a click (or after Settings changed it)
    failed = Signal(str)  # the settings file could not be written: the switch did not move

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("WebSwitch")
        self.setCheckable(True)
        self.setAutoRaise(True)
        self.clicked.connect(self._on_click)
        self.sync()

    def sync(self) -> None:
        """Show the state the settings hold (after the Settings dialog saved)."""
        on = self.ctx.settings.web_access
        self.setChecked(on)
        self.setText("● Web: on" if on else "○ Web: off")
        font = self.font()
        font.setBold(on)  # on is the unusual state: make it stand out
        self.setFont(font)
        self.setToolTip(ON_TIP if on else OFF_TIP)
        self.setAccessibleName("Web access on" if on else "Web access off")

    def set_on(self, on: bool) -> None:
        """Turn web access on or off and save it; running work sees it at its next request."""
        if on == self.ctx.settings.web_access:
            self.sync()
            return
        try:
            self.ctx.save_settings(dataclasses.replace(self.ctx.settings, web_access=on))
        except OSError as exc:
            log.error("cannot save the web switch: %s", exc)
            self.sync()
            self.failed.emit(f"Web access not changed: cannot save the settings ({exc})")
            return
        log.info("web access turned %s", "on" if on else "off")
        self.sync()
        self.changed.emit(on)

    def _on_click(self, checked: bool) -> None:
        self.set_on(checked)
