"""The Settings dialog's switch for links that lead out of an imported folder (issue 17)."""

from __future__ import annotations

from desktop.settings.settings_dialog import SettingsDialog
from evidence.settings import load_settings
from tests.gui_helpers import screenshot


def test_the_follow_links_switch_is_off_by_default_and_saved(qtbot, app_ctx) -> None:  # type: ignore[no-untyped-def]
    dlg = SettingsDialog(app_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert not dlg.follow_links.isChecked()
    dlg.follow_links.setChecked(True)
    screenshot(dlg, "settings-follow-links")
    dlg.accept()
    assert dlg.result() == 1, dlg.errors.text()
    assert load_settings(app_ctx.data_dir.settings).follow_links
    assert app_ctx.settings.follow_links  # the next import uses it
    again = SettingsDialog(app_ctx)
    qtbot.addWidget(again)
    assert again.follow_links.isChecked()
