"""Blocks and cases through a model server (llama-cpp-python's server with the bundled
Gemma, on 127.0.0.1): the same invariants as with the local model (card bodies verbatim in
their source, cites complete), and the window's and the command line's context chooses the
server from the settings with no caller changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from agents.models.server_setup import server_generator
from agents.runtime.openai_generator import OpenAIGenerator
from agents.team.events import Role, RunDone, TokenStreamed
from agents.team.tasks import BlockTask, CaseTask, Side, Task
from app.context import AppContext
from cli.main import main
from evidence.cards.card import Card
from evidence.datadir import DataDir
from evidence.index.embedding import Embedder
from evidence.library import Library
from evidence.settings import Settings, save_settings
from evidence.verbatim import read_verbatim
from tests.conftest import SAMPLES
from tests.loopback import LoopbackServer, Response

if TYPE_CHECKING:
    from tests.model_server import LlamaServer

pytest_plugins = ["tests.fixtures_models", "tests.model_server"]

BACKFILES = SAMPLES / "verbatim"  # the Verbatim backfiles (the PDF adds minutes of embedding)


@pytest.fixture(scope="module")
def backfiles(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Library]:
    """The sample backfiles imported and embedded once; tests must not modify it."""
    lib = Library(DataDir(tmp_path_factory.mktemp("backfiles")), Settings(), lambda: embedder)
    list(lib.import_paths([BACKFILES]))
    yield lib
    lib.close()


def server_settings(server: LlamaServer, **more: object) -> Settings:
    return Settings(
        web_access=True, web_allow_private=True, generator_source="server",
        server_url=server.base_url, server_model=server.model, **more,  # type: ignore[arg-type]
    )  # fmt: skip


def assert_verbatim_and_cited(library: Library, cards: list[Card]) -> None:
    sources = {s.id: s for s in library.store.sources()}
    for card in cards:
        assert card.source_id in sources
        text = library.store.source_text(card.source_id)
        off = card.source_offset or 0
        assert text[off : off + len(card.body)] == card.body
        # The cite is complete and names its source: the short cite's author is in the
        # source's metadata or its text (a backfile's cards carry their cites in the text).
        assert card.short_cite.strip() and card.full_cite.strip()
        named = " ".join(sources[card.source_id].authors) + " " + card.full_cite + " " + text
        assert card.short_cite.split()[0].lower() in named.lower()


@pytest.mark.parametrize(
    "task",
    [
        BlockTask("Water wars are unlikely", answers=2),
        # Affirmative: the backfiles hold a 1NC, which a negative case would reuse unplanned.
        CaseTask("Resolved: The United States should protect international water law", Side.AFF, 1),
    ],
    ids=["block", "case-aff"],
)
def test_block_and_case_through_the_model_server(
    backfiles: Library, embedder: Embedder, llama_server: LlamaServer, task: Task
) -> None:
    from agents.cutter.extractive import cut_marks
    from agents.team.run import run_task
    from agents.team.team import Team

    with server_generator(server_settings(llama_server)) as generator:
        events = list(run_task(task, Team(backfiles, generator, embedder, cut_marks)))
        stats = generator.last_stats
    done = events[-1]
    assert isinstance(done, RunDone) and not done.cancelled
    assert {Role.SEARCHER, Role.ANALYZER, Role.WRITER, Role.REVIEWER} <= {e.role for e in events}
    if isinstance(task, BlockTask):  # its plan is streamed from the server
        assert any(isinstance(e, TokenStreamed) and e.role == Role.ANALYZER for e in events)
    if isinstance(task, BlockTask):
        assert stats.extra["server"] == llama_server.base_url and stats.generated_tokens > 0
    assert done.cards and done.nodes
    assert_verbatim_and_cited(backfiles, list(done.cards))


def test_the_context_and_the_command_line_use_the_server_from_the_settings(
    data_dir: DataDir, embedder_path: Path, llama_server: LlamaServer,
    loopback: LoopbackServer, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # Web access is on for the server: web research goes to a SearXNG on 127.0.0.1 that
    # finds nothing, so the run stays on this computer (CI has no internet).
    loopback.add("/search", Response(json.dumps({"results": []}).encode(),
                                     content_type="application/json"))  # fmt: skip
    settings = server_settings(
        llama_server, embedding_model=str(embedder_path),
        web_search_provider="searxng", searxng_url=loopback.base,
    )  # fmt: skip
    save_settings(data_dir.settings, settings)
    ctx = AppContext.open(data_dir)
    generator = ctx.generator()
    assert isinstance(generator, OpenAIGenerator) and generator.base_url == llama_server.base_url
    assert ctx.generator() is generator  # one per process, like a local model

    args = ["--data-dir", str(data_dir.root)]
    assert main([*args, "import", str(BACKFILES / "1nc.docx")]) == 0
    capsys.readouterr()
    out = data_dir.root / "block.docx"
    assert main([*args, "block", "Water wars are unlikely", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "[Analyzer]" in printed and "stored" in printed
    # The block's file: every card's body is the source's own text, its cite complete.
    # (A card already in the library from the backfile is stored once, so read the file.)
    cards = read_verbatim(out.read_bytes()).cards()
    assert cards
    library = Library(data_dir, Settings())
    try:
        texts = [library.store.source_text(s.id) for s in library.store.sources()]
        for card in cards:
            assert any(card.body in text for text in texts)
            assert card.short_cite.strip() and card.full_cite.strip()
    finally:
        library.close()
