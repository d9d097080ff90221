"""A download in progress: where its partial file lives, what that file is a part of, and
the progress events and stop reasons a download reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.models import files
from agents.models.catalog import CatalogEntry
from evidence.atomic import atomic_write_text
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


def part_path(models_dir: Path, file_name: str) -> Path:
    return Path(models_dir) / files.DOWNLOADS / f"{file_name}.part"


def part_record(part: Path) -> dict[str, Any]:
    """What the .part file is (url, expected sha256 and size, server-stated total)."""
    try:
        data = json.loads(part.with_name(part.name + ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def part_is_for(record: dict[str, Any], entry: CatalogEntry) -> bool:
    """Was the .part with this record downloading this very catalog file?"""
    return bool(record) and all(
        record.get(k) == v
        for k, v in (
            ("url", entry.url),
            ("sha256", entry.sha256),
            ("size_bytes", entry.size_bytes),
        )
    )


def write_part_record(part: Path, entry: CatalogEntry, total: int | None) -> None:
    """Record what the .part file is, for part_record; raises OSError."""
    record = {
        "name": entry.name,
        "url": entry.url,
        "sha256": entry.sha256,
        "size_bytes": entry.size_bytes,
        "approx_size_bytes": entry.approx_size_bytes,
        "total": total,
    }
    atomic_write_text(part.with_name(part.name + ".json"), json.dumps(record, indent=1) + "\n")
