"""Repairing a damaged library database: keep it aside, restore the newest good backup, and
queue again what was imported since (from the journal, and from whatever of the damaged
database can still be read). Without a good backup the library starts empty and every file
it is known to have held is queued. The next import (`doctor --repair` runs it) reads them
again from their source paths; files that no longer exist are listed, not guessed at.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from evidence.at_rest import keep_aside
from evidence.index import health
from evidence.index.backup import backup_folder, imported_since, is_good, list_backups
from evidence.index.store import Store

log = logging.getLogger(__name__)


@dataclass
class Restored:
    kept_as: Path | None  # where the damaged database went (None: there was none)
    backup: Path | None  # the backup restored (None: none was good; a new library)
    queued: list[str] = field(default_factory=list)  # files queued to import again
    gone: list[str] = field(default_factory=list)  # files it held that no longer exist

    def describe(self) -> str:
        parts = [
            f"restored from the backup {self.backup.name}"
            if self.backup
            else "no good backup: started a new library"
        ]
        if self.kept_as:
            parts.append(f"the damaged file was kept as {self.kept_as}")
        parts.append(f"{len(self.queued)} files queued to import again")
        if self.gone:
            parts.append(f"{len(self.gone)} files it held no longer exist")
        return "; ".join(parts)


def restore_database(database: Path) -> Restored:
    """Replace a damaged database by its newest good backup (or a new one), queue what came
    after, and return what was done. The damaged file is renamed, never deleted."""
    salvaged = salvage_origins(database)
    kept = _keep_damaged(database)
    folder = backup_folder(database)
    good = next((b for b in list_backups(folder) if is_good(b.path)), None)
    if good is not None:
        src = sqlite3.connect(f"file:{good.path}?mode=ro", uri=True)
        dest = sqlite3.connect(database)
        try:
            src.backup(dest)
        finally:
            dest.close()
            src.close()
    # Files imported after the backup are queued even when it holds an older version (the
    # importer reads a file again only if it changed); what the damaged file still names
    # is queued when the backup lacks it.
    since = imported_since(folder, good.made if good else None)
    health.forget(database)
    store = Store(database)
    try:
        have = {s.origin for s in store.sources()}
        queued = list(dict.fromkeys(since + [o for o in salvaged if o not in have]))
        readable = [o for o in queued if _still_there(o)]
        store.enqueue(readable)
    finally:
        store.close()
    gone = [o for o in queued if o not in readable]
    result = Restored(kept, good.path if good else None, readable, gone)
    log.warning("library database repaired: %s", result.describe())
    return result


def salvage_origins(database: Path) -> list[str]:
    """The source paths a damaged database still gives up (best effort, read-only)."""
    found: list[str] = []
    if not database.exists() or database.stat().st_size == 0:
        return found
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    except sqlite3.Error:
        return found
    try:
        for sql in ("SELECT origin FROM sources", "SELECT path FROM import_queue"):
            try:
                for (origin,) in conn.execute(sql):
                    if isinstance(origin, str):
                        found.append(origin)
            except sqlite3.Error as exc:
                log.info("salvage stopped (%s): %d paths so far", exc, len(found))
    finally:
        conn.close()
    return found


def _keep_damaged(database: Path) -> Path | None:
    kept = keep_aside(database, "damaged") if database.exists() else None
    for extra in ("-wal", "-shm"):  # a WAL belongs to the damaged file, not to the restore
        side = database.with_name(database.name + extra)
        if side.exists():
            target = (
                kept.with_name(kept.name + extra) if kept else side.with_name(side.name + ".old")
            )
            side.replace(target)
    return kept


def _still_there(origin: str) -> bool:
    if origin.startswith(("http://", "https://")):
        return True  # fetched again when web access is on
    try:
        return Path(origin).is_file()
    except OSError:
        return False
