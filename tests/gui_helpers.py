"""Helpers for the window tests: a main window on a private data dir, screenshots."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import ARTIFACTS

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCREENSHOTS = ARTIFACTS / "screenshots"


def screenshot(widget, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save what the widget shows now; look at these files after a change."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path
