"""Is the library database fit to open? Checked once per process, before the first connection.

- A clean-close marker: while a process has the library open it holds an OS lock on its
  own marker file, removed when its last connection closes (or at exit). A marker nobody
  holds means a run was killed (or the machine lost power) with the library open, and
  then SQLite's `PRAGMA quick_check` runs.
- A missing or empty (0-byte) database beside vectors, backups or the import journal is
  damage, never "a new library": connecting would create an empty database, and the
  start-up reconcile would then delete every vector "without a passage". Nothing is touched
  until the user has been told and chose to repair (`debate-prep doctor --repair`).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sqlite3
import sys
import threading
from pathlib import Path
from typing import IO

from evidence.index.backup import JOURNAL, backup_folder, list_backups

log = logging.getLogger(__name__)

REPAIR_HINT = "run `debate-prep doctor --repair` (or Repair in the window) to restore it"


class LibraryDamaged(Exception):
    """The library database is damaged or missing beside data that shows it existed."""


_lock = threading.Lock()
_checked: dict[Path, str | None] = {}  # database -> why it is damaged (None: fit)
_markers: dict[Path, tuple[IO[bytes], int]] = {}  # held markers and their open connections
_exit_hook = False


def ensure_fit(database: Path) -> None:
    """Raise LibraryDamaged (saying what to do) when the database must not be opened; the
    first call of a process checks, later ones repeat its answer. Each call that returns
    counts one open connection: pair it with `closed`."""
    database = database.resolve()
    with _lock:
        if database not in _checked:
            _checked[database] = _first_check(database)
        reason = _checked[database]
        if not reason:
            _hold_marker(database)
    if reason:
        raise LibraryDamaged(f"{reason}; {REPAIR_HINT}")


def closed(database: Path) -> None:
    """A connection `ensure_fit` let open was closed; the last one removes the marker."""
    database = database.resolve()
    with _lock:
        fh, count = _markers.get(database, (None, 0))
        if fh is None:
            return
        if count > 1:
            _markers[database] = (fh, count - 1)
            return
        _release(database)


def forget(database: Path) -> None:
    """After a repair: the next open checks again."""
    with _lock:
        _checked.pop(database.resolve(), None)


def damage_reason(database: Path, *, full: bool = False) -> str | None:
    """Why the database is damaged, or None. `full`: PRAGMA integrity_check (slow, for the
    doctor) instead of quick_check; both read every page."""
    gone = missing_reason(database)
    if gone or not database.exists():
        return gone
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30.0)
        try:
            pragma = "integrity_check(20)" if full else "quick_check(20)"
            rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"the library database {database} is damaged ({exc})"
    if rows != ["ok"]:
        return f"the library database {database} is damaged ({'; '.join(rows[:3])})"
    return None


def missing_reason(database: Path) -> str | None:
    """Why a missing or empty database is damage (None when it is a new library)."""
    try:
        size = database.stat().st_size
    except FileNotFoundError:
        size = -1
    if size > 0:
        return None
    traces = library_traces(database)
    if not traces:
        return None
    what = "is missing" if size < 0 else "is empty (0 bytes)"
    return f"the library database {database} {what}, but {' and '.join(traces)} remain"


def library_traces(database: Path) -> list[str]:
    """What in the data dir shows a library existed: vectors, backups, the import journal."""
    found = []
    backups = backup_folder(database)
    if list_backups(backups):
        found.append("its backups")
    if (backups / JOURNAL).exists():
        found.append("its import journal")
    if _vectors_hold_data(database.parent / "vectors" / "chroma.sqlite3"):
        found.append("its vectors")
    return found


def _vectors_hold_data(chroma: Path) -> bool:
    try:
        if chroma.stat().st_size == 0:
            return False
    except OSError:
        return False
    try:
        conn = sqlite3.connect(f"file:{chroma}?mode=ro", uri=True)
        try:
            return bool(conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] > 0)
        finally:
            conn.close()
    except sqlite3.Error:
        return True  # a garbled vector store still shows there was a library


def _first_check(database: Path) -> str | None:
    gone = missing_reason(database)
    if gone:
        log.error("%s", gone)
        return gone
    stale = _stale_markers(database)
    if stale and database.exists():
        log.warning("the library was not closed cleanly last time; checking it")
        reason = damage_reason(database)
        if reason:
            log.error("%s", reason)
            return reason  # markers stay: the next start checks again
    for marker in stale:
        marker.unlink(missing_ok=True)
    return None


def _marker_glob(database: Path) -> str:
    return f".{database.name}.open-*"


def _stale_markers(database: Path) -> list[Path]:
    stale = []
    for marker in database.parent.glob(_marker_glob(database)):
        try:
            with open(marker, "a+b") as fh:
                if _try_lock(fh.fileno()):
                    _unlock(fh.fileno())
                    stale.append(marker)
        except OSError:
            continue
    return stale


def _marker(database: Path) -> Path:
    return database.parent / f".{database.name}.open-{os.getpid()}"


def _hold_marker(database: Path) -> None:
    """Count one more connection; the first one creates and locks this process's marker."""
    global _exit_hook
    fh, count = _markers.get(database, (None, 0))
    if fh is not None:
        _markers[database] = (fh, count + 1)
        return
    try:
        fh = open(_marker(database), "a+b")  # noqa: SIM115 (held while connections are open)
    except OSError as exc:
        log.warning("no clean-close marker (%s): damage is found only by `doctor`", exc)
        return
    if not _try_lock(fh.fileno()):
        fh.close()
        return
    _markers[database] = (fh, 1)
    if not _exit_hook:
        atexit.register(_release_all)
        _exit_hook = True


def _release(database: Path) -> None:
    fh, _ = _markers.pop(database, (None, 0))
    if fh is not None:
        with contextlib.suppress(OSError):
            _marker(database).unlink()  # first: on Windows an open file cannot be removed
        with contextlib.suppress(OSError):
            fh.close()
            _marker(database).unlink(missing_ok=True)


def _release_all() -> None:
    with _lock:
        for database in list(_markers):
            _release(database)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
