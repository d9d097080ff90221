"""The command line's shape: global options anywhere, exit codes, and a reader that goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.exit_codes import ExitCode
from cli.main import build_parser, main
from evidence.datadir import DataDir
from evidence.settings import Settings, save_settings
from tests.conftest import ROOT, SAMPLES


def test_global_options_work_before_or_after_the_subcommand() -> None:
    parser = build_parser()
    before = parser.parse_args(["--json", "-v", "--data-dir", "/x", "cards"])
    after = parser.parse_args(["cards", "--json", "-v", "--data-dir", "/x"])
    nested = parser.parse_args(["models", "list", "--json"])
    plain = parser.parse_args(["cards"])
    assert (before.json, before.verbose, before.data_dir) == (True, True, "/x")
    assert (after.json, after.verbose, after.data_dir) == (True, True, "/x")
    assert nested.json is True
    assert (plain.json, plain.verbose, plain.data_dir) == (False, False, None)


def test_json_after_the_subcommand_prints_json(
    data_dir: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--data-dir", str(data_dir.root)]
    assert main(["settings", "threads=3", *home]) == ExitCode.OK
    capsys.readouterr()
    assert main(["settings", *home, "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["threads"] == 3


_ENTRY = "import sys; from cli.entry import main; sys.exit(main())"


def test_output_piped_into_head_ends_quietly(
    data_dir: DataDir, embedder_path: Path, tmp_path: Path
) -> None:
    save_settings(data_dir.settings, Settings(embedding_model=str(embedder_path)))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DEBATE_PREP_HOME": str(data_dir.root)}
    imported = subprocess.run(
        [sys.executable, "-c", _ENTRY, "import", "--no-vectors", str(SAMPLES)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert imported.returncode == ExitCode.OK, imported.stderr
    # The cards as JSON are over a megabyte: far more than a pipe holds, so the writer is
    # still writing when `head` closes the pipe after its first 100 bytes.
    piped = subprocess.run(
        [
            "bash",
            "-c",
            '"$0" -c "$1" cards --json | head -c 100 >/dev/null; exit ${PIPESTATUS[0]}',
            sys.executable,
            _ENTRY,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.stderr == ""
    assert piped.returncode == ExitCode.BROKEN_PIPE


def test_a_second_ctrl_c_aborts_with_130_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cli.entry
    import cli.main

    def interrupted() -> int:  # what cli/interrupt.py raises on the second Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.main, "main", interrupted)
    monkeypatch.setattr(sys, "argv", ["debate-prep", "import"])
    assert cli.entry.main() == ExitCode.CANCELLED
    assert capsys.readouterr().err.strip() == "aborted"
