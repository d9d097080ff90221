"""The main window opens on an empty library, remembers its layout, and closes cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app.context import AppContext
from desktop.main_window import MainWindow
from evidence.datadir import DataDir
from tests.conftest import close_quietly
from tests.gui_helpers import screenshot


def test_window_opens_and_restores_layout(qtbot, data_dir: DataDir, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ini = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(AppContext.open(data_dir), ini)
    qtbot.addWidget(window, before_close_func=close_quietly)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "Debate Prep"
    assert window.tabs.all() == [] and window.tabs.currentIndex() == 0  # the "open one" hint
    window.assistant_dock.hide()
    window.resize(760, 620)
    screenshot(window, "window-empty")
    window.close()

    again = MainWindow(AppContext.open(data_dir), ini)
    qtbot.addWidget(again)
    again.show()
    assert again.size().width() == 760
    assert again.assistant_dock.isHidden() and not again.search_dock.isHidden()
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


def test_qt_calls_keep_none_alive(qtbot) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call, and the
    app dies after some thousands ("none_dealloc"); pyproject pins PySide6 below it."""
    import sys

    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(5000):
        obj.setObjectName("x")
    assert sys.getrefcount(None) >= before - 100


def test_close_asks_about_user_work_then_cancels_and_waits(  # type: ignore[no-untyped-def]
    qtbot, app_ctx, tmp_path: Path, monkeypatch
) -> None:
    import time

    from PySide6.QtWidgets import QMessageBox

    from desktop.jobs import Job

    asked: list[str] = []
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]

    def question(parent, title, text):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answers[len(asked) - 1]

    monkeypatch.setattr(QMessageBox, "question", question)
    ini = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(app_ctx, ini)
    qtbot.addWidget(window, before_close_func=close_quietly)
    window.show()

    def work(report, cancelled) -> str:  # type: ignore[no-untyped-def]
        while not cancelled():
            time.sleep(0.01)
        return "stopped"

    job = window.jobs.start(Job("long import", work, user_work=True))
    window.close()  # "No": the window stays, the work goes on
    assert window.isVisible() and job.is_running()
    window.close()  # "Yes": cancelled and joined before the window goes
    assert not window.isVisible() and not job.is_running()
    assert len(asked) == 2 and "long import" in asked[0]
