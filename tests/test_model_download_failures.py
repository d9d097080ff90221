"""Model downloads that fail or are refused, against a loopback server: a full disk (checked
before the first request, and running out mid-download), web access off, HTTP errors and
redirects, a second download of the same model, and a file that is not a model."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path
from typing import IO, Any

import pytest

from agents.models import download_job as job_module
from agents.models import files
from agents.models.download import download_model, part_path
from agents.models.installed import find_installed
from evidence.errors import ModelFileError, NetworkDisabled, WebError
from evidence.network import NetworkPolicy
from tests.download_helpers import (
    ALLOW,
    CHUNK,
    OCTETS,
    _catalog,
    checked,
    leftovers,
    make_entry,
    range_headers,
)
from tests.download_helpers import body as body  # a fixture: a tiny GGUF file's bytes
from tests.download_helpers import models_dir as models_dir  # a fixture: data/models
from tests.loopback import LoopbackServer, Response
from tests.netguard import SocketGuard


def test_not_enough_disk_space_refuses_before_any_request(
    tmp_path: Path,
    models_dir: Path,
    loopback: LoopbackServer,
    body: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))
    entry = checked(tmp_path, url, body)
    usage = shutil.disk_usage(models_dir)
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: usage._replace(free=50_000_000))
    with pytest.raises(ModelFileError, match=r"needs 0\.2 GB of disk space, 0\.1 GB free"):
        download_model(entry, models_dir, ALLOW)
    assert loopback.hits["/tiny.gguf"] == 0 and leftovers(models_dir) == []


class _FullDisk:
    """A .part file on a disk with `room` bytes left: a short write, then ENOSPC."""

    def __init__(self, real: IO[bytes], room: int) -> None:
        self.real, self.room = real, room

    def write(self, data: Any) -> int:
        n = min(len(data), self.room)
        if n == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.real.write(bytes(data[:n]))
        self.room -= n
        return n

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()


def test_full_disk_mid_download_keeps_the_part_but_never_uses_it(
    tmp_path: Path,
    models_dir: Path,
    loopback: LoopbackServer,
    body: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS, ranges=True))
    entry = checked(tmp_path, url, body)
    room = 3 * CHUNK + 1234  # runs out in the middle of a chunk
    real_open = job_module._open_part
    monkeypatch.setattr(job_module, "_open_part", lambda p: _FullDisk(real_open(p), room))
    with pytest.raises(ModelFileError, match=r"the disk is full.*never used as a model"):
        download_model(entry, models_dir, ALLOW, chunk=CHUNK)
    part = part_path(models_dir, entry.file)
    assert part.read_bytes() == body[:room]  # a clean prefix, ready to resume
    assert not (models_dir / "tiny.gguf").exists()
    catalog = _catalog(tmp_path)
    with pytest.raises(ModelFileError, match="not fully downloaded"):
        find_installed("tiny", models_dir, catalog)

    monkeypatch.setattr(job_module, "_open_part", real_open)  # space was freed
    assert download_model(entry, models_dir, ALLOW, chunk=CHUNK).read_bytes() == body
    assert range_headers(loopback, "/tiny.gguf")[-1] == f"bytes={room}-"


def test_web_access_off_opens_no_connection(
    tmp_path: Path,
    models_dir: Path,
    loopback: LoopbackServer,
    body: bytes,
    socket_guard: SocketGuard,
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))
    entry = checked(tmp_path, url, body)
    with pytest.raises(NetworkDisabled, match="web access is off"):
        download_model(entry, models_dir, NetworkPolicy(enabled=False, allow_private=True))
    assert socket_guard.attempts == [] and loopback.hits["/tiny.gguf"] == 0
    assert not (models_dir / "downloads").exists()


def test_http_errors_redirects_and_refused_addresses(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    with pytest.raises(ModelFileError, match="HTTP 404"):
        download_model(checked(tmp_path, loopback.url("/gone.gguf"), body), models_dir, ALLOW)
    assert leftovers(models_dir) == []
    loopback.add("/busy.gguf", Response(b"later", status=503))
    with pytest.raises(ModelFileError, match=r"HTTP 503.*try again later"):
        download_model(checked(tmp_path, loopback.url("/busy.gguf"), body), models_dir, ALLOW)

    # A Hugging Face "resolve" link redirects to a CDN: followed, each hop checked.
    loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))
    hop = loopback.add("/resolve/tiny.gguf", Response(status=302, location="/tiny.gguf"))
    assert download_model(checked(tmp_path, hop, body), models_dir, ALLOW).read_bytes() == body
    for done in models_dir.glob("tiny.gguf*"):
        done.unlink()
    sneaky = loopback.add("/sneaky", Response(status=302, location="file:///etc/passwd"))
    with pytest.raises(WebError, match="only http:// and https://"):
        download_model(checked(tmp_path, sneaky, body), models_dir, ALLOW)
    loop = loopback.add("/loop", Response(status=302, location="/loop"))
    with pytest.raises(WebError, match="more than 10 redirects"):
        download_model(checked(tmp_path, loop, body), models_dir, ALLOW)
    # Without allow_private, the loopback address itself is refused before connecting.
    with pytest.raises(WebError, match="private or local address"):
        download_model(checked(tmp_path, hop, body), models_dir, NetworkPolicy(enabled=True))
    assert leftovers(models_dir) == []


def test_a_second_download_of_the_same_model_is_refused(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))
    entry = checked(tmp_path, url, body)
    part = part_path(models_dir, entry.file)
    part.parent.mkdir()
    with (
        files.exclusive(part.with_name(part.name + ".lock"), "busy"),
        pytest.raises(ModelFileError, match="already being downloaded"),
    ):
        download_model(entry, models_dir, ALLOW)
    assert loopback.hits["/tiny.gguf"] == 0
    assert download_model(entry, models_dir, ALLOW).read_bytes() == body  # once released


def test_a_download_that_is_not_a_gguf_is_deleted(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer
) -> None:
    page = b"<html>" + b"a login page, not a model " * 60_000 + b"</html>"
    url = loopback.add("/tiny.gguf", Response(page))
    entry = make_entry(tmp_path, url, sha256=None, approx_size_bytes=len(page))
    with pytest.raises(ModelFileError, match="is not a model: not a GGUF model file"):
        download_model(entry, models_dir, ALLOW)
    assert leftovers(models_dir) == []
