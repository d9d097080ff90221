"""Start the window: the QApplication, the palette (light or dark, following the system),
the main window."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from app.context import AppContext
from desktop.main_window import MainWindow
from evidence.datadir import DataDir
from resources import resource_path

log = logging.getLogger(__name__)


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor(30, 31, 34), QColor(43, 45, 48), QColor(223, 225, 229)
    for role, color in {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: window,
        QPalette.ColorRole.ToolTipBase: window,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: window,
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor(255, 100, 100),
        QPalette.ColorRole.Highlight: QColor(53, 116, 240),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(88, 157, 246),
        QPalette.ColorRole.PlaceholderText: QColor(140, 143, 148),
    }.items():
        p.setColor(role, color)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(120, 120, 120))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(120, 120, 120))
    return p


def apply_theme(app: QApplication, dark: bool | None = None) -> None:
    """Fusion everywhere (the same look on every OS); dark when asked or when the system is."""
    app.setStyle("Fusion")
    if dark is None:
        dark = QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    app.setPalette(dark_palette() if dark else app.style().standardPalette())


def make_app(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else "debate-prep", *argv])
    app.setApplicationName("Debate Prep")
    app.setOrganizationName("Debate Prep")
    app.setApplicationDisplayName("Debate Prep")
    app.setDesktopFileName("debate-prep")  # matches the installed .desktop entry
    icon = resource_path("icons", "debate-prep.png")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def display_problem() -> str:
    """Why no window can open here ("" when one can): a clear message beats Qt's abort."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return ""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return ""
    return (
        "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset): start "
        "Debate Prep from a desktop session; the command line works anywhere (debate-prep --help)"
    )


def run_app(data_dir: DataDir) -> int:
    problem = display_problem()
    if problem:
        log.error("%s", problem)
        print(f"error: {problem}", file=sys.stderr)
        return 1
    app = make_app()
    apply_theme(app)
    window = MainWindow(AppContext.open(data_dir))
    window.show()
    return app.exec()
