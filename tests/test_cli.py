"""The command line as a user runs it: real subprocess-free calls of `desktop.cli.main`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop.cli import EXIT_OK, EXIT_SOME_FAILED, main
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
    assert _run(cli_home, "import", str(SAMPLES)) == EXIT_OK
    out = capsys.readouterr().out
    assert out.count("  imported") == 5 and "1nc.docx" in out
    assert _run(cli_home, "search", "UNCLOS duty to conserve whales", "-k", "3") == EXIT_OK
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("1. ") and "1nc.docx" in first
    assert "«UNCLOS»" in out

    assert _run(cli_home, "--json", "search", "whales", "-k", "2") == EXIT_OK
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 2 and {"origin", "page", "score", "snippet", "marks"} <= set(hits[0])

    assert _run(cli_home, "--json", "sources") == EXIT_OK
    sources = json.loads(capsys.readouterr().out)
    assert len(sources) == 5

    assert _run(cli_home, "remove", "neg-2.docx") == EXIT_OK
    assert _run(cli_home, "--json", "sources") == EXIT_OK
    assert len(json.loads(capsys.readouterr().out.split("\n", 1)[1])) == 4


def test_failed_file_sets_exit_code_and_names_the_reason(
    cli_home: DataDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "pdf" / "debatesum-paper.pdf", folder / "paper.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert _run(cli_home, "import", "--no-vectors", str(folder)) == EXIT_SOME_FAILED
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
    assert _run(cli_home, "search", "anything") == EXIT_OK
    assert "debate-prep import" in capsys.readouterr().out
