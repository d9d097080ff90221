"""`debate-prep cards --check`: the highlight checker over a real imported Verbatim file."""

from __future__ import annotations

import json

import pytest

from cli.exit_codes import ExitCode
from cli.main import main
from evidence.datadir import DataDir
from tests.conftest import SAMPLES


def _run(home: DataDir, *args: str) -> int:
    return main(["--data-dir", str(home.root), *args])


def test_cards_check_lists_the_flagged_cards_of_a_real_file(
    data_dir: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = SAMPLES / "verbatim" / "neg.docx"
    assert _run(data_dir, "import", "--no-vectors", str(sample)) == ExitCode.OK
    capsys.readouterr()

    assert _run(data_dir, "cards", "--check") == ExitCode.OK
    out = capsys.readouterr().out
    assert "Article IX and atomic energy laws" in out
    assert "highlight drops “not” between “would” and “overturn”: the read says the opposite" in out
    assert "“Treaty” is highlighted but not underlined" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("7 of 59 cards have highlight findings (")
    assert "1 dropped negation" in last and "outside underline" in last
    # A card read normally is not listed.
    assert "“Defense pacts” obligate aid." not in out

    assert _run(data_dir, "--json", "cards", "--check", "--source", "neg.docx") == ExitCode.OK
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 7
    article = next(r for r in rows if r["tag"].startswith("Article IX"))
    (found,) = article["findings"]
    assert found["kind"] == "dropped_negation" and found["end"] - found["start"] == 3
