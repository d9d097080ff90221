"""Search results a debater can use (issue 16, part 4): a card hit says its tag, short cite
and place in its file before the snippet; a .docx hit says nothing of pages, a PDF hit its
page; a query the library knows nothing about gets "no results" in hybrid mode, while a real
tag still finds its card. On the real imported samples with the real MiniLM embedder."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from app.search import ResultItem, result_items, search_floored
from cli.exit_codes import ExitCode
from cli.main import main
from evidence.cards.card import Card
from evidence.datadir import DataDir
from evidence.index.search import SearchHit
from evidence.index.snippets import matches_all
from evidence.library import Library
from evidence.settings import Settings, save_settings

NONSENSE = "professional baseball salary cap"


@pytest.fixture(scope="module")
def home(
    sample_library: Any, embedder_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> DataDir:
    """A private copy of the imported, embedded samples, the CLI pointed at the cached model."""
    root = tmp_path_factory.mktemp("results-samples") / "data"
    shutil.copytree(sample_library.data_dir.root, root)
    data = DataDir(root)
    save_settings(data.settings, Settings(embedding_model=str(embedder_path)))
    return data


def _search(home: DataDir, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["--data-dir", str(home.root), "search", *args]) == ExitCode.OK
    return capsys.readouterr().out


def test_cli_card_hit_shows_tag_cite_and_place(
    home: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _search(home, capsys, "UNCLOS duty to conserve whales", "-k", "3")
    lines = out.splitlines()
    assert lines[0] == "1. Protection means to command a cessation of use. — Matanich 96"
    assert lines[1].startswith("   1nc.docx ▸ Offcase ▸ 1NC---T · score ")
    # The snippet is cut from the body: the tag and cite are not repeated in it.
    assert lines[2].startswith("   «UNCLOS» imposes a «duty»")
    assert "no page numbers" not in out and "p. " not in out

    out = _search(home, capsys, "argument mining summarization dataset", "-k", "3")
    first = out.splitlines()[0]
    assert (
        first.startswith("1. DebateSum") and ", p. " in first and "[debatesum-paper.pdf]" in first
    )

    raw = _search(home, capsys, "--json", "UNCLOS duty to conserve whales", "-k", "1")
    (hit,) = json.loads(raw)
    assert hit["tag"] == "Protection means to command a cessation of use."
    assert hit["short_cite"] == "Matanich 96" and hit["place"] == ["Offcase", "1NC---T"]
    assert hit["also_in"] == [] and hit["origin"].endswith("1nc.docx")


def test_nonsense_says_no_results_in_hybrid_mode(
    home: DataDir, capsys: pytest.CaptureFixture[str], embedder: Any
) -> None:
    with Library(home, Settings(), lambda: embedder) as lib:
        # Without the floor, fusion lists whatever holds "professor" or sits nearest.
        assert len(lib.search(NONSENSE, 10)) == 10
        assert search_floored(lib, NONSENSE, 10) == []
        assert search_floored(lib, NONSENSE, 10, mode="vector") == []
        assert search_floored(lib, NONSENSE, 10, mode="lexical")  # keywords: as typed
    for query in (NONSENSE, "chocolate chip cookie recipe"):
        assert _search(home, capsys, query) == f"no results for {query!r}\n"


def test_real_tags_still_find_their_cards(home: DataDir, embedder: Any) -> None:
    """Every card tag of the samples (as a debater would type the claim) finds its own card
    among the floored top ten."""
    with Library(home, Settings(), lambda: embedder) as lib:
        rows = [r for r in lib.cards() if isinstance(r.node, Card) and len(r.node.tag) > 20]
        assert len(rows) > 30
        missed = []
        for row in rows[::4]:
            assert isinstance(row.node, Card)
            hits = search_floored(lib, row.node.tag, 10)
            if row.passage_id not in [h.passage_id for h in hits]:
                missed.append(row.node.tag)
        assert not missed, missed


def test_unembedded_passages_pass_the_floor_only_with_every_word(
    data_dir: DataDir, embedder: Any, tmp_path: Path
) -> None:
    """While vectors fill in, a passage with no vector yet is kept when it holds every query
    word, dropped when it only shares one."""
    (tmp_path / "sports.txt").write_text(
        "The professional baseball league set a salary cap for next season.\n\n"
        "Heads of state discussed the professional standards of diplomats."
    )
    with Library(data_dir, Settings(), lambda: embedder) as lib:
        list(lib.import_paths([tmp_path / "sports.txt"], embed=False))
        hits = search_floored(lib, NONSENSE, 10)
        texts = [lib.store.passages([h.passage_id])[h.passage_id].text for h in hits]
    assert len(texts) == 1 and "salary cap" in texts[0]


def test_matches_all_stems_like_the_marks() -> None:
    assert matches_all("States conserve whales under UNCLOS.", "UNCLOS conservation of whale")
    assert not matches_all("States conserve whales.", "UNCLOS whales")
    assert not matches_all("anything", "the of and")  # no content words: nothing to match


@dataclass(frozen=True)
class _HitWithCopies(SearchHit):
    also_in: tuple[str, ...] = ()


def test_a_card_in_several_files_says_so(home: DataDir, embedder: Any) -> None:
    with Library(home, Settings(), lambda: embedder) as lib:
        (hit,) = search_floored(lib, "UNCLOS duty to conserve whales", 1)
        (item,) = result_items(lib, [hit], "UNCLOS duty to conserve whales")
    assert item.also_text() == "" and item.where() == "1nc.docx ▸ Offcase ▸ 1NC---T"
    files = ("a.docx", "b.docx")
    if "also_in" in SearchHit.__dataclass_fields__:  # one card, one copy: the store says
        copied_hit: SearchHit = replace(hit, also_in=files)
    else:
        fields = {k: getattr(hit, k) for k in SearchHit.__dataclass_fields__}
        copied_hit = _HitWithCopies(**fields, also_in=files)
    copied = ResultItem(copied_hit, item.card, True)
    assert copied.also_text() == "also in 2 files"
