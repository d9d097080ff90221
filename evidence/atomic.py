"""Atomic writes for user files: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

STALE_TEMP_S = 600  # a write of ours running longer than this is not expected


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "wb", *, perms: int | None = None) -> Iterator[IO[bytes]]:
    """Yield a temp file beside `path`; on success fsync it and rename it over `path`.

    The file keeps the permission bits of the one it replaces; a new file gets what open()
    would give it (0666 less the umask), not the temp file's owner-only 0600. A file that
    holds a secret passes `perms` (0o600), which it gets whatever was there before.
    On any error the temp file is removed and `path` is left as it was. Errors from the
    filesystem (read-only folder, disk full, file locked by another program on Windows)
    propagate as OSError for the caller to report.
    """
    if "b" not in mode or "w" not in mode:
        raise ValueError("atomic_open writes binary files only")
    path = Path(path)
    remove_stale_temps(path)
    bits = file_mode(path) if perms is None or not hasattr(os, "fchmod") else perms
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode) as fh:
            if bits is not None:
                os.fchmod(fh.fileno(), bits)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def file_mode(path: Path) -> int | None:
    """The permission bits a write of `path` should leave: the present file's, else what a
    new file gets under the umask; None where files have no such bits (Windows)."""
    if not hasattr(os, "fchmod"):
        return None
    try:
        return Path(path).stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without setting it (os.umask would change it for every
    thread for a moment); 0o022, the usual one, where /proc does not say."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def remove_stale_temps(path: Path, older_than_s: float = STALE_TEMP_S) -> list[Path]:
    """Remove the temp files a killed write of `path` left (".name.docx.k3j_x9qa.tmp"):
    only our own pattern, and only old ones, so a write running now keeps its file."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than_s:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def atomic_write_bytes(path: Path, data: bytes, *, perms: int | None = None) -> None:
    with atomic_open(path, perms=perms) as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str, *, perms: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), perms=perms)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; directories cannot be opened on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
