"""Expand the paths a user dropped into the files to import (web addresses pass through)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from evidence.errors import WebError, not_a_file_reason, os_reason
from evidence.web.urls import looks_like_url, normalize_url


@dataclass(frozen=True)
class Unreachable:
    """A dropped path (or a folder inside one) that cannot be read."""

    path: str
    reason: str


@dataclass(frozen=True)
class LinkOut:
    """A symbolic link inside an imported folder that leads out of it: skipped unless the
    user allows links out (a link to /etc must not pull system files into the library)."""

    path: str
    target: str

    @property
    def reason(self) -> str:
        return f"a link out of the imported folder (to {self.target}); --follow-links imports it"


Found = Path | str | Unreachable | LinkOut


def _skip(name: str) -> bool:
    # Hidden files, Office lock files ("~$1AC.docx") and editor temp files are never evidence.
    return name.startswith((".", "~$")) or name.endswith(("~", ".tmp"))


def discover(paths: Iterable[str | Path], *, follow_links: bool = False) -> Iterator[Found]:
    """Yield files in a stable order (folders recursively, sorted); symlink loops are cut.

    A path named directly is taken wherever it leads; inside a folder, a link whose target
    is outside that folder comes out as LinkOut unless `follow_links`. Pipes, devices and
    sockets found in a folder come out Unreachable with the reason.

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
            yield from _walk(path, None if follow_links else path, seen_dirs)
        else:
            yield path


def _exists(raw: str) -> bool:
    # "://" never names a local file; a bare "example.com" might (checked, then a host).
    return "://" not in raw and os.path.lexists(os.path.expanduser(raw))


def _walk(folder: Path, root: Path | None, seen: set[tuple[int, int]]) -> Iterator[Found]:
    """`root`: the folder the user named (links must stay inside it), None to follow all."""
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
            target = Path(entry.path).resolve()
            if root is not None and entry.is_symlink() and not target.is_relative_to(root):
                yield LinkOut(entry.path, str(target))
            elif entry.is_dir():
                yield from _walk(target, root, seen)
            elif entry.is_file():
                yield target
            else:
                # A pipe, device or socket: reading it could block for ever; say why not.
                yield Unreachable(entry.path, not_a_file_reason(entry.stat().st_mode))
        except (OSError, RuntimeError) as exc:
            yield Unreachable(entry.path, os_reason(exc))
