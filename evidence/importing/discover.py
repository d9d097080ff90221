"""Expand the paths a user dropped into the files to import (web addresses pass through)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evidence.errors import WebError, os_reason
from evidence.web.urls import looks_like_url, normalize_url


@dataclass(frozen=True)
class Unreachable:
    """A dropped path (or a folder inside one) that cannot be read."""

    path: str
    reason: str


def _skip(name: str) -> bool:
    # Hidden files, Office lock files ("~$1AC.docx") and editor temp files are never evidence.
    return name.startswith((".", "~$")) or name.endswith(("~", ".tmp"))


def discover(paths: Iterable[str | Path]) -> Iterator[Path | str | Unreachable]:
    """Yield files in a stable order (folders recursively, sorted); symlink loops are cut.

    A string that is a web address (and not an existing file) comes out as the normalised
    address (a str); one that is meant as an address but is not a usable one ("ftp://x",
    "http://") comes out Unreachable with the reason. Nothing here uses the network.
    """
    seen_dirs: set[tuple[int, int]] = set()
    for raw in paths:
        if isinstance(raw, str) and looks_like_url(raw) and not _exists(raw):
            try:
                yield normalize_url(raw)
            except WebError as exc:
                yield Unreachable(raw, str(exc))
            continue
        path = Path(raw).expanduser()
        try:
            path = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            yield Unreachable(str(raw), os_reason(exc))
            continue
        if path.is_dir():
            yield from _walk(path, seen_dirs)
        else:
            yield path


def _exists(raw: str) -> bool:
    # "://" never names a local file; a bare "example.com" might (checked, then a host).
    return "://" not in raw and os.path.lexists(os.path.expanduser(raw))


def _walk(folder: Path, seen: set[tuple[int, int]]) -> Iterator[Path | Unreachable]:
    try:
        st = folder.stat()
        if (st.st_dev, st.st_ino) in seen:
            return
        seen.add((st.st_dev, st.st_ino))
        entries = sorted(os.scandir(folder), key=lambda e: e.name.lower())
    except OSError as exc:
        yield Unreachable(str(folder), os_reason(exc))
        return
    for entry in entries:
        if _skip(entry.name):
            continue
        try:
            if entry.is_dir():
                yield from _walk(Path(entry.path).resolve(), seen)
            elif entry.is_file():
                yield Path(entry.path).resolve()
        except OSError as exc:
            yield Unreachable(entry.path, os_reason(exc))
