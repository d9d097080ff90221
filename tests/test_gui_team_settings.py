"""Settings ▸ Team: the server address, the token (hidden as typed) and the name shares
carry are saved; an address that is not http(s) is refused with the reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLineEdit

from agents.runtime.gpu import GpuInfo
from desktop.settings.settings_dialog import SettingsDialog
from evidence.settings import load_settings
from tests.gui_helpers import screenshot


def open_dialog(qtbot: Any, ctx: Any) -> SettingsDialog:
    dlg = SettingsDialog(ctx, gpu=GpuInfo(offload_supported=False))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_team_settings_are_saved_and_checked(qtbot: Any, app_ctx: Any) -> None:
    dlg = open_dialog(qtbot, app_ctx)
    box = dlg.team
    assert box.token.echoMode() == QLineEdit.EchoMode.Password
    box.url.setText("ftp://squad.local")
    dlg.accept()
    assert dlg.isVisible() and "not an http(s) address" in dlg.errors.text()
    assert load_settings(app_ctx.data_dir.settings).team_url == ""

    box.url.setText("http://192.168.1.20:8000")
    box.token.setText("squad-secret")
    box.name.setText("Alice K.")
    screenshot(dlg, "settings-team")
    dlg.accept()
    saved = load_settings(app_ctx.data_dir.settings)
    assert (saved.team_url, saved.team_token, saved.team_name) == (
        "http://192.168.1.20:8000",
        "squad-secret",
        "Alice K.",
    )
    assert app_ctx.settings.team_name == "Alice K."
