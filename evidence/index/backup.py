"""Backups of the library database, and the journal of what was imported since.

A backup is SQLite's online backup (`Connection.backup`) into `backups/` in the data dir: a
consistent copy taken while other connections read and write. One is made after an import
that changed the library, at most once a day (`EVERY_S`); the last `KEEP` are kept, fewer
when together they pass the size bound (the newest is always kept). The journal
(`backups/imports.jsonl`) is one line per imported file, outside the database, so a restore
can queue again what came after its backup even when the damaged database cannot be read.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

KEEP = 5
EVERY_S = 24 * 3600  # at most one backup a day; the journal covers the imports in between
MAX_TOTAL_BYTES = 4_000_000_000  # all backups together; the newest is kept whatever its size
PREFIX, SUFFIX = "library-", ".sqlite3"
JOURNAL = "imports.jsonl"
MAX_JOURNAL_BYTES = 50_000_000  # read bound; a line is ~150 bytes


@dataclass(frozen=True)
class Backup:
    path: Path
    made: datetime  # UTC, from the name
    size: int


@dataclass(frozen=True)
class BackupMade:
    path: Path
    seconds: float
    size: int
    removed: int  # older backups rotated out


def backup_folder(database: Path) -> Path:
    return database.parent / "backups"


def list_backups(folder: Path) -> list[Backup]:
    """Backups newest first (by the time in their names)."""
    found: list[Backup] = []
    for path in folder.glob(f"{PREFIX}*{SUFFIX}"):
        stamp = path.name[len(PREFIX) : -len(SUFFIX)]
        try:
            made = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
            size = path.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(Backup(path, made, size))
    return sorted(found, key=lambda b: b.made, reverse=True)


def backup_due(folder: Path, every_s: float = EVERY_S) -> bool:
    """Whether the newest backup is older than `every_s` (or there is none)."""
    newest = list_backups(folder)[:1]
    return not newest or (datetime.now(UTC) - newest[0].made).total_seconds() >= every_s


def make_backup(
    conn: sqlite3.Connection,
    folder: Path,
    *,
    keep: int = KEEP,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> BackupMade:
    """Copy the database behind `conn` into `folder` (written under a temporary name, then
    renamed: a kill leaves no half backup) and rotate; OSError/sqlite3.Error propagate."""
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    target = folder / f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"
    partial = target.with_name(f".{target.name}.partial")
    dest = sqlite3.connect(partial)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    os.replace(partial, target)
    removed = rotate(folder, keep=keep, max_total_bytes=max_total_bytes)
    size = target.stat().st_size
    seconds = time.monotonic() - started
    log.info("library backed up to %s (%d bytes, %.2f s)", target, size, seconds)
    return BackupMade(target, seconds, size, removed)


def rotate(folder: Path, *, keep: int = KEEP, max_total_bytes: int = MAX_TOTAL_BYTES) -> int:
    """Keep the newest `keep` backups within `max_total_bytes` (always the newest one)."""
    backups = list_backups(folder)
    kept, total, removed = 0, 0, 0
    for b in backups:
        if kept == 0 or (kept < keep and total + b.size <= max_total_bytes):
            kept, total = kept + 1, total + b.size
            continue
        try:
            b.path.unlink()
            removed += 1
        except OSError:
            log.warning("could not remove old backup %s", b.path)
    for stale in folder.glob(f".{PREFIX}*.partial"):  # from a killed backup
        stale.unlink(missing_ok=True)
    return removed


def is_good(path: Path) -> bool:
    """Whether a backup opens and passes SQLite's quick check (read-only)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(conn.execute("PRAGMA quick_check").fetchone()[0] == "ok")
        finally:
            conn.close()
    except sqlite3.Error:
        return False


# -- the journal ---------------------------------------------------------------------------


def record_imports(folder: Path, origins: Iterable[str]) -> None:
    """Append the files an import stored (best effort: a failure is logged, not raised)."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    lines = "".join(json.dumps({"t": now, "origin": o}) + "\n" for o in origins)
    if not lines:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / JOURNAL, "a", encoding="utf-8") as fh:
            fh.write(lines)
    except OSError as exc:
        log.warning("could not record imports in the journal: %s", exc)


def imported_since(folder: Path, since: datetime | None) -> list[str]:
    """Origins the journal records after `since` (all when None), each once, oldest first.
    Damaged lines are skipped: the journal is a hint for re-queuing, never the truth."""
    path = folder / JOURNAL
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_JOURNAL_BYTES)
    except OSError:
        return []
    out: dict[str, None] = {}
    for raw in data.decode("utf-8", "replace").splitlines():
        try:
            item = json.loads(raw)
            when = datetime.fromisoformat(item["t"])
            origin = item["origin"]
        except (ValueError, KeyError, TypeError, RecursionError):
            continue
        if isinstance(origin, str) and (since is None or when > since):
            out[origin] = None
    return list(out)
