"""The command line as a user runs it: real subprocess-free calls of `cli.main.main`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli.exit_codes import ExitCode
from cli.main import main
from evidence.datadir import DataDir
from evidence.settings import Settings, save_settings
from tests.conftest import SAMPLES


@pytest.fixture
def cli_home(data_dir: DataDir, embedder_path: Path) -> DataDir:
    # Point the CLI at the cached model so it does not convert one per test.
    save_settings(data_dir.settings, Settings(embedding_model=str(embedder_path)))
    return data_dir


def _run(home: DataDir, *args: str) -> int:
    return main(["--data-dir", str(home.root), *args])


def test_import_then_search_prints_1nc_first(
    cli_home: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(cli_home, "import", str(SAMPLES)) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.count("  imported") == 5 and "1nc.docx" in out
    assert _run(cli_home, "search", "UNCLOS duty to conserve whales", "-k", "3") == ExitCode.OK
    out = capsys.readouterr().out
    first, place = out.splitlines()[:2]
    assert first.startswith("1. ") and first.endswith(" — Matanich 96")  # tag — short cite
    assert place.strip().startswith("1nc.docx ▸ ")  # file ▸ pocket ▸ hat ▸ block
    assert "«UNCLOS»" in out

    assert (
        _run(cli_home, "--json", "search", "climate change", "-k", "2")  # cards in two files
        == ExitCode.OK
    )
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 2
    assert {"origin", "page", "score", "snippet", "marks", "tag", "place"} <= set(hits[0])

    assert _run(cli_home, "--json", "sources") == ExitCode.OK
    sources = json.loads(capsys.readouterr().out)
    assert len(sources) == 5

    assert _run(cli_home, "remove", "neg-2.docx") == ExitCode.OK
    assert _run(cli_home, "--json", "sources") == ExitCode.OK
    assert len(json.loads(capsys.readouterr().out.split("\n", 1)[1])) == 4


def test_failed_file_sets_exit_code_and_names_the_reason(
    cli_home: DataDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "pdf" / "debatesum-paper.pdf", folder / "paper.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert _run(cli_home, "import", "--no-vectors", str(folder)) == ExitCode.SOME_FAILED
    out = capsys.readouterr().out
    assert "FAILED" in out and "broken.pdf" in out
    assert "imported" in out and "paper.pdf" in out


def test_remove_unknown_source_is_an_error(
    cli_home: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(cli_home, "remove", "nothing-like-this") == 1
    assert "no source matches" in capsys.readouterr().err


def test_search_on_empty_library_says_how_to_import(
    cli_home: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(cli_home, "search", "anything") == ExitCode.OK
    assert "debate-prep import" in capsys.readouterr().out


def test_settings_show_and_change_with_checks(
    data_dir: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(data_dir, "settings", "threads=3", "web_access=on") == ExitCode.OK
    assert "threads = 3" in capsys.readouterr().out
    assert _run(data_dir, "--json", "settings") == ExitCode.OK
    shown = json.loads(capsys.readouterr().out)
    assert shown["threads"] == 3 and shown["web_access"] is True
    assert _run(data_dir, "settings", "threads=many") == 1
    assert "whole number" in capsys.readouterr().err
    assert _run(data_dir, "settings", "colour=blue") == 1
    assert _run(data_dir, "settings", "embedding_model=/nowhere/x.gguf") == 1
    assert "no file" in capsys.readouterr().err
    assert _run(data_dir, "--json", "settings") == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["threads"] == 3  # failed changes saved nothing


def test_corrupt_embedding_model_is_named_and_keyword_search_still_works(
    data_dir: DataDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    save_settings(data_dir.settings, Settings(embedding_model=str(bad)))
    doc = SAMPLES / "verbatim" / "1nc.docx"
    assert _run(data_dir, "import", str(doc)) == ExitCode.OK
    captured = capsys.readouterr()
    assert "vectors not computed" in captured.err and "broken.gguf" in captured.err
    assert _run(data_dir, "search", "UNCLOS whales", "-k", "1") == ExitCode.OK
    assert "1nc.docx" in capsys.readouterr().out
    log = data_dir.log_file.read_text()
    assert "broken.gguf" in log


def test_cards_and_export_from_the_command_line(
    data_dir: DataDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from evidence.verbatim import read_verbatim

    sample = SAMPLES / "verbatim" / "1nc.docx"
    assert _run(data_dir, "import", "--no-vectors", str(sample)) == ExitCode.OK
    assert "20 cards" in capsys.readouterr().out
    assert _run(data_dir, "--json", "cards", "--source", "1nc.docx") == ExitCode.OK
    rows = json.loads(capsys.readouterr().out)
    cards = [r for r in rows if r["kind"] == "card"]
    assert len(cards) == 20
    matanich = next(r for r in cards if r["short_cite"] == "Matanich 96")
    assert matanich["path"][-1][1].startswith("1NC---T")

    out = tmp_path / "block.docx"
    assert _run(data_dir, "export", "--out", str(out), "--card", str(matanich["id"])) == ExitCode.OK
    back = read_verbatim(out.read_bytes()).cards()
    assert [(c.tag, c.short_cite, c.body) for c in back] == [
        (matanich["tag"], "Matanich 96", matanich["body"])
    ]
    whole = tmp_path / "whole.docx"
    assert (
        _run(data_dir, "export", "--out", str(whole), "--shrink", "--no-analytics") == ExitCode.OK
    )
    assert len(read_verbatim(whole.read_bytes()).cards()) == 20

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    capsys.readouterr()
    assert _run(data_dir, "export", "--out", str(blocker / "x.docx")) == 1
    assert "error:" in capsys.readouterr().err
