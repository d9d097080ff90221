"""The one way the app hashes a file: SHA-256 in 1 MiB blocks, never the whole file in memory.

Sources are identified by it (the same bytes at two paths are one source), and model files
are checked with it (a download against the catalog, a bundled model against its manifest).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

BLOCK = 1 << 20


def hash_file(path: Path, digest: Any = None, on_block: Callable[[int], None] | None = None) -> Any:
    """Feed the file into `digest` (a new sha256 by default; a resumed download passes the
    one it has) and return it; `on_block(bytes_done)` after each block, for progress."""
    digest = digest or hashlib.sha256()
    done = 0
    with Path(path).open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
            done += len(block)
            if on_block:
                on_block(done)
    return digest


def file_sha256(path: Path) -> str:
    """The file's SHA-256 as hex."""
    return str(hash_file(path).hexdigest())
