"""Download a catalog model: resumable, checked for space first, verified before use.

Bytes go to models/downloads/<file>.part, which survives a cancel, a dropped connection, a
full disk or the app being closed; the next call resumes it with a Range request. Only a
file whose size and SHA-256 check out, and that parses as a complete GGUF, is moved into
models/, with a sidecar recording its hash; nothing else can ever be loaded as a model.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import IO, Any

import httpx

from agents.gpu import gb
from agents.model_files import check_gguf_file
from agents.model_manager import files
from agents.model_manager.catalog import CatalogEntry
from agents.model_manager.partial import (
    CancelFn,
    DownloadCancelled,
    DownloadInterrupted,
    DownloadProgress,
    ProgressFn,
    part_path,
    part_record,
)
from agents.model_manager.transfer import (
    RateMeter,
    body_length,
    content_range,
    http_error,
    open_stream,
)
from evidence.atomic import atomic_write_text
from evidence.errors import EvidenceError, ModelFileError
from evidence.network import NetworkPolicy

log = logging.getLogger(__name__)

RECORDED_AT_DOWNLOAD = "recorded at first complete download (the publisher states no SHA-256)"
APPROX_TOLERANCE = 0.10
PROGRESS_INTERVAL_S = 0.25


class _Restart(Exception):
    """The kept partial file cannot be continued: start again from byte 0."""


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
    cancel: CancelFn | None = None,
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
        job = _Job(entry, dest, part, policy, progress, cancel or (lambda: False), chunk)
        with httpx.Client(timeout=httpx.Timeout(timeout_s), follow_redirects=False) as client:
            return job.run(client, retries, action)


def _already_there(entry: CatalogEntry, dest: Path) -> bool:
    if is_installed(entry, dest.parent):
        return True
    # Put there by hand (or the sidecar was lost): trust it only if the hash matches.
    if (
        entry.sha256
        and dest.is_file()
        and not files.read_sidecar(dest)
        and files.hash_file(dest).hexdigest() == entry.sha256
    ):
        files.write_sidecar(dest, _record(entry, entry.sha256))
        return True
    return False


class _Job:
    def __init__(
        self,
        entry: CatalogEntry,
        dest: Path,
        part: Path,
        policy: NetworkPolicy,
        progress: ProgressFn | None,
        cancel: CancelFn,
        chunk: int,
    ) -> None:
        self.entry, self.dest, self.part, self.policy = entry, dest, part, policy
        self.progress, self.cancel, self.chunk = progress, cancel, chunk
        self.meta = part.with_name(part.name + ".json")
        self.total: int | None = entry.size_bytes
        self.hasher: Any = hashlib.sha256()
        self.done = 0
        self.rate = RateMeter()

    def run(self, client: httpx.Client, retries: int, action: str) -> Path:
        try:
            return self._run(client, retries, action)
        except BaseException as exc:
            if not self.part.is_file() or self.part.stat().st_size == 0:
                self._discard()  # nothing worth resuming: leave no trace
            if isinstance(exc, EvidenceError):
                log.warning("download of %s stopped: %s", self.entry.file, exc)
            raise

    def _run(self, client: httpx.Client, retries: int, action: str) -> Path:
        self._resume_or_reset()
        failures = restarts = 0
        while True:
            self._check_cancel()
            self._check_space()
            before = self.done
            try:
                self._fetch(client, action)
                break
            except _Restart:
                restarts += 1
                if restarts > 1:
                    raise ModelFileError(
                        f"the server keeps sending {self.entry.file} inconsistently; try later"
                    ) from None
                self._reset()
            except httpx.HTTPError as exc:  # connection failed, dropped or timed out
                progressed = self.done > before
                failures = failures + 1 if progressed else retries + 1
                if failures > retries:
                    raise self._interrupted(exc) from None
                log.warning("download of %s dropped (%s); resuming", self.entry.file, exc)
                time.sleep(min(2.0, 0.25 * failures))
        return self._finish()

    # -- the partial file -------------------------------------------------------------------

    def _resume_or_reset(self) -> None:
        """Continue a kept .part when it was for this very file; re-hash what it holds."""
        rec = part_record(self.part)
        same = rec and all(
            rec.get(k) == v
            for k, v in (
                ("url", self.entry.url),
                ("sha256", self.entry.sha256),
                ("size_bytes", self.entry.size_bytes),
            )
        )
        if not same or not self.part.is_file():
            self._reset()
            return
        if isinstance(rec.get("total"), int):
            self.total = self.total or rec["total"]

        def checked(n: int) -> None:
            self._emit("checking", n)

        try:
            files.hash_file(self.part, self.hasher, checked)
        except OSError as exc:
            raise ModelFileError(f"cannot read the partial download {self.part}: {exc}") from None
        self.done = self.part.stat().st_size
        log.info("resuming %s at %s", self.entry.file, gb(self.done))

    def _reset(self) -> None:
        self.part.unlink(missing_ok=True)
        self.hasher, self.done = hashlib.sha256(), 0
        self.total = self.entry.size_bytes
        self._save_meta()

    def _save_meta(self) -> None:
        record = {
            "name": self.entry.name,
            "url": self.entry.url,
            "sha256": self.entry.sha256,
            "size_bytes": self.entry.size_bytes,
            "approx_size_bytes": self.entry.approx_size_bytes,
            "total": self.total,
        }
        try:
            atomic_write_text(self.meta, json.dumps(record, indent=1) + "\n")
        except OSError as exc:
            raise self._write_error(exc) from None

    def _discard(self) -> None:
        self.part.unlink(missing_ok=True)
        self.meta.unlink(missing_ok=True)

    # -- one request ------------------------------------------------------------------------

    def _fetch(self, client: httpx.Client, action: str) -> None:
        headers = {"Accept-Encoding": "identity"}  # sizes and hashes are of the file's bytes
        if self.done:
            headers["Range"] = f"bytes={self.done}-"
        response = open_stream(client, self.entry.url, headers, self.policy, action)
        try:
            status = response.status_code
            if status == 416 and self.done:
                _, total = content_range(response.headers.get("content-range", ""))
                if self.done != (self.entry.size_bytes or total):
                    log.warning("kept part of %s does not fit the server's file", self.entry.file)
                    raise _Restart
                self.total = self.done
                return  # the kept part is already the whole file: verify it
            if status >= 400:
                raise http_error(status, self.entry.url)
            if status == 206:
                start, total = content_range(response.headers.get("content-range", ""))
                if start != self.done:
                    raise _Restart
            elif status == 200:
                if self.done:
                    log.info("server ignored the range for %s; starting over", self.entry.file)
                    self._reset()
                total = body_length(response)
            else:
                raise ModelFileError(f"unexpected answer HTTP {status} from {self.entry.url}")
            self._learn_total(total)
            self._check_space()
            self._receive(response)
        finally:
            response.close()

    def _learn_total(self, total: int | None) -> None:
        size = self.entry.size_bytes
        if total is not None and size is not None and total != size:
            self._discard()
            raise ModelFileError(
                f"the server offers {total:,} bytes for {self.entry.file}, the catalog says "
                f"{size:,}: the file changed upstream; not downloaded"
            )
        if total is not None and self.total != total:
            self.total = total
            self._save_meta()

    def _receive(self, response: httpx.Response) -> None:
        """Write each piece as it arrives (cancel is checked between pieces, so it acts at
        once even on a slow link); report progress every `chunk` bytes or quarter second."""
        try:
            fh = _open_part(self.part)
        except OSError as exc:
            raise self._write_error(exc) from None
        reported, reported_at = self.done, time.monotonic()
        with fh:
            for data in response.iter_bytes():
                self._check_cancel()
                try:
                    _write_all(fh, data)
                except OSError as exc:
                    raise self._write_error(exc) from None
                self.hasher.update(data)
                self.done += len(data)
                if self.total is not None and self.done > self.total:
                    self._discard()
                    raise ModelFileError(
                        f"the server sent more than the {self.total:,} bytes of "
                        f"{self.entry.file}; the partial file was deleted"
                    )
                now = time.monotonic()
                if (
                    self.done - reported >= self.chunk
                    or now - reported_at >= PROGRESS_INTERVAL_S
                    or self.done == self.total
                ):
                    self._emit("downloading", self.done)
                    reported, reported_at = self.done, now
        if self.done != reported:
            self._emit("downloading", self.done)

    # -- the end ----------------------------------------------------------------------------

    def _finish(self) -> Path:
        e, size = self.entry, self.done
        if self.total is not None and size < self.total:
            raise DownloadInterrupted(
                f"the server closed the download of {e.title} early ({self._kept()}); "
                "run the download again to resume",
                size,
            )
        if e.size_bytes is None and abs(size - e.approx_size_bytes) > APPROX_TOLERANCE * size:
            self._discard()
            raise ModelFileError(
                f"{e.file} is {gb(size)}, the catalog expects about {gb(e.approx_size_bytes)}: "
                "not the file the catalog describes; deleted"
            )
        digest = self.hasher.hexdigest()
        if e.sha256 is not None and digest != e.sha256:
            self._discard()
            raise ModelFileError(
                f"checksum mismatch for {e.file}: the download was corrupted or the file "
                f"changed upstream (expected SHA-256 {e.sha256[:12]}…, got {digest[:12]}…); "
                "the partial file was deleted, nothing was installed"
            )
        try:
            check_gguf_file(self.part)
        except ModelFileError as exc:
            self._discard()
            raise ModelFileError(f"the download of {e.title} is not a model: {exc}") from None
        try:
            with open(self.part, "r+b") as fh:
                os.fsync(fh.fileno())
            files.write_sidecar(self.dest, _record(e, digest), stat_of=self.part)
            os.replace(self.part, self.dest)
        except OSError as exc:
            raise self._write_error(exc) from None
        self.meta.unlink(missing_ok=True)
        log.info("installed %s (sha256 %s)", self.dest, digest)
        self._emit("done", size)
        return self.dest

    # -- helpers ----------------------------------------------------------------------------

    def _emit(self, phase: str, done: int) -> None:
        rate = self.rate.add(done) if phase == "downloading" else 0.0
        if self.progress is not None:
            left = self.rate.seconds_left(done, self.total) if phase == "downloading" else None
            self.progress(DownloadProgress(self.entry.name, phase, done, self.total, rate, left))

    def _check_cancel(self) -> None:
        if self.cancel():
            raise DownloadCancelled(
                f"download of {self.entry.title} cancelled; {self._kept()}, "
                "download it again to resume",
                self.done,
            )

    def _check_space(self) -> None:
        remaining = (self.total or self.entry.approx_size_bytes) - self.done
        files.check_space(self.part.parent, max(0, remaining), f"downloading {self.entry.title}")

    def _kept(self) -> str:
        return f"{gb(self.done)} kept in {self.part}"

    def _interrupted(self, exc: httpx.HTTPError) -> DownloadInterrupted:
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "failed"
        return DownloadInterrupted(
            f"the download of {self.entry.title} {what} ({exc or type(exc).__name__}); "
            + (f"{self._kept()}, run it again to resume" if self.done else "nothing was kept"),
            self.done,
        )

    def _write_error(self, exc: OSError) -> ModelFileError:
        if files.is_disk_full(exc):
            return ModelFileError(
                f"the disk is full: the download of {self.entry.title} stopped; {self._kept()} "
                "(it is never used as a model); free some space and download again to resume"
            )
        return ModelFileError(f"cannot write {self.part}: {exc.strerror or exc}")


def _record(entry: CatalogEntry, digest: str) -> dict[str, Any]:
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


def _open_part(part: Path) -> IO[bytes]:
    # Unbuffered: a failed write (a full disk) leaves on disk a clean prefix of the stream.
    return open(part, "ab", buffering=0)


def _write_all(fh: IO[bytes], data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = fh.write(view)
        if not n:  # a regular file that takes no bytes has no room left
            raise OSError(errno.ENOSPC, "no bytes written")
        view = view[n:]


__all__ = [
    "DownloadCancelled",
    "DownloadInterrupted",
    "DownloadProgress",
    "download_model",
    "is_installed",
    "part_path",
    "part_record",
]
