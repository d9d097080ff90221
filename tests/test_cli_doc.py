"""`debate-prep doc stats` and `debate-prep doc send-doc` on real Verbatim files (issue 14)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from cli.exit_codes import ExitCode
from cli.main import main
from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Mark, Span, walk
from evidence.documents.doc_file import save_document
from evidence.documents.stats import document_stats
from evidence.settings import Settings, save_settings
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES

NEG = SAMPLES / "verbatim" / "neg.docx"


def _run(home: Path, *args: str) -> int:
    return main(["--data-dir", str(home), *args])


def _small(path: Path) -> Path:
    body = "one two three four five six"
    card = Card("Tag", "Smith 20", "John Smith 2020", body, [Span(0, 13, Mark.HIGHLIGHT)])
    block = Heading(Level.BLOCK, "Warming", [card, Analytic("They drop it", "extend")])
    doc = CardDocument([Heading(Level.POCKET, "1NC", [block])])
    save_document(doc, path, expected=None)
    return path


def test_stats_json_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _small(tmp_path / "speech.docx")
    assert _run(tmp_path / "home", "doc", "stats", str(path), "--wpm", "60", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    # Card: 1 + 2 + 3 + 6 words, reads 3 highlighted; analytic: 3 + 1 words, all read.
    want = {"cards": 1, "analytics": 1, "words": 16, "words_read": 7, "read_seconds": 7.0}
    assert {k: out[k] for k in want} == want
    (pocket,) = out["sections"]
    assert (pocket["title"], pocket["level"], pocket["words_read"]) == ("1NC", 1, 7)
    (block,) = pocket["sections"]
    assert {k: block[k] for k in want} == want
    assert (block["title"], block["level"], block["sections"]) == ("Warming", 3, [])


def test_stats_table_on_a_real_file_uses_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    save_settings(home / "settings.json", Settings(words_per_minute=120))
    assert _run(home, "doc", "stats", str(NEG)) == ExitCode.OK
    out = capsys.readouterr().out
    stats = document_stats(read_verbatim(NEG), 120)
    minutes, seconds = divmod(round(stats.read_seconds), 60)
    assert f"{stats.cards} cards" in out and f"in {minutes}:{seconds:02d} at 120 wpm" in out
    lines = out.splitlines()
    first = stats.children[0]
    row = next(line for line in lines if line.split()[:2] == ["Pocket", first.title])
    assert row.split()[2] == str(first.cards)
    assert sum(1 for line in lines if line.strip().startswith(("Pocket", "Hat", "Block"))) == (
        sum(1 for n in walk(read_verbatim(NEG).nodes) if isinstance(n, Heading))
    )


def test_stats_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert _run(tmp_path / "home", "doc", "stats", str(bad)) == ExitCode.ERROR
    assert "error: cannot open" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _run(tmp_path / "home", "doc", "stats", str(NEG), "--wpm", "5")


def test_send_doc_drops_analytics_and_keeps_styles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    speech = tmp_path / "neg.docx"
    shutil.copyfile(NEG, speech)
    out = tmp_path / "send.docx"
    assert _run(tmp_path / "home", "doc", "send-doc", str(speech), "--out", str(out)) == 0
    assert "analytics left out" in capsys.readouterr().out
    original, sent = read_verbatim(speech), read_verbatim(out)
    assert [n for n in walk(original.nodes) if isinstance(n, Analytic)]
    assert not [n for n in walk(sent.nodes) if isinstance(n, Analytic)]
    assert [c.body for c in sent.cards()] == [c.body for c in original.cards()]
    with zipfile.ZipFile(out) as a, zipfile.ZipFile(NEG) as b:
        assert a.read("word/styles.xml") == b.read("word/styles.xml")
    assert speech.read_bytes() == NEG.read_bytes()  # the speech doc is not touched
    # Again over the old send doc (replaced), but never over the speech doc itself.
    assert _run(tmp_path / "home", "doc", "send-doc", str(speech), "--out", str(out)) == 0
    assert _run(tmp_path / "home", "doc", "send-doc", str(speech), "--out", str(speech)) == 1
    assert speech.read_bytes() == NEG.read_bytes()
    missing = tmp_path / "nowhere" / "send.docx"
    assert _run(tmp_path / "home", "doc", "send-doc", str(speech), "--out", str(missing)) == 1
    assert "folder does not exist" in capsys.readouterr().err
