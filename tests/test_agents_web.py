"""The Searcher on the web, on loopback: a SearXNG-format endpoint whose results point at
article pages served from 127.0.0.1, the real library (SQLite, Chroma, the real embedder and
cutter) and a scripted model. Cards come from the web pages with the URL in their cite; pages
the run imported but used no card from are removed; pages already in the library stay; a Stop
during the web step keeps nothing; with web access off nothing connects."""

from __future__ import annotations

import argparse
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from agents.cutter.extractive import cut_marks
from agents.team.events import (
    CardCut,
    Planned,
    Role,
    RunDone,
    StepEvent,
    StepFailed,
    WebPagesRemoved,
)
from agents.team.run import run_task
from agents.team.tasks import BlockTask, CutTask, Task
from agents.team.team import Team
from agents.team.web_research import WebResearch, web_research_from_settings
from app.context import AppContext
from evidence.cards.card import Card
from evidence.datadir import DataDir
from evidence.index.embedding import Embedder
from evidence.library import Library
from evidence.network import NetworkPolicy
from evidence.settings import Settings, save_settings
from evidence.web.search_searxng import SearxngProvider
from tests.loopback import LoopbackServer, Response
from tests.netguard import SocketGuard
from tests.scripted_generator import ScriptedGenerator

CLAIM = "Water scarcity causes violent conflict between states"

WATER = """Water scarcity is already driving violent conflict between states. When rivers shrink
and aquifers fall, governments upstream build dams and divert flows, and governments downstream
answer with threats, troop movements and, increasingly, open fighting. Researchers who studied
disputes over shared rivers found that drought years sharply raise the risk that a water dispute
between neighbouring states turns violent. The Nile, the Tigris and Euphrates, and the Indus
basins are the places analysts watch most closely, because each is shared by states that already
distrust one another and each faces falling supply and rising demand. Scarcity does not act
alone: weak institutions and the absence of a water-sharing treaty make it far more likely that
a shortage becomes a war. But where water is scarce, conflict between states follows."""

AQUIFER = """Groundwater depletion is fuelling disputes between nations that share aquifers.
Satellite measurements show that many of the largest aquifers that cross borders are being
pumped faster than rain can refill them. As wells run dry, farmers and cities on one side of a
border blame pumping on the other, and the quarrel moves from local officials to national
governments. Diplomats warn that transboundary aquifers have almost no treaties governing them,
so there is no agreed way to share a shrinking resource. Studies of interstate tension find that
water scarcity in shared basins raises the likelihood of militarized disputes between states.
Without cooperation, the scarcity of water will push rival states toward conflict over who
gets to pump the last of it."""

JAZZ = """The history of jazz begins in New Orleans at the turn of the twentieth century, where
brass bands, blues singers and ragtime pianists met in the dance halls of the city. Early
cornet players such as Buddy Bolden were famous for their loud, improvised style. Recordings in
the 1920s spread the music to Chicago and New York, where big bands led by Duke Ellington and
Count Basie filled ballrooms every night. Bebop in the 1940s made the music faster and more
complex, and later styles such as cool jazz, modal jazz and fusion each changed how musicians
improvised. Today jazz is taught in conservatories and played in clubs all over the world."""


def article(title: str, author: str, day: str, text: str) -> Response:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split(". ") if p)
    html = f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<meta name="author" content="{author}"><meta property="article:published_time" content="{day}">
