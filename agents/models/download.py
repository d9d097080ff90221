"""Download a catalog model: resumable, checked for space first, verified before use.

Bytes go to models/downloads/<file>.part, which survives a cancel, a dropped connection, a
full disk or the app being closed; the next call resumes it with a Range request. Only a
file whose size and SHA-256 check out, and that parses as a complete GGUF, is moved into
models/, with a sidecar recording its hash; nothing else can ever be loaded as a model.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from agents.models import files
from agents.models.catalog import CatalogEntry
from agents.models.download_install import download_record
from agents.models.download_job import DownloadJob
from agents.models.partial import (
    DownloadCancelled,
    DownloadInterrupted,
    DownloadProgress,
    ProgressFn,
    part_path,
    part_record,
)
from evidence.cancel import CancelCheck
from evidence.errors import ModelFileError
from evidence.hashing import file_sha256
from evidence.network import NetworkPolicy
from evidence.web.transport import policy_transport


def is_installed(entry: CatalogEntry, models_dir: Path) -> bool:
    """Is the entry's file in models/ with a current sidecar that matches the catalog?"""
    dest = Path(models_dir) / entry.file
    side = files.read_sidecar(dest)
    if not files.sidecar_current(dest, side):
        return False
    return entry.sha256 is None or side.get("sha256") == entry.sha256


def download_model(
    entry: CatalogEntry,
    models_dir: Path,
    policy: NetworkPolicy,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelCheck | None = None,
    chunk: int = 1 << 20,
    timeout_s: float = 30.0,
    retries: int = 3,
) -> Path:
    """Download, verify and install `entry`; return the model's path in models_dir.

    Raises NetworkDisabled (web access off: nothing was sent), WebError / DownloadInterrupted
    (refused address, connection failed: partial bytes kept), DownloadCancelled, or
    ModelFileError (no space, disk full, HTTP error, wrong size or checksum, not a GGUF).
    chunk: bytes between progress events (there is one at least every quarter second).
    retries: how often a connection that dropped after delivering bytes is resumed at once.
    """
    if entry.builtin or not entry.url:
        raise ModelFileError(f"{entry.title} comes with the app; there is nothing to download")
    models_dir = Path(models_dir)
    dest = models_dir / entry.file
    if _already_there(entry, dest):
        return dest
    action = f"downloading {entry.title}"
    policy.check_url(entry.url, action)  # before anything touches the network
    part = part_path(models_dir, entry.file)
    try:
        part.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelFileError(f"cannot create {part.parent}: {exc.strerror}") from None
    busy = f"{entry.title} is already being downloaded by another window or command"
    with files.exclusive(part.with_name(part.name + ".lock"), busy):
        if _already_there(entry, dest):  # another process finished it while we waited
            return dest
        job = DownloadJob(entry, dest, part, policy, progress, cancel or (lambda: False), chunk)
        with httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            transport=policy_transport(policy),  # connects only where the policy allowed
        ) as client:
            return job.run(client, retries, action)


def _already_there(entry: CatalogEntry, dest: Path) -> bool:
    if is_installed(entry, dest.parent):
        return True
    # Put there by hand (or the sidecar was lost): trust it only if the hash matches.
    if (
        entry.sha256
        and dest.is_file()
        and not files.read_sidecar(dest)
        and file_sha256(dest) == entry.sha256
    ):
        files.write_sidecar(dest, download_record(entry, entry.sha256))
        return True
    return False


__all__ = [
    "DownloadCancelled",
    "DownloadInterrupted",
    "DownloadProgress",
    "download_model",
    "is_installed",
    "part_path",
    "part_record",
]
