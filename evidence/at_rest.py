"""Files at rest (settings, the outline, model sidecars, the catalog): read within bounds.

A file the app wrote itself can still come back hostile or damaged (another program, a bad
sync, a disk error). Python's JSON parser recurses once per nesting level, so a file nested a
few thousand levels deep raises RecursionError (not ValueError) and, at start-up, took the
whole app down. Here the size is checked before reading and the nesting before parsing; any
problem is one `FileAtRestError`, and `keep_aside` moves the file out of the way (never
deleting it) so the app can start with defaults.
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# A JSON string (with its escapes): brackets inside one are text, not nesting.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class FileAtRestError(ValueError):
    """A file at rest is too big, too deeply nested, or not valid JSON; the text says which."""


def json_depth_ok(text: str, max_depth: int) -> bool:
    """Whether no array or object in `text` is nested deeper than `max_depth` (linear time,
    no recursion, so it is safe on any input)."""
    depth = 0
    for m in _BRACKET.finditer(_STRING.sub("", text)):
        if m.group() in "[{":
            depth += 1
            if depth > max_depth:
                return False
        else:
            depth -= 1
    return True


def parse_json_bounded(text: str, *, max_depth: int) -> Any:
    if not json_depth_ok(text, max_depth):
        raise FileAtRestError(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FileAtRestError(f"not valid JSON ({exc})") from None


def read_json_bounded(path: Path, *, max_bytes: int, max_depth: int) -> Any:
    """The parsed JSON of `path`; FileNotFoundError when it is missing, FileAtRestError for
    anything else that stops it being read (too big, too deep, not UTF-8, not JSON)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise FileAtRestError(f"it could not be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise FileAtRestError(f"larger than {max_bytes // 1_000_000 or 1} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileAtRestError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_json_bounded(text, max_depth=max_depth)


def keep_aside(path: Path, label: str = "broken", *, keep_extension: bool = True) -> Path | None:
    """Rename `path` to `STEM.broken-YYYYmmdd-HHMMSS[-n].EXT` beside it (without
    keep_extension: `NAME.broken-...`); None if it cannot be moved (the caller must then not
    overwrite it)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    stem, ext = (path.stem, path.suffix) if keep_extension else (path.name, "")
    for n in range(100):
        suffix = f"-{n}" if n else ""
        target = path.with_name(f"{stem}.{label}-{stamp}{suffix}{ext}")
        if target.exists():
            continue
        try:
            os.replace(path, target)
        except OSError:
            log.exception("could not move %s aside", path)
            return None
        return target
    return None
