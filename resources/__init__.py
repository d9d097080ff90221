"""Bundled resources (prompts, icons, styles, model catalog), found through one helper."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, in a checkout, an installed wheel or a frozen build.

    PyInstaller unpacks data under sys._MEIPASS; elsewhere resources sit beside this file.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    base = Path(frozen_root) / "resources" if frozen_root else Path(__file__).resolve().parent
    return base.joinpath(*parts)
