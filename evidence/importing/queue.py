"""The import queue, shared by every process importing into one library.

Each import is an owner: it holds an OS lock on a file named by its token for as long as it
runs, and every queue row it works on carries that token. Another import takes a row as left
over only when its owner no longer holds that lock (it ended, or was killed: the OS drops the
lock with the process), so two imports at once never take each other's files. Rows are
claimed inside one IMMEDIATE transaction, so two imports cannot claim the same row.

`attempts` counts starts on a file that did not end (a kill, a crash, or power loss): such a
file is read in a child process next time, where a crash is known to be the file's own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from evidence.index.store import Store

log = logging.getLogger(__name__)

OWNERS_FOLDER = "importers"  # beside the database: one lock file per running import


class OwnerLock:
    """An exclusive, non-blocking OS lock on one file: held while the process lives."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return False
        if not _try_lock(fd):
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self, remove: bool = True) -> None:
        if self.fd is None:
            return
        if remove:  # before closing: a checker that locks it in between finds no file next
            with contextlib.suppress(OSError):
                self.path.unlink()
        os.close(self.fd)
        self.fd = None


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ImportQueue:
    """This process's view of the queue: what it claimed, and the leftovers it may take."""

    def __init__(self, store: Store) -> None:
        self.conn = store.conn
        self.folder = store.path.parent / OWNERS_FOLDER
        self.token = f"{os.getpid()}-{secrets.token_hex(6)}"
        self._lock = OwnerLock(self.folder / f"{self.token}.lock")
        with contextlib.suppress(OSError):
            self.folder.mkdir(exist_ok=True)
        if not self._lock.acquire():
            # Without a lock this import looks dead to others, who may take its files:
            # each is then imported twice at worst, never lost.
            log.warning("cannot lock %s; another import may also take this import's files",
                        self._lock.path)  # fmt: skip

    def close(self) -> None:
        self._lock.release()

    def __enter__(self) -> ImportQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def is_alive(self, owner: str | None) -> bool:
        """Whether the import `owner` still runs (it holds its lock file)."""
        if owner is None:
            return False
        if owner == self.token:
            return True
        probe = OwnerLock(self.folder / f"{owner}.lock")
        if not probe.path.exists():
            return False
        if probe.acquire():
            probe.release()  # its owner is gone: remove the stale lock file
            return False
        return True

    def add(self, paths: Iterable[str]) -> tuple[list[str], list[str]]:
        """Queue `paths` as this import's: (claimed, busy), busy being paths another running
        import is working on (it will import them; this one must not)."""
        paths = list(dict.fromkeys(paths))
        claimed: list[str] = []
        busy: list[str] = []
        with self._immediate():
            for path in paths:
                row = self.conn.execute(
                    "SELECT owner FROM import_queue WHERE path = ?", (path,)
                ).fetchone()
                if row is None:
                    self.conn.execute(
                        "INSERT INTO import_queue (path, queued_at, owner) VALUES (?, ?, ?)",
                        (path, _now(), self.token),
                    )
                elif self.is_alive(row[0]):
                    (claimed if row[0] == self.token else busy).append(path)
                    continue
                else:
                    self._claim(path)
                claimed.append(path)
        return claimed, busy

    def take_leftovers(self) -> list[tuple[str, int]]:
        """Claim the rows whose import ended without finishing them: (path, attempts), in
        the order they were queued. Rows of running imports are left to them."""
        taken: list[tuple[str, int]] = []
        alive: dict[str | None, bool] = {}
        with self._immediate():
            rows = self.conn.execute(
                "SELECT path, attempts, owner FROM import_queue ORDER BY rowid"
            ).fetchall()
            for path, attempts, owner in rows:
                if owner not in alive:
                    alive[owner] = self.is_alive(owner)
                if owner == self.token or not alive[owner]:
                    if owner != self.token:
                        self._claim(path)
                    taken.append((path, int(attempts)))
        return taken

    def start(self, path: str) -> None:
        """Count a start on `path`; done() or the source's own commit removes the row."""
        with self.conn:
            self.conn.execute(
                "UPDATE import_queue SET attempts = attempts + 1 WHERE path = ? AND owner = ?",
                (path, self.token),
            )

    def undo_start(self, path: str) -> None:
        """The start ended without a crash (cancelled while fetching): it does not count."""
        with self.conn:
            self.conn.execute(
                "UPDATE import_queue SET attempts = MAX(0, attempts - 1) WHERE path = ?",
                (path,),
            )

    def done(self, path: str) -> None:
        with self.conn:
            self.conn.execute(
                "DELETE FROM import_queue WHERE path = ? AND owner = ?", (path, self.token)
            )

    def _claim(self, path: str) -> None:
        self.conn.execute("UPDATE import_queue SET owner = ? WHERE path = ?", (self.token, path))

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock before reading owners: a claim is check-and-set.
        if self.conn.in_transaction:
            self.conn.commit()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()
