"""The end of a download: checking the received file against the catalog entry, and moving
it into models/ with a sidecar that records its hash."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from agents.models import files
from agents.models.catalog import CatalogEntry
from agents.runtime.gguf_info import check_gguf_file
from evidence.errors import ModelFileError
from evidence.units import gb

RECORDED_AT_DOWNLOAD = "recorded at first complete download (the publisher states no SHA-256)"
APPROX_TOLERANCE = 0.10


def check_download(entry: CatalogEntry, part: Path, size: int, digest: str) -> None:
    """Raise ModelFileError unless the `size` bytes in `part`, hashing to `digest`, are the
    file the catalog describes and a complete GGUF. The caller deletes the part on error."""
    e = entry
    if e.size_bytes is None and abs(size - e.approx_size_bytes) > APPROX_TOLERANCE * size:
        raise ModelFileError(
            f"{e.file} is {gb(size)}, the catalog expects about {gb(e.approx_size_bytes)}: "
            "not the file the catalog describes; deleted"
        )
    if e.sha256 is not None and digest != e.sha256:
        raise ModelFileError(
            f"checksum mismatch for {e.file}: the download was corrupted or the file "
            f"changed upstream (expected SHA-256 {e.sha256[:12]}…, got {digest[:12]}…); "
            "the partial file was deleted, nothing was installed"
        )
    try:
        check_gguf_file(part)
    except ModelFileError as exc:
        raise ModelFileError(f"the download of {e.title} is not a model: {exc}") from None


def install_download(entry: CatalogEntry, part: Path, dest: Path, digest: str) -> None:
    """Flush the checked part to disk, write dest's sidecar, then move the part to dest.
    Raises OSError (a full disk, say) for the caller to report."""
    with open(part, "r+b") as fh:
        os.fsync(fh.fileno())
    files.write_sidecar(dest, download_record(entry, digest), stat_of=part)
    os.replace(part, dest)


def download_record(entry: CatalogEntry, digest: str) -> dict[str, Any]:
    """The sidecar of a downloaded model: its hash and where the hash came from."""
    return {
        "sha256": digest,
        "source": "download",
        "catalog_name": entry.name,
        "url": entry.url,
        "sha256_source": (
            f"catalog ({entry.sha256_source})" if entry.sha256 else RECORDED_AT_DOWNLOAD
        ),
        "downloaded": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
