"""The Team part of the Settings dialog: the squad's Chroma server, its token (never shown),
and the name shares carry. The server is checked when used (`team connect` checks it at once);
here only the address's form is, so saving never waits on the network."""

from __future__ import annotations

import dataclasses
import getpass
from urllib.parse import urlsplit

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from evidence.settings import Settings


def team_problems(s: Settings) -> list[str]:
    if not s.team_url:
        return []
    parts = urlsplit(s.team_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return [f"Team library: {s.team_url!r} is not an http(s) address"]
    return []


class TeamSettingsBox(QGroupBox):
    def __init__(self, s: Settings, parent: QWidget | None = None) -> None:
        super().__init__("Team library", parent)
        self.url = QLineEdit(s.team_url)
        self.url.setPlaceholderText("None (or the squad's Chroma server: http://192.168.1.20:8000)")
        self.token = QLineEdit(s.team_token)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)  # on screen during a round
        self.token.setPlaceholderText("The squad's token")
        self.name = QLineEdit(s.team_name)
        self.name.setPlaceholderText(f"{_user()} (your name on what you share)")
        note = QLabel(
            "Search it with the Mine | Team | Both switch above the results; share with "
            "`debate-prep team share`. A server on your network needs local addresses allowed."
        )
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Server:", self.url)
        form.addRow("Token:", self.token)
        form.addRow("Share as:", self.name)
        form.addRow(note)

    def apply(self, s: Settings) -> Settings:
        return dataclasses.replace(
            s,
            team_url=self.url.text().strip(),
            team_token=self.token.text().strip(),
            team_name=self.name.text().strip(),
        )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "your user name"