<meta property="og:site_name" content="Loopback News"></head>
<body><nav>Home | World | Climate</nav><article><h1>{title}</h1>{paragraphs}</article>
<footer>Copyright Loopback News</footer></body></html>"""
    return Response(html.encode())


def serve(loopback: LoopbackServer) -> dict[str, str]:
    urls = {
        "water": loopback.add("/news/water-wars", article(
            "Water wars are already here", "Jane Rivera", "2023-05-01", WATER)),
        "aquifer": loopback.add("/news/aquifers", article(
            "Shared aquifers, rising tension", "Omar Haddad", "2024-02-11", AQUIFER)),
        "jazz": loopback.add("/culture/jazz", article(
            "A short history of jazz", "Lee Morgan", "2022-09-09", JAZZ)),
        "gone": loopback.url("/news/removed-story"),  # 404
    }  # fmt: skip
    results = [
        {"url": urls[k], "title": k.title(), "content": "...", "engine": "bing"}
        for k in ("water", "jazz", "gone", "aquifer")
    ]
    body = json.dumps({"query": CLAIM, "results": results}).encode()
    loopback.add("/search", Response(body, content_type="application/json"))
    return urls


def web_settings(loopback: LoopbackServer, **overrides: object) -> Settings:
    settings = Settings(web_access=True, web_allow_private=True, web_search_provider="searxng",
                        searxng_url=loopback.base, web_results=5, web_timeout_s=5)  # fmt: skip
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def run(
    lib: Library, embedder: Embedder, task: Task,
    cancel_when: Callable[[StepEvent], bool] = lambda e: False, replies: list[str] | None = None,
) -> list[StepEvent]:  # fmt: skip
    # The Team as the CLI and the window build it: web research from the settings.
    web = web_research_from_settings(lib.settings)
    gen = ScriptedGenerator(replies or ["Water scarcity drives conflict."] * 8)
    team = Team(lib, gen, embedder, cut_marks, web)
    events: list[StepEvent] = []
    stop = [False]
    for event in run_task(task, team, lambda: stop[0]):
        events.append(event)
        stop[0] = stop[0] or cancel_when(event)
    assert isinstance(events[-1], RunDone)
    assert sum(isinstance(e, RunDone) for e in events) == 1
    return events


def done_of(events: list[StepEvent]) -> RunDone:
    done = events[-1]
    assert isinstance(done, RunDone)
    return done


def origins(lib: Library) -> set[str]:
    return {s.origin for s in lib.store.sources()}


def test_searcher_imports_what_it_uses_from_the_web(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer
) -> None:
    urls = serve(loopback)
    lib = Library(data_dir, web_settings(loopback), lambda: embedder)
    # A page the user imported before the run: searchable as it is, never removed by the run.
    list(lib.import_paths([urls["jazz"]]))
    [jazz] = lib.store.sources()
    events = run(lib, embedder, CutTask(CLAIM, cards=2))

    searcher = [e.text for e in events if e.role == Role.SEARCHER]
    assert f"searching the web: {CLAIM}" in searcher
    assert any(t.startswith("imported from the web: Water wars are already here") for t in searcher)
    assert any(t.startswith("already in the library:") for t in searcher)
    assert any(t.startswith("not imported: Gone:") and "404" in t for t in searcher)
    cards = done_of(events).cards
    assert len(cards) == 2
    card_sources = [lib.store.source(c.source_id or 0) for c in cards]
    assert {s.origin for s in card_sources if s} == {urls["water"], urls["aquifer"]}
    for card in cards:
        source = lib.store.source(card.source_id or 0)
        assert source is not None
        assert source.origin in card.full_cite  # the cite carries the URL
        text = lib.store.source_text(source.id)
        off = card.source_offset or 0
        assert text[off : off + len(card.body)] == card.body  # verbatim from the page
    card_steps = [e for e in events if isinstance(e, CardCut)]
    assert len(card_steps) == 2 and all(e.web for e in card_steps)
    # The pages the cards came from stay, and so does the page that was there before; the
    # 404 never became a source.
    assert origins(lib) == {urls["water"], urls["aquifer"], urls["jazz"]}
    assert lib.store.source(jazz.id) is not None
    assert lib.store.queued() == []
    assert loopback.hits["/search"] == 1  # searched once, though the Searcher went wider
    lib.close()


def test_unused_web_pages_are_removed_after_the_run(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer
) -> None:
    urls = serve(loopback)
    lib = Library(data_dir, web_settings(loopback), lambda: embedder)
    events = run(lib, embedder, CutTask(CLAIM, cards=1))
    [card] = done_of(events).cards
    source = lib.store.source(card.source_id or 0)
    assert source is not None and source.origin in (urls["water"], urls["aquifer"])
    # Three pages were imported (water, aquifer, jazz); one card used one of them.
    imported = [e for e in events if e.text.startswith("imported from the web:")]
    assert len(imported) == 3
    [removal] = [e for e in events if isinstance(e, WebPagesRemoved)]
    assert removal.text.startswith("removed 2 web pages")
    assert removal.role == Role.SEARCHER and removal is events[-2]
    unused = {urls["water"], urls["aquifer"], urls["jazz"]} - {source.origin}
    assert set(removal.urls) == unused
    assert origins(lib) == {source.origin}
    # The removed pages' passages and vectors are gone too.
    hits = lib.search("history of jazz New Orleans bebop", k=5)
    assert all(h.source_id == source.id for h in hits)
    assert lib.vectors().count() == lib.status().passages
    lib.close()


def test_a_block_keeps_only_pages_its_cards_came_from(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer
) -> None:
    urls = serve(loopback)
    lib = Library(data_dir, web_settings(loopback), lambda: embedder)
    plan = json.dumps({"claims": ["Shrinking aquifers push rival states toward conflict."]})
    events = run(lib, embedder, BlockTask(CLAIM, answers=2), replies=[plan] + ["Tag."] * 4)
    assert next(e.claims for e in events if isinstance(e, Planned)) == (
        "Shrinking aquifers push rival states toward conflict.",
    )
    cards = done_of(events).cards
    assert cards
    used = {c.source_id for c in cards}
    assert {s.id for s in lib.store.sources()} == used
    assert urls["jazz"] not in origins(lib)
    lib.close()


def test_stop_during_the_web_step_keeps_nothing(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer
) -> None:
    serve(loopback)
    lib = Library(data_dir, web_settings(loopback), lambda: embedder)
    events = run(lib, embedder, CutTask(CLAIM, cards=2),
                 lambda e: e.text.startswith("imported from the web:"))  # fmt: skip
    done = done_of(events)
    assert done.cancelled is True and done.cards == ()
    assert not any(isinstance(e, CardCut) for e in events)
    assert lib.store.sources() == []  # the page imported before the Stop was removed
    assert lib.store.queued() == []  # pages not reached are not fetched by a later import
    assert loopback.hits["/news/aquifers"] == 0  # stopped before the next page
    lib.close()


def test_failed_web_search_falls_back_to_the_library(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.add("/search", Response(b"<h1>Forbidden</h1>", status=403))
    lib = Library(data_dir, web_settings(loopback), lambda: embedder)
    local = tmp_path / "water.txt"
    local.write_text(WATER.replace("\n", " "), encoding="utf-8")
    list(lib.import_paths([local]))
    events = run(lib, embedder, CutTask(CLAIM, cards=2))
    [error] = [e for e in events if isinstance(e, StepFailed) and e.role == Role.SEARCHER]
    assert "web search failed" in error.text and "refuses JSON results (403)" in error.text
    [card] = done_of(events).cards
    assert lib.store.source(card.source_id or 0).origin == str(local)  # type: ignore[union-attr]
    lib.close()


def test_web_off_opens_no_connection_and_uses_the_library(
    data_dir: DataDir, embedder: Embedder, tmp_path: Path, socket_guard: SocketGuard
) -> None:
    local = tmp_path / "water.txt"
    local.write_text(WATER.replace("\n", " "), encoding="utf-8")
    # Everything a web-on run would have used is configured; only the switch is off.
    settings = Settings(web_access=False, web_allow_private=True, web_search_provider="searxng",
                        searxng_url="http://127.0.0.1:9")  # fmt: skip
    lib = Library(data_dir, settings, lambda: embedder)
    list(lib.import_paths([local]))
    assert web_research_from_settings(settings) is None
    events = run(lib, embedder, CutTask(CLAIM, cards=3))
    assert socket_guard.attempts == []
    assert not any("web" in e.text for e in events if e.role == Role.SEARCHER)
    [card] = done_of(events).cards  # the library has one passage; the web was not asked
    assert lib.store.source(card.source_id or 0).origin == str(local)  # type: ignore[union-attr]
    [card_step] = [e for e in events if isinstance(e, CardCut)]
    assert not card_step.web
    lib.close()


def test_switching_web_off_mid_run_stops_web_research(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer, socket_guard: SocketGuard
) -> None:
    # The window shares one Settings object: the switch turned off after the Team was built
    # must still stop the next web search.
    provider = SearxngProvider(loopback.base, NetworkPolicy(enabled=True, allow_private=True), 5)
    settings = Settings(web_access=True, web_allow_private=True)
    lib = Library(data_dir, settings, lambda: embedder)
    team = Team(lib, ScriptedGenerator([]), embedder, cut_marks, WebResearch(provider, 5))
    settings.web_access = False
    events = list(run_task(CutTask(CLAIM, cards=1), team))
    assert any(e.text == "web access is off: searching the library only" for e in events)
    assert socket_guard.attempts == [] and loopback.hits["/search"] == 0
    assert done_of(events).cards == ()
    lib.close()


# -- where the Team is built: the CLI and the window's assistant -------------------------------


def cut_args(cards: int) -> argparse.Namespace:
    return argparse.Namespace(command="cut", claim=CLAIM, cards=cards, source=None, out=None)


def cli_context(
    data_dir: DataDir, settings: Settings, embedder: Embedder, gen: ScriptedGenerator | None = None
) -> tuple[AppContext, Library]:
    """The context and library the CLI's main opens, with a scripted generator."""
    save_settings(data_dir.settings, settings)
    ctx = AppContext.open(data_dir, embedder=embedder)
    scripted = gen or ScriptedGenerator(["Water scarcity drives conflict."] * 8)
    ctx.generator = lambda: scripted  # type: ignore[method-assign]
    return ctx, ctx.open_library()


