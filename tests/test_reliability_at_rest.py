"""Files at rest made hostile at test time (deep nesting, nested headings, huge, not UTF-8):
the CLI and the window (offscreen, in a subprocess) still start, with the file kept aside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agents.models.catalog import CatalogError, load_catalog
from agents.models.files import read_sidecar, sidecar_path
from evidence.at_rest import json_depth_ok
from evidence.cards.outline_file import MAX_OUTLINE_NODES, load_outline
from evidence.settings import read_settings

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from cli.entry import main; sys.exit(main())"]


def deep_json(levels: int) -> str:
    return '{"a": ' + "[" * levels + "]" * levels + "}"


def nested_headings(count: int) -> str:
    head = '{"kind": "heading", "level": 1, "title": "x", "children": ['
    return '{"schema_version": 1, "nodes": [' + head * count + "]}" * count + "]}"


def run(args: list[str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def kept(folder: Path, stem: str) -> list[Path]:
    return sorted(folder.glob(f"{stem}*.broken-*"))


def test_depth_scan_ignores_brackets_in_strings() -> None:
    assert json_depth_ok('{"a": "[[[[[[[[["}', 2)
    assert not json_depth_ok(deep_json(10), 5)
    assert json_depth_ok(deep_json(3), 4)


@pytest.mark.parametrize(
    "content",
    [deep_json(100_000), deep_json(5), b"\xff\xfe{}", "{" + " " * 1_100_000 + "}", "[1, 2]"],
    ids=["deep", "too-deep-for-settings", "not-utf8", "huge", "not-an-object"],
)
def test_settings_kept_aside_with_a_problem(tmp_path: Path, content: str | bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    settings, problem = read_settings(path)
    assert settings.context_size == 4096 and problem and "Using defaults" in problem
    assert not path.exists() and len(kept(tmp_path, "settings")) == 1


def test_outline_nested_headings_and_deep_json_are_refused(tmp_path: Path) -> None:
    for text in (nested_headings(5000), nested_headings(4), deep_json(3000)):
        path = tmp_path / "outline.json"
        path.write_text(text)
        loaded = load_outline(path)
        assert loaded.document.nodes == [] and loaded.problem and loaded.moved_to
    assert len(list(tmp_path.glob("outline.broken-*"))) == 3


def test_outline_with_too_many_nodes_is_refused(tmp_path: Path) -> None:
    card = {"kind": "analytic", "tag": "t", "text": ""}
    path = tmp_path / "outline.json"
    path.write_text(json.dumps({"schema_version": 1, "nodes": [card] * (MAX_OUTLINE_NODES + 1)}))
    assert "more than" in (load_outline(path).problem or "")


def test_pocket_hat_block_card_still_loads(tmp_path: Path) -> None:
    card = {"kind": "card", "tag": "t", "body": "b", "spans": [[0, 1, "underline", ""]]}
    block = {"kind": "heading", "level": 3, "title": "B", "children": [card]}
    hat = {"kind": "heading", "level": 2, "title": "H", "children": [block]}
    pocket = {"kind": "heading", "level": 1, "title": "P", "children": [hat]}
    path = tmp_path / "outline.json"
    path.write_text(json.dumps({"schema_version": 1, "nodes": [pocket]}))
    loaded = load_outline(path)
    assert loaded.problem is None and loaded.document.cards()[0].body == "b"


def test_sidecar_and_catalog_bounded(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    sidecar_path(model).write_text(deep_json(50_000))
    assert read_sidecar(model) == {}
    catalog = tmp_path / "catalog.json"
    catalog.write_text(deep_json(50_000))
    with pytest.raises(CatalogError, match="nested deeper"):
        load_catalog(catalog)


def test_cli_starts_with_deep_settings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "settings.json").write_text(deep_json(100_000))
    done = run(["--data-dir", str(home), "sources"])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "settings file" in done.stderr and "kept as" in done.stderr
    assert len(kept(home, "settings")) == 1
    log = (home / "logs" / "debate-prep.log").read_text()
    assert log.count("could not be read") == 1


@pytest.mark.parametrize(
    "files",
    [
        {"settings.json": deep_json(100_000)},
        {"outline.json": deep_json(100_000)},
        {"outline.json": nested_headings(5000)},
        {"outline.json": nested_headings(400)},
        {"window.ini": "[General]\nstate=@ByteArray(" + "x" * 3_000_000 + ")\n"},
    ],
    ids=["settings-deep", "outline-deep", "outline-5000-headings", "outline-400", "layout-huge"],
)
def test_window_starts_offscreen(tmp_path: Path, files: dict[str, str]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for name, text in files.items():
        (home / name).write_text(text)
    out = tmp_path / "out"
    done = run(["selftest", "--data-dir", str(home), "--out", str(out), "--window-only"])
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert '"done"' in done.stdout
    for name in files:
        stem = name.split(".")[0]
        assert len(kept(home, stem)) == 1, list(home.iterdir())
