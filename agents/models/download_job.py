"""A download under way: the request loop that resumes and retries, keeping the .part file,
and the bytes received from one HTTP response; download_install checks and installs it."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import IO, Any

import httpx

from agents.models import files
from agents.models.catalog import CatalogEntry
from agents.models.download_install import check_download, install_download
from agents.models.partial import (
    DownloadCancelled,
    DownloadInterrupted,
    DownloadProgress,
    ProgressFn,
    part_is_for,
    part_record,
    write_part_record,
)
from agents.models.transfer import (
    RateMeter,
    body_length,
    content_range,
    http_error,
    open_stream,
)
from evidence.cancel import CancelCheck
from evidence.errors import EvidenceError, ModelFileError
from evidence.hashing import hash_file
from evidence.network import NetworkPolicy
from evidence.units import gb

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.25


class _Restart(Exception):
    """The kept partial file cannot be continued: start again from byte 0."""


class DownloadJob:
    """One download of one catalog entry into its .part file, then into models/."""

    def __init__(
        self,
        entry: CatalogEntry,
        dest: Path,
        part: Path,
        policy: NetworkPolicy,
        progress: ProgressFn | None,
        cancel: CancelCheck,
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
        if not part_is_for(rec, self.entry) or not self.part.is_file():
            self._reset()
            return
        if isinstance(rec.get("total"), int):
            self.total = self.total or rec["total"]

        def checked(n: int) -> None:
            self._emit("checking", n)

        try:
            hash_file(self.part, self.hasher, checked)
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
        try:
            write_part_record(self.part, self.entry, self.total)
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
                    files.write_all(fh, data)
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
        if self.total is not None and self.done < self.total:
            raise DownloadInterrupted(
                f"the server closed the download of {self.entry.title} early ({self._kept()}); "
                "run the download again to resume",
                self.done,
            )
        digest = self.hasher.hexdigest()
        try:
            check_download(self.entry, self.part, self.done, digest)
        except ModelFileError:
            self._discard()  # not the catalog's model: never installed, not worth resuming
            raise
        try:
            install_download(self.entry, self.part, self.dest, digest)
        except OSError as exc:
            raise self._write_error(exc) from None
        self.meta.unlink(missing_ok=True)
        log.info("installed %s (sha256 %s)", self.dest, digest)
        self._emit("done", self.done)
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


def _open_part(part: Path) -> IO[bytes]:
    # Unbuffered: a failed write (a full disk) leaves on disk a clean prefix of the stream.
    return open(part, "ab", buffering=0)
