"""The main window opens on an empty library, remembers its layout, and closes cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop.context import AppContext
from desktop.main_window import MainWindow
from evidence.datadir import DataDir
from tests.gui_helpers import screenshot


def test_window_opens_and_restores_layout(qtbot, data_dir: DataDir, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ini = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(AppContext.open(data_dir), ini)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Debate Prep"
    window.outline_dock.hide()
    window.resize(760, 620)
    screenshot(window, "window-empty")
    window.close()

    again = MainWindow(AppContext.open(data_dir), ini)
    qtbot.addWidget(again)
    again.show()
    assert again.size().width() == 760
    assert again.outline_dock.isHidden()
    again.close()


@pytest.mark.parametrize("dark", [False, True])
def test_palette_applies(qtbot, dark: bool) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from desktop.app import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark)
    window_color = app.palette().color(QPalette.ColorRole.Window)
    assert (window_color.lightness() < 100) == dark
    apply_theme(app, False)


def test_main_window_fixture_uses_real_context(main_window) -> None:  # type: ignore[no-untyped-def]
    assert main_window.ctx.settings.threads == 1
    assert main_window.ctx.embedder().dim == 384
