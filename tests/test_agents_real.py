"""The agent team end to end with the real default model (Gemma 3 270M) on the samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.team.events import Role, RunDone
from agents.team.tasks import AnswerTask, BlockTask, CaseTask, Side, Task
from cli.main import main
from evidence.cards.card import Card
from evidence.datadir import DataDir
from evidence.index.embedding import Embedder
from evidence.library import Library
from evidence.settings import Settings, save_settings
from evidence.verbatim import read_verbatim
from tests.conftest import SAMPLES

pytest_plugins = ["tests.fixtures_models"]


@pytest.fixture
def home(data_dir: DataDir, embedder_path: Path) -> DataDir:
    from agents.models.bundled import default_generator_path
    from tests.conftest import model_cache_dir

    generator = default_generator_path(model_cache_dir())
    save_settings(
        data_dir.settings,
        Settings(embedding_model=str(embedder_path), generator_model=str(generator)),
    )
    return data_dir


def test_cut_command_streams_stores_and_exports_verbatim_cards(
    home: DataDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(home.root)]
    assert main([*args, "import", str(SAMPLES)]) == 0
    capsys.readouterr()
    out = tmp_path / "cut.docx"
    assert main([*args, "cut", "deterrence prevents war with North Korea", "--cards", "2",
                 "--out", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    for role in ("[Searcher]", "[Analyzer]", "[Writer]", "[Reviewer]", "[Team]"):
        assert role in printed
    assert "stored 2 cards" in printed

    lib = Library(home, Settings())
    cut = [r for r in lib.cards() if r.path and r.path[0][1].startswith("Cut:")]
    assert len(cut) == 2
    for row in cut:
        card = row.node
        source = lib.store.source(row.source_id)
        assert source is not None
        text = lib.store.source_text(row.source_id)
        off = card.source_offset  # type: ignore[union-attr]
        assert off is not None and text[off : off + len(card.body)] == card.body  # type: ignore[union-attr]
        assert card.short_cite and card.full_cite  # type: ignore[union-attr]
    back = read_verbatim(out.read_bytes()).cards()
    assert sorted(c.body for c in back) == sorted(r.node.body for r in cut)  # type: ignore[union-attr]
    lib.close()

    # The done-when check: a case on the samples re-imports to the same cards.
    case_out = tmp_path / "case.docx"
    resolution = (
        "Resolved: The United States federal government should substantially increase "
        "its cooperation on international water law"
    )
    assert main([*args, "case", resolution, "--side", "aff", "--out", str(case_out)]) == 0
    printed = capsys.readouterr().out
    assert "[Analyzer]" in printed and "Contention 1" in printed
    lib = Library(home, Settings())
    stored = [r.node for r in lib.cards() if r.path and r.path[0][1].startswith("1AC:")]
    assert len(stored) >= 2
    doc = read_verbatim(case_out.read_bytes())
    assert [(c.tag, c.short_cite, c.full_cite, c.body, c.spans) for c in doc.cards()] == [
        (c.tag, c.short_cite, c.full_cite, c.body, c.spans)
        for c in stored  # type: ignore[union-attr]
    ]
    for card in stored:
        assert isinstance(card, Card) and card.source_id is not None
        text = lib.store.source_text(card.source_id)
        off = card.source_offset or 0
        assert text[off : off + len(card.body)] == card.body
    lib.close()


@pytest.mark.parametrize(
    "task",
    [
        BlockTask("Water wars are unlikely", answers=2),
        AnswerTask(
            "Private sector innovation solves grid security.\nUtilities invest billions.", 2
        ),
        CaseTask("Resolved: The United States should protect international water law", Side.NEG, 1),
    ],
    ids=["block", "answer", "case-neg"],
)
def test_every_task_runs_end_to_end_with_the_real_model(
    sample_library: Library, embedder: Embedder, generator_gguf: Path, task: Task
) -> None:
    from agents.cutter.extractive import cut_marks
    from agents.runtime.llama_generator import LlamaGenerator
    from agents.team.run import run_task
    from agents.team.team import Team

    with LlamaGenerator(generator_gguf, n_threads=1) as generator:
        events = list(run_task(task, Team(sample_library, generator, embedder, cut_marks)))
    done = events[-1]
    assert isinstance(done, RunDone) and not done.cancelled
    roles = {e.role for e in events}
    assert {Role.SEARCHER, Role.ANALYZER, Role.WRITER, Role.REVIEWER} <= roles
    cards = done.cards
    assert cards and done.nodes
    sources = {s.id: s for s in sample_library.store.sources()}
    own_cites = {
        (row.node.short_cite, row.node.body)
        for row in sample_library.cards()
        if isinstance(row.node, Card)
    }
    for card in cards:
        assert card.source_id in sources
        text = sample_library.store.source_text(card.source_id)
        off = card.source_offset or 0
        assert text[off : off + len(card.body)] == card.body
        # The cite names its source: the short cite's author is in the source's metadata, or
        # the card is one of the debater's own, whose cite is kept as they wrote it (a cite
        # like "Lipsky et al '18 [ , Professor and Director ...]" names the author once).
        named = " ".join(sources[card.source_id].authors) + " " + card.full_cite
        assert card.short_cite
        assert (
            card.short_cite.split()[0].lower() in named.lower()
            or (card.short_cite, card.body) in own_cites
        )
