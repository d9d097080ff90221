"""Highlight problems in the import summary (issue 13, part 5): a real import of the
development samples says how many imported cards the highlight checker flags and how to
list them; the count is stored with each card at import and read back, not re-checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.exit_codes import ExitCode
from cli.main import main
from evidence.cards.card import Card, CardDocument, Heading, Level, Node
from evidence.cards.highlight_check import check_card
from evidence.datadir import DataDir
from evidence.importing.events import FileResult, ImportFinished
from evidence.library import Library
from evidence.settings import Settings
from evidence.verbatim import read_verbatim
from evidence.verbatim.writer import write_docx
from tests.conftest import SAMPLES

NEG = SAMPLES / "verbatim" / "neg.docx"


def _run(home: DataDir, *args: str) -> int:
    return main(["--data-dir", str(home.root), *args])


def _live_flagged(lib: Library) -> set[int]:
    """What the checker says now, card by card (what `cards --check` lists)."""
    return {r.id for r in lib.cards() if isinstance(r.node, Card) and check_card(r.node)}


def test_cli_import_says_how_many_cards_have_highlight_problems(
    data_dir: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(data_dir, "import", "--no-vectors", str(NEG)) == ExitCode.OK
    out = capsys.readouterr().out.splitlines()
    (line,) = [x for x in out if x.strip().startswith("imported")]
    assert line.endswith("neg.docx: 59 cards, 7 analytics (Verbatim), 7 with highlight problems")
    assert out[-1] == "7 cards have highlight problems: debate-prep cards --check --source neg.docx"

    # The command it names lists those same 7 cards.
    assert _run(data_dir, "--json", "cards", "--check", "--source", "neg.docx") == ExitCode.OK
    listed = {r["id"] for r in json.loads(capsys.readouterr().out)}
    with Library(data_dir, Settings()) as lib:
        assert set(r.id for r in lib.flagged_cards()) == listed == _live_flagged(lib)
        # Each card's stored count is the checker's number of findings on it.
        for row in lib.cards():
            stored = lib.store.conn.execute(
                "SELECT highlight_findings FROM cards WHERE id = ?", (row.id,)
            ).fetchone()[0]
            want = len(check_card(row.node)) if isinstance(row.node, Card) else None
            assert stored == want, row.node.tag


def test_a_clean_file_says_nothing_and_json_carries_the_count(
    data_dir: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = SAMPLES / "verbatim" / "1nc.docx"  # its 20 cards read cleanly
    assert _run(data_dir, "import", "--no-vectors", str(clean)) == ExitCode.OK
    out = capsys.readouterr().out
    assert "highlight problems" not in out
    assert _run(data_dir, "--json", "import", "--no-vectors", str(NEG)) == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    assert report["highlight_flagged"] == 7
    assert [f["flagged"] for f in report["files"]] == [7]


def test_a_folder_counts_each_flagged_card_once(
    data_dir: DataDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cards two files hold are stored once: the total counts them once, the files each."""
    folder = str(SAMPLES / "verbatim")
    assert _run(data_dir, "import", "--no-vectors", folder) == ExitCode.OK
    last = capsys.readouterr().out.splitlines()[-1]
    with Library(data_dir, Settings()) as lib:
        live = _live_flagged(lib)
    # Flagged cards in two files: the hint lists the whole library's.
    assert last == f"{len(live)} cards have highlight problems: debate-prep cards --check"
    assert _run(data_dir, "import", "--no-vectors", folder) == ExitCode.OK
    assert "highlight problems" not in capsys.readouterr().out  # unchanged files: no count

    other = DataDir(tmp_path / "other").create()
    assert _run(other, "--json", "import", "--no-vectors", folder) == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    per_file = {Path(f["path"]).name: f["flagged"] for f in report["files"]}
    assert report["highlight_flagged"] == len(live) > 0
    assert per_file["1nc.docx"] == 0 and per_file["neg.docx"] == 7
    assert sum(per_file.values()) >= len(live)


def test_listings_read_the_stored_count(data_dir: DataDir) -> None:
    """Change the stored count and the listing follows it (no re-check); a card stored
    before the count existed (NULL) is checked when listed."""
    with Library(data_dir, Settings()) as lib:
        list(lib.import_paths([NEG], embed=False))
        flagged = [r.id for r in lib.flagged_cards()]
        assert len(flagged) == 7
        conn = lib.store.conn
        conn.execute("UPDATE cards SET highlight_findings = 0 WHERE id = ?", (flagged[0],))
        conn.commit()
        assert [r.id for r in lib.flagged_cards()] == flagged[1:]
        conn.execute("UPDATE cards SET highlight_findings = NULL")
        conn.commit()
        assert [r.id for r in lib.flagged_cards()] == flagged
        # Counted once, then kept: the next listing reads the counts again.
        rows = conn.execute("SELECT id, highlight_findings FROM cards WHERE kind = 'card'")
        counts = dict(rows.fetchall())
        assert None not in counts.values()
        assert sorted(i for i, n in counts.items() if n) == flagged


def test_cards_two_files_share_count_once_and_stay_flagged_when_one_file_goes(
    tmp_path: Path,
) -> None:
    """a.docx and b.docx share two of neg.docx's flagged cards: each file counts its own 4,
    the import 6; removing a.docx hands the shared cards, with their counts, to b.docx."""
    flagged = [c for c in read_verbatim(NEG).cards() if check_card(c)]
    assert len(flagged) >= 6
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    for path, cards in ((a, flagged[0:4]), (b, flagged[2:6])):
        write_docx(
            CardDocument([Heading(Level.BLOCK, path.stem, list[Node](cards))], title=path.stem),
            path,
        )
    with Library(DataDir(tmp_path / "data").create(), Settings()) as lib:
        events = list(lib.import_paths([a, b], embed=False))
        per_file = {e.path: e.flagged for e in events if isinstance(e, FileResult)}
        assert per_file == {str(a): 4, str(b): 4}
        (done,) = [e for e in events if isinstance(e, ImportFinished)]
        assert done.flagged == 6
        ids = {s.origin: s.id for s in lib.sources()}
        assert lib.remove(ids[str(a)])
        assert len(lib.flagged_cards([ids[str(b)]])) == 4
        assert len(lib.flagged_cards()) == 4


def test_the_file_is_searchable_before_its_highlight_is_checked(
    data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check is most of a big import's time: it runs after the file's transaction
    commits, so another connection already finds the cards (counts still NULL)."""
    import sqlite3

    import evidence.cards.flagged as flagged

    seen: list[tuple[int, int, int]] = []
    real = flagged.check_card

    def check(card: Card) -> object:
        if not seen:
            other = sqlite3.connect(data_dir.database)
            seen.append(
                other.execute(
                    "SELECT (SELECT COUNT(*) FROM passages_fts WHERE passages_fts MATCH 'nuclear'),"
                    " (SELECT COUNT(*) FROM cards),"
                    " (SELECT COUNT(*) FROM cards WHERE highlight_findings IS NOT NULL)"
                ).fetchone()
            )
            other.close()
        return real(card)

    monkeypatch.setattr(flagged, "check_card", check)
    with Library(data_dir, Settings()) as lib:
        events = list(lib.import_paths([NEG], embed=False))
        (found, cards, counted) = seen[0]
        assert found > 0 and cards == 66 and counted == 0
        assert [e.flagged for e in events if isinstance(e, FileResult)] == [7]
        assert len(lib.flagged_cards()) == 7
        nulls = "SELECT COUNT(*) FROM cards WHERE kind = 'card' AND highlight_findings IS NULL"
        assert lib.store.conn.execute(nulls).fetchone()[0] == 0
