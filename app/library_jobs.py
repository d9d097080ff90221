"""The Library panel's work, as plain job functions `fn(report, cancelled)` (app/jobs.py).

Each opens its own Library (SQLite connections belong to one thread) and closes it in the
same thread. Nothing here touches Qt widgets."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from app.context import AppContext
from app.jobs import JobFn, Report
from evidence.cancel import CancelCheck
from evidence.errors import EvidenceError
from evidence.importing.events import ImportFinished
from evidence.index.records import IndexStatus, SourceRecord

DEFAULT_EMBEDDER = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class LibrarySnapshot:
    sources: list[SourceRecord]
    status: IndexStatus
    embedding_model: str  # a name for people, not the model id
    embedder_error: str  # why vectors cannot be computed now; "" when they can


def embedding_model_name(setting: str) -> str:
    return PurePath(setting).name if setting else f"{DEFAULT_EMBEDDER} (default)"


def snapshot_job(ctx: AppContext, *, open_vectors: bool = False) -> JobFn:
    """Sources and index status. `open_vectors`: also open the vector index, which repairs
    it after a kill when this is the process's first Library (the panel's first refresh,
    which runs before any import is let through)."""

    def run(report: Report, cancelled: CancelCheck) -> LibrarySnapshot:
        lib = ctx.open_library()
        try:
            error = ""
            try:
                lib.embedder()  # loads once per process; tells why it cannot
                if open_vectors:
                    lib.vectors()
            except EvidenceError as exc:
                error = str(exc)
            return LibrarySnapshot(
                lib.sources(),
                lib.status(),
                embedding_model_name(ctx.settings.embedding_model),
                error,
            )
        finally:
            lib.close()

    return run


def import_job(ctx: AppContext, paths: Sequence[Path | str]) -> JobFn:
    """Import files, folders and web addresses (str), then compute vectors; no paths =
    resume what is queued."""
    chosen = list(paths)

    def run(report: Report, cancelled: CancelCheck) -> ImportFinished | None:
        lib = ctx.open_library()
        finished: ImportFinished | None = None
        try:
            for event in lib.import_paths(chosen, cancelled):
                if isinstance(event, ImportFinished):
                    finished = event
                report(event)
        finally:
            lib.close()
        return finished

    return run


def remove_job(ctx: AppContext, source_ids: Sequence[int]) -> JobFn:
    ids = list(source_ids)

    def run(report: Report, cancelled: CancelCheck) -> int:
        lib = ctx.open_library()
        try:
            # Open the vectors so removed passages' vectors go now; without an embedder the
            # deletions stay queued in SQLite for later.
            with contextlib.suppress(EvidenceError):
                lib.vectors()
            return sum(1 for sid in ids if lib.remove(sid))
        finally:
            lib.close()

    return run
