"""Where the app keeps everything: one directory, from platformdirs unless overridden."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "debate-prep"
ENV_VAR = "DEBATE_PREP_HOME"


@dataclass(frozen=True)
class DataDir:
    """The layout of the data directory. Every path the app writes comes from here."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "library.sqlite3"

    @property
    def vectors(self) -> Path:
        return self.root / "vectors"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def log_file(self) -> Path:
        return self.logs / "debate-prep.log"

    def create(self) -> DataDir:
        for folder in (self.root, self.vectors, self.models, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_data_dir(override: str | os.PathLike[str] | None = None) -> DataDir:
    """`--data-dir` wins, then $DEBATE_PREP_HOME, then the platform's user data dir."""
    if override:
        root = Path(override)
    elif os.environ.get(ENV_VAR):
        root = Path(os.environ[ENV_VAR])
    else:
        root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return DataDir(root.expanduser().resolve())