def test_cli_cut_searches_the_web_when_it_is_on(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from cli.agents import run_agent_command

    urls = serve(loopback)
    ctx, lib = cli_context(data_dir, web_settings(loopback), embedder)
    assert run_agent_command(ctx, lib, cut_args(1)) == 0
    out = capsys.readouterr().out
    assert f"[Searcher] searching the web: {CLAIM}" in out and "stored 1 cards" in out
    [row] = lib.cards()
    assert isinstance(row.node, Card) and row.node.source_id is not None
    source = lib.store.source(row.node.source_id)
    assert source is not None and source.origin in (urls["water"], urls["aquifer"])
    assert origins(lib) == {source.origin}  # the stored card's page, nothing else
    lib.close()


def test_cli_cut_with_web_off_opens_no_connection(
    data_dir: DataDir, embedder: Embedder, tmp_path: Path, socket_guard: SocketGuard,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from cli.agents import run_agent_command

    local = tmp_path / "water.txt"
    local.write_text(WATER.replace("\n", " "), encoding="utf-8")
    settings = Settings(web_search_provider="searxng", searxng_url="http://127.0.0.1:9")
    ctx, lib = cli_context(data_dir, settings, embedder)
    list(lib.import_paths([local]))
    assert run_agent_command(ctx, lib, cut_args(2)) == 0
    assert "searching the web" not in capsys.readouterr().out
    assert socket_guard.attempts == []
    assert len(lib.cards()) == 1
    lib.close()


@pytest.mark.parametrize("presses", [1, 2], ids=["ctrl-c", "ctrl-c-twice"])
def test_cli_ctrl_c_mid_run_stores_nothing_and_keeps_no_web_page(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer, presses: int,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from cli.agents import run_agent_command
    from cli.exit_codes import ExitCode

    serve(loopback)
    sent: list[int] = []

    def ctrl_c() -> None:  # the user presses Ctrl-C while the Writer streams a tag
        if not sent:
            for _ in range(presses):
                sent.append(os.getpid())
                os.kill(os.getpid(), signal.SIGINT)

    gen = ScriptedGenerator(["Water scarcity drives conflict between states."] * 8,
                            on_token=ctrl_c)  # fmt: skip
    ctx, lib = cli_context(data_dir, web_settings(loopback), embedder, gen)
    assert run_agent_command(ctx, lib, cut_args(1)) == ExitCode.CANCELLED
    captured = capsys.readouterr()
    assert "imported from the web:" in captured.out and len(sent) == presses
    assert "stopping after the current step" in captured.err
    assert "cancelled: no card was stored" in captured.err and "stored" not in captured.out
    assert lib.cards() == [] and lib.store.sources() == []  # the imported pages are gone
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored
    lib.close()


def test_assistant_stop_after_the_run_keeps_no_web_page(
    data_dir: DataDir, embedder: Embedder, loopback: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from app.assistant import RunRequest, run_assistant
    from app.context import AppContext

    serve(loopback)
    save_settings(data_dir.settings, web_settings(loopback))
    ctx = AppContext.open(data_dir, embedder=embedder)
    gen = ScriptedGenerator(["Water scarcity drives conflict."] * 4)
    monkeypatch.setattr(ctx, "generator", lambda: gen)
    reports: list[object] = []

    def stopped() -> bool:  # the user presses Stop just as the run ends
        return any(isinstance(r, RunDone) for r in reports)

    result = run_assistant(ctx, RunRequest(CutTask(CLAIM, cards=1)), reports.append, stopped)
    steps = [r for r in reports if isinstance(r, StepEvent)]
    assert any(s.text == f"searching the web: {CLAIM}" for s in steps)
    assert any(isinstance(s, CardCut) and s.web for s in steps)
    assert result.cancelled and result.stored == []
    lib = ctx.open_library()
    assert lib.store.sources() == [] and lib.cards() == []
    lib.close()
