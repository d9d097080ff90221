"""Model downloads against a loopback server: progress, resume after a drop, an interruption
or a cancel, checksums and sizes, and parts a resume cannot use as they are (full disks, web
access off, HTTP errors and other refusals: tests/test_model_download_failures.py)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from agents.models import files
from agents.models.download import (
    DownloadCancelled,
    DownloadInterrupted,
    DownloadProgress,
    download_model,
    is_installed,
    part_path,
)
from agents.models.installed import find_installed, installed_models
from evidence.errors import ModelFileError
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
from tests.fake_gguf import sha256_of
from tests.loopback import LoopbackServer, Response


def test_full_download_reports_progress_and_installs_verified(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))
    entry = checked(tmp_path, url, body)
    events: list[DownloadProgress] = []
    path = download_model(entry, models_dir, ALLOW, progress=events.append, chunk=CHUNK)

    assert path == models_dir / "tiny.gguf" and path.read_bytes() == body
    side = files.read_sidecar(path)
    assert side["sha256"] == sha256_of(path) and side["source"] == "download"
    assert side["sha256_source"].startswith("catalog (")
    assert leftovers(models_dir) == ["tiny.gguf", "tiny.gguf.sha256"]
    steps = [e for e in events if e.phase == "downloading"]
    assert 2 <= len(steps) <= 3 * -(-len(body) // CHUNK)  # about one event per chunk
    assert steps[-1].done == steps[-1].total == len(body)
    assert any(e.bytes_per_s > 0 for e in steps) and steps[-1].seconds_left is not None
    assert steps[-1].fraction == 1.0 and events[-1].phase == "done"
    assert is_installed(entry, models_dir)
    listed = installed_models(models_dir, catalog=_catalog(tmp_path))
    [listed] = [m for m in listed if m.kind == "catalog"]
    assert (listed.kind, listed.status, listed.usable) == ("catalog", "ready", True)

    # Already there: returns at once, without a request.
    assert download_model(entry, models_dir, ALLOW) == path
    assert loopback.hits["/tiny.gguf"] == 1


def test_dropped_connection_is_resumed_with_a_range_request(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    half = len(body) // 2
    url = loopback.add(
        "/tiny.gguf", Response(body, content_type=OCTETS, ranges=True, drop_after=half)
    )
    path = download_model(checked(tmp_path, url, body), models_dir, ALLOW, chunk=CHUNK)
    assert path.read_bytes() == body  # byte-identical after the resume
    first, second = range_headers(loopback, "/tiny.gguf")
    assert first is None
    assert second is not None and second.startswith("bytes=") and second.endswith("-")
    assert 0 < int(second[6:-1]) <= half


def test_interrupted_download_survives_until_the_next_run(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add(
        "/tiny.gguf", Response(body, content_type=OCTETS, ranges=True, drop_after=len(body) // 3)
    )
    entry = checked(tmp_path, url, body)
    with pytest.raises(DownloadInterrupted, match="run it again to resume") as err:
        download_model(entry, models_dir, ALLOW, chunk=CHUNK, retries=0)
    part = part_path(models_dir, entry.file)
    assert part.stat().st_size == err.value.kept_bytes > 0
    assert not (models_dir / "tiny.gguf").exists()
    # Listed as partial, never usable (the app was closed here, say).
    catalog = _catalog(tmp_path)
    [partial] = [m for m in installed_models(models_dir, catalog=catalog) if m.kind == "partial"]
    assert partial.status.startswith("downloading: ") and partial.status.endswith("%")
    assert not partial.usable and 0 < (partial.progress or 0) < 1
    with pytest.raises(ModelFileError, match="not fully downloaded"):
        find_installed("tiny", models_dir, catalog)

    path = download_model(entry, models_dir, ALLOW, chunk=CHUNK)
    assert path.read_bytes() == body
    assert range_headers(loopback, "/tiny.gguf")[-1] == f"bytes={err.value.kept_bytes}-"
    assert not part.exists()


def test_wrong_checksum_is_refused_and_the_part_deleted(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))
    entry = checked(tmp_path, url, body, sha256="0" * 64)
    with pytest.raises(ModelFileError, match="corrupted or the file changed upstream"):
        download_model(entry, models_dir, ALLOW, chunk=CHUNK)
    assert leftovers(models_dir) == []  # no .part, no model, no sidecar
    assert not is_installed(entry, models_dir)


def test_without_a_published_sha256_the_first_download_records_one(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))
    entry = make_entry(tmp_path, url, sha256=None, size_bytes=None, approx_size_bytes=len(body))
    path = download_model(entry, models_dir, ALLOW)
    side = files.read_sidecar(path)
    assert side["sha256"] == sha256_of(path)
    assert "first complete download" in side["sha256_source"]
    assert side["size"] == len(body)  # checked against the Content-Length the server stated


def test_size_checks_refuse_a_different_file(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))
    # The catalog states an exact size the server's file does not have: refused up front.
    stated = make_entry(tmp_path, url, size_bytes=len(body) + 1000, approx_size_bytes=len(body))
    with pytest.raises(ModelFileError, match="changed upstream"):
        download_model(stated, models_dir, ALLOW)
    assert leftovers(models_dir) == []
    # No exact size, and the file is far from the catalog's approximate one.
    approx = make_entry(tmp_path, url, size_bytes=None, approx_size_bytes=2 * len(body))
    with pytest.raises(ModelFileError, match="not the file the catalog describes"):
        download_model(approx, models_dir, ALLOW)
    assert leftovers(models_dir) == []


def test_cancel_keeps_the_part_and_a_later_call_resumes(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS, ranges=True))
    entry = checked(tmp_path, url, body)
    events: list[DownloadProgress] = []
    with pytest.raises(DownloadCancelled, match="download it again to resume") as err:
        download_model(
            entry,
            models_dir,
            ALLOW,
            progress=events.append,
            cancel=lambda: len(events) >= 5,
            chunk=CHUNK,
        )
    kept = err.value.kept_bytes
    assert 5 * CHUNK <= kept == part_path(models_dir, entry.file).stat().st_size < len(body)
    assert not (models_dir / "tiny.gguf").exists()

    resumed: list[DownloadProgress] = []
    path = download_model(entry, models_dir, ALLOW, progress=resumed.append, chunk=CHUNK)
    assert path.read_bytes() == body
    assert range_headers(loopback, "/tiny.gguf")[-1] == f"bytes={kept}-"
    checks = [e.done for e in resumed if e.phase == "checking"]
    assert resumed[0].phase == "checking" and checks[-1] == kept  # kept bytes re-hashed first
    assert next(e for e in resumed if e.phase == "downloading").done > kept


def test_a_server_that_ignores_ranges_makes_the_download_start_over(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS))  # answers 200 always
    entry = checked(tmp_path, url, body)
    ticks: list[DownloadProgress] = []
    with pytest.raises(DownloadCancelled):
        download_model(
            entry,
            models_dir,
            ALLOW,
            progress=ticks.append,
            cancel=lambda: len(ticks) >= 3,
            chunk=CHUNK,
        )
    kept = part_path(models_dir, entry.file).stat().st_size
    path = download_model(entry, models_dir, ALLOW, chunk=CHUNK)
    assert range_headers(loopback, "/tiny.gguf")[-1] == f"bytes={kept}-"
    assert path.read_bytes() == body  # not the old prefix plus the whole file again


def test_a_complete_part_answered_416_is_verified_and_installed(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    def unsatisfiable(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(416)
        handler.send_header("Content-Range", f"bytes */{len(body)}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    url = loopback.add("/tiny.gguf", unsatisfiable)
    entry = checked(tmp_path, url, body)
    part = part_path(models_dir, entry.file)
    part.parent.mkdir()
    part.write_bytes(body)  # closed right after the last byte arrived, before the check
    meta = {"url": url, "sha256": entry.sha256, "size_bytes": entry.size_bytes, "total": len(body)}
    part.with_name(part.name + ".json").write_text(json.dumps(meta), encoding="utf-8")
    assert download_model(entry, models_dir, ALLOW).read_bytes() == body
    assert range_headers(loopback, "/tiny.gguf") == [f"bytes={len(body)}-"]


def test_a_part_from_another_url_is_not_resumed(
    tmp_path: Path, models_dir: Path, loopback: LoopbackServer, body: bytes
) -> None:
    url = loopback.add("/tiny.gguf", Response(body, content_type=OCTETS, ranges=True))
    entry = checked(tmp_path, url, body)
    part = part_path(models_dir, entry.file)
    part.parent.mkdir()
    part.write_bytes(b"x" * 5000)
    meta = {"url": url + "?old", "sha256": entry.sha256, "size_bytes": entry.size_bytes}
    part.with_name(part.name + ".json").write_text(json.dumps(meta), encoding="utf-8")
    assert download_model(entry, models_dir, ALLOW).read_bytes() == body
    assert range_headers(loopback, "/tiny.gguf") == [None]
