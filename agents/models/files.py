"""Small file helpers for model files: the verified-file sidecar, disk-space checks, a write
that notices a full disk, and an OS lock.

A sidecar `<file>.sha256` is JSON: "sha256", plus the "file", "size" and "mtime_ns" it was
checked at (write_sidecar adds those), "source" saying where the file came from ("download",
"imported", "found in the models folder", "converted from the ... package", "assembled from
the ... package") and that source's own keys (a download's "url" and "catalog_name", an import's
"imported_from", a conversion's "converter_version" and "source_package": the package file
it was made from, with its size, mtime and sha256).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from evidence.at_rest import FileAtRestError, read_json_bounded
from evidence.atomic import atomic_write_text
from evidence.errors import ModelFileError
from evidence.units import gb

DOWNLOADS = "downloads"  # partial downloads, inside the models folder
# Space kept free beyond the file itself: a full disk breaks the library's database too.
DISK_MARGIN = 200_000_000


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def read_sidecar(path: Path) -> dict[str, Any]:
    """The sidecar record of a model file, {} when missing or unreadable."""
    try:
        # A sidecar is a flat record of a few hundred bytes; anything else is not one.
        data = read_json_bounded(sidecar_path(path), max_bytes=64_000, max_depth=4)
    except (OSError, FileAtRestError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("sha256"), str) else {}


def write_sidecar(path: Path, record: dict[str, Any], *, stat_of: Path | None = None) -> None:
    """Record the sha256 of `path` with the size and mtime it was checked at.

    stat_of: take size and mtime from this file instead (a verified temp file about to be
    renamed to `path`: a rename keeps both, so the sidecar matches once it lands).
    """
    st = (stat_of or path).stat()
    full = {**record, "file": path.name, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    atomic_write_text(sidecar_path(path), json.dumps(full, indent=1) + "\n")


def sidecar_current(path: Path, side: dict[str, Any] | None = None) -> bool:
    """Does the sidecar still describe the file (same size and mtime)? Cheap: no hashing."""
    side = read_sidecar(path) if side is None else side
    try:
        st = path.stat()
    except OSError:
        return False
    return bool(side) and side.get("size") == st.st_size and side.get("mtime_ns") == st.st_mtime_ns


def check_space(folder: Path, needed: int, what: str) -> None:
    """ModelFileError unless `folder`'s disk has `needed` bytes free plus a margin."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise ModelFileError(f"cannot check the free space in {folder}: {exc.strerror}") from None
    if free < needed + DISK_MARGIN:
        raise ModelFileError(
            f"{what} needs {gb(needed + DISK_MARGIN)} of disk space, "
            f"{gb(free)} free in {folder}; free some space and try again"
        )


def is_disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def write_all(fh: IO[bytes], data: bytes) -> None:
    """Write all of data to an unbuffered file, raising ENOSPC when it takes no more."""
    view = memoryview(data)
    while view:
        n = fh.write(view)
        if not n:  # a regular file that takes no bytes has no room left
            raise OSError(errno.ENOSPC, "no bytes written")
        view = view[n:]


@contextlib.contextmanager
def exclusive(lock_path: Path, busy: str | None = None) -> Iterator[None]:
    """Hold an OS lock on lock_path; the OS releases it if the process dies.

    busy: raise ModelFileError(busy) at once when another process holds it (a second window
    downloading the same model must not write into the same file). None: wait for it (two
    processes preparing the same default model: the second then finds it built).
    """
    with lock_path.open("a+b") as fh:
        try:
            _lock(fh.fileno(), wait=busy is None)
        except OSError:
            if busy is None:
                raise
            raise ModelFileError(busy) from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                _unlock(fh.fileno())


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int, *, wait: bool) -> None:
        while True:
            os.lseek(fd, 0, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
                return
            except OSError:  # LK_LOCK gives up after ~10 s; keep waiting
                if not wait:
                    raise

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int, *, wait: bool) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
