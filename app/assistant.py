"""One assistant run, as the body of a Job: load the model, open this thread's Library, run
the team, store the cards. Qt-free; the panel only shows what it reports."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, replace

from agents.cutter.extractive import cut_marks
from agents.runtime.generation import GenerationStats
from agents.team.events import RunDone
from agents.team.run import run_task
from agents.team.tasks import CutTask, Task
from agents.team.team import Team
from agents.team.web_research import web_research_from_settings
from app.context import AppContext
from evidence.cards.card import Card, Heading, Node
from evidence.cards.cut import store_cut_cards
from evidence.errors import EvidenceError
from evidence.library import Library


@dataclass(frozen=True)
class Phase:
    """What the run is doing before the team starts (loading the model takes seconds)."""

    text: str


@dataclass(frozen=True)
class RunRequest:
    task: Task
    source_ref: str = ""  # cut only from this source: id, path, file name or title


@dataclass
class RunResult:
    done: RunDone | None
    stored: list[int]  # ids of the cards stored in the library
    stats: GenerationStats | None
    cancelled: bool

    @property
    def nodes(self) -> list[Node]:
        return [] if self.cancelled or self.done is None else list(self.done.nodes)

    @property
    def cards(self) -> list[Card]:
        return [] if self.cancelled or self.done is None else list(self.done.cards)

    @property
    def objections(self) -> list[str]:
        return [] if self.done is None else list(self.done.objections)


def run_assistant(
    ctx: AppContext,
    request: RunRequest,
    report: Callable[[object], None],
    cancelled: Callable[[], bool],
) -> RunResult:
    report(Phase("loading model…"))
    try:
        generator = ctx.generator()
        # Loading parsed the model's metadata into many Python objects: freeze them, so the
        # collector never scans them again while holding the GIL (the window would stall).
        gc.freeze()
    except EvidenceError as exc:  # ModelFileError says why; say what to do about it
        raise EvidenceError(f"{exc} — choose another generator model in Settings") from exc
    embedder = ctx.embedder()
    if cancelled():
        return RunResult(None, [], None, True)
    report(Phase("running"))
    library = ctx.open_library()
    try:
        task = _with_source(library, request)
        # Web research only with web access on; off, the team never touches the network.
        team = Team(library, generator, embedder, cut_marks,
                    web_research_from_settings(library.settings))  # fmt: skip
        done: RunDone | None = None
        for event in run_task(task, team, cancelled):
            report(event)
            if isinstance(event, RunDone):
                done = event
        # A Stop after DONE still wins: the user saw "stopped", so nothing may appear.
        stopped = done is None or done.cancelled or cancelled()
        if stopped and team.web is not None:  # nothing is stored: keep no web page either
            team.web.discard(library)
        stored: list[int] = []
        if not stopped and done is not None and done.cards:
            stored = store_cut_cards(library.store, list(done.cards), _heading(task, done))
        return RunResult(done, stored, generator.last_stats, stopped)
    finally:
        library.close()


def _with_source(library: Library, request: RunRequest) -> Task:
    ref = request.source_ref.strip()
    if not ref or not isinstance(request.task, CutTask):
        return request.task
    found = library.find_sources(ref)
    if len(found) != 1:
        names = ", ".join(s.display_name for s in found[:3])
        raise EvidenceError(f"“{ref}” matches {len(found)} sources{': ' + names if names else ''}")
    return replace(request.task, source_id=found[0].id)


def _heading(task: Task, done: RunDone) -> str:
    """The block the stored cards are filed under: the run's own top heading."""
    for node in done.nodes:
        if isinstance(node, Heading):
            return node.title[:120]
    claim = task.claim if isinstance(task, CutTask) else type(task).__name__
    return f"Cut: {claim}"[:120]
