"""A download in progress: where its partial file lives, what that file is a part of, and
the progress events and stop reasons a download reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.model_manager import files
from evidence.errors import EvidenceError, WebError


@dataclass(frozen=True)
class DownloadProgress:
    name: str
    phase: str  # "checking" (re-hashing a kept partial file), "downloading", "done"
    done: int
    total: int | None  # None while the size is unknown
    bytes_per_s: float  # smoothed over the last few seconds
    seconds_left: float | None

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total else None


class DownloadCancelled(EvidenceError):
    """The user stopped the download; the partial file is kept for a later resume."""

    def __init__(self, message: str, kept_bytes: int) -> None:
        super().__init__(message)
        self.kept_bytes = kept_bytes


class DownloadInterrupted(WebError):
    """The connection failed; what arrived is kept and the next download resumes it."""

    def __init__(self, message: str, kept_bytes: int) -> None:
        super().__init__(message)
        self.kept_bytes = kept_bytes


ProgressFn = Callable[[DownloadProgress], None]
CancelFn = Callable[[], bool]


def part_path(models_dir: Path, file_name: str) -> Path:
    return Path(models_dir) / files.DOWNLOADS / f"{file_name}.part"


def part_record(part: Path) -> dict[str, Any]:
    """What the .part file is (url, expected sha256 and size, server-stated total)."""
    try:
        data = json.loads(part.with_name(part.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
