"""`debate-prep models ...` end to end through cli.main.main, on a loopback catalog."""

from __future__ import annotations

import json
import os
import signal
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from agents.models.download import part_path
from cli.main import main
from evidence.datadir import DataDir
from evidence.settings import Settings, load_settings, save_settings
from tests.fake_gguf import catalog_entry, sha256_of, tiny_gguf, write_catalog
from tests.loopback import LoopbackServer, Response
from tests.netguard import SocketGuard

OCTETS = "application/octet-stream"


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return tiny_gguf(tmp_path / "src" / "tiny.gguf")


@pytest.fixture
def catalog(tmp_path: Path, loopback: LoopbackServer, model: Path) -> Path:
    size = model.stat().st_size
    url = loopback.add("/files/tiny.gguf", Response(model.read_bytes(), content_type=OCTETS))
    entry = catalog_entry(
        "tiny-chat",
        "tiny.gguf",
        url,
        sha256=sha256_of(model),
        size_bytes=size,
        approx_size_bytes=size,
    )
    return write_catalog(tmp_path / "catalog.json", entry)


def run(home: DataDir, catalog: Path, *args: str) -> int:
    json_flag = ["--json"] if args and args[0] == "--json" else []
    rest = list(args[1:] if json_flag else args)
    return main(
        ["--data-dir", str(home.root), *json_flag, "models", "--catalog", str(catalog), *rest]
    )


def web_on(home: DataDir) -> None:
    save_settings(home.settings, Settings(web_access=True, web_allow_private=True))


def test_list_shows_catalog_installed_fit_and_the_active_model(
    data_dir: DataDir, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(data_dir, catalog, "list") == 0
    out = capsys.readouterr().out
    header, builtin, tiny = out.splitlines()[:3]
    assert header.split() == ["MODEL", "SIZE", "QUANT", "LICENCE", "FIT", "STATUS"]
    assert builtin.startswith("* gemma-3-270m") and "active, bundled" in builtin
    assert tiny.startswith("  tiny-chat") and "not downloaded" in tiny and "F32" in tiny
    assert "runs on the CPU" in tiny or "fits in GPU memory" in tiny
    assert "web access is off" in out

    assert run(data_dir, catalog, "--json", "list") == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["gemma-3-270m"]["active"] and not rows["tiny-chat"]["active"]
    assert rows["tiny-chat"]["fit"]["verdict"] in ("runs on the CPU", "fits in GPU memory")
    assert rows["tiny-chat"]["status"] == "not downloaded"


def test_download_with_web_access_off_says_so_and_connects_nowhere(
    data_dir: DataDir,
    catalog: Path,
    loopback: LoopbackServer,
    socket_guard: SocketGuard,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(data_dir, catalog, "download", "tiny") == 1
    err = capsys.readouterr().err
    assert "web access is off" in err and "debate-prep settings web_access=on" in err
    assert socket_guard.attempts == [] and not loopback.requests


def test_download_use_fit_end_to_end(
    data_dir: DataDir, catalog: Path, loopback: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    web_on(data_dir)
    assert run(data_dir, catalog, "download", "tiny") == 0
    out, err = capsys.readouterr()
    path = data_dir.models / "tiny.gguf"
    assert f"downloaded and verified: {path}" in out and "models use tiny-chat" in out
    assert "100.0%" in err and "MB/s" in err and "fit: " in err

    assert run(data_dir, catalog, "use", "tiny") == 0
    assert "now using tiny-chat" in capsys.readouterr().out
    assert load_settings(data_dir.settings).generator_model == str(path)
    assert run(data_dir, catalog, "list") == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "tiny-chat" in x)
    assert line.startswith("* tiny-chat") and "active, ready" in line

    assert run(data_dir, catalog, "fit", "tiny-chat", "--context", "1024") == 0
    out = capsys.readouterr().out
    assert out.startswith("tiny.gguf: ") and "GGUF header" in out and "1,024-token" in out
    assert run(data_dir, catalog, "--json", "fit", "gemma") == 0  # not prepared: catalog figures
    assert json.loads(capsys.readouterr().out)["basis"] == "catalog figures"

    assert run(data_dir, catalog, "use", "builtin") == 0
    assert load_settings(data_dir.settings).generator_model == ""
    assert run(data_dir, catalog, "download", "tiny") == 0  # already there: no request
    assert loopback.hits["/files/tiny.gguf"] == 1


def test_ctrl_c_cancels_and_the_next_download_resumes(
    data_dir: DataDir,
    catalog: Path,
    loopback: LoopbackServer,
    model: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    web_on(data_dir)
    body = model.read_bytes()

    def interrupted_midway(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", OCTETS)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[:200_000])
        handler.wfile.flush()
        time.sleep(0.3)  # the client writes what it has, then the user presses Ctrl+C
        os.kill(os.getpid(), signal.SIGINT)
        try:
            for i in range(200_000, len(body), 1024):
                handler.wfile.write(body[i : i + 1024])
                time.sleep(0.002)
        except OSError:  # the client hung up, as it should
            pass

    loopback.add("/files/tiny.gguf", interrupted_midway)
    assert run(data_dir, catalog, "download", "tiny-chat") == 130
    err = capsys.readouterr().err
    assert "cancelled" in err and "download it again to resume" in err
    kept = part_path(data_dir.models, "tiny.gguf").stat().st_size
    assert 0 < kept < len(body)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored
    assert run(data_dir, catalog, "list") == 0  # the same words as the model manager window
    line = next(x for x in capsys.readouterr().out.splitlines() if "tiny-chat" in x)
    assert "paused at" in line and "(resumes)" in line

    loopback.add("/files/tiny.gguf", Response(body, content_type=OCTETS, ranges=True))
    assert run(data_dir, catalog, "download", "tiny-chat", "--use") == 0
    assert (data_dir.models / "tiny.gguf").read_bytes() == body
    assert loopback.requests[-1][1].get("Range") == f"bytes={kept}-"
    assert load_settings(data_dir.settings).generator_model == str(data_dir.models / "tiny.gguf")


def test_import_and_every_error_exits_non_zero_with_a_message(
    tmp_path: Path, data_dir: DataDir, catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tiny_gguf(tmp_path / "mine.gguf", seed=3)
    assert run(data_dir, catalog, "import", str(mine), "--use") == 0
    out = capsys.readouterr().out
    assert f"imported mine: {data_dir.models / 'mine.gguf'}" in out and "now using mine" in out

    notes = tmp_path / "notes.gguf"
    notes.write_text("not a model")
    cases = [
        (["import", str(notes)], "not a GGUF model file"),
        (["import", str(tmp_path / "absent.gguf")], "no file at"),
        (["use", "nothing-like-it"], "no installed model called 'nothing-like-it'"),
        (["use", "tiny-chat"], "not downloaded yet"),
        (["download", "nope"], "no model called 'nope' in the catalog"),
        (["fit", "nope"], "no model called 'nope'"),
    ]
    for args, message in cases:
        assert run(data_dir, catalog, *args) == 1, args
        assert message in capsys.readouterr().err, args

    catalog.write_text('{"version": 1, "models": [{"name": "x"}]}')
    assert run(data_dir, catalog, "list") == 1
    assert "field 'title': missing" in capsys.readouterr().err
