"""One assistant run: load the model, open this thread's Library, run the team, store the
cards. Qt-free: the window runs `run_assistant` as the body of a Job and shows what it
reports; the command line runs `run_team` on its own Library and prints each step."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, replace

from agents.cutter.learned import learned_cut_marks
from agents.runtime.generation import GenerationStats, Generator
from agents.team.events import RunDone, StepEvent
from agents.team.run import run_task
from agents.team.tasks import CutTask, Task
from agents.team.team import Team
from agents.team.web_research import web_research_from_settings
from app.context import AppContext
from evidence.cancel import CancelCheck
from evidence.cards.card import Card, Heading, Node
from evidence.cards.cut import store_cut_cards
from evidence.errors import EvidenceError
from evidence.index.embedding import Embedder
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
    heading: str = ""  # the block the stored cards are filed under

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
    cancelled: CancelCheck,
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
        task = task_for(library, request)
        return run_team(library, generator, embedder, task, report, cancelled)
    finally:
        library.close()


def run_team(
    library: Library,
    generator: Generator,
    embedder: Embedder,
    task: Task,
    report: Callable[[StepEvent], None],
    cancelled: CancelCheck,
) -> RunResult:
    """Run the team on an open Library, `report` each step as it happens, and store the cards
    unless the run was cancelled (then the web pages it imported are removed too).
    EvidenceError when the web settings cannot be used, or when the model stopped answering
    at all (a model server gone: RunDone.failed), with the reason; nothing is stored then."""
    # Web research only with web access on; off, the team never touches the network.
    web = web_research_from_settings(library.settings)
    # The learned cutter (it falls back to the clause heuristic if its weights cannot load).
    team = Team(library, generator, embedder, learned_cut_marks, web)
    done: RunDone | None = None
    stored: list[int] = []
    heading = ""
    kept = False  # set once the cards are stored: until then, no web page is kept either
    steps = run_task(task, team, cancelled)
    try:
        for event in steps:
            report(event)
            if isinstance(event, RunDone):
                done = event
        if done is not None and done.failed:  # the model cannot answer: an error, not a Stop
            raise EvidenceError(f"the run stopped: {done.failed}")
        # A Stop after the end still wins: the user saw "stopped", so nothing may appear.
        if done is not None and not done.cancelled and not cancelled():
            heading = _heading(task, done)
            if done.cards:
                stored = store_cut_cards(library.store, list(done.cards), heading)
            kept = True
    finally:
        steps.close()  # ended by an exception (a second Ctrl-C): end the run where it stands
        if not kept and web is not None:  # nothing is stored: keep no web page either
            web.discard(library)
    return RunResult(done, stored, generator.last_stats, not kept, heading)


def task_for(library: Library, request: RunRequest) -> Task:
    """The request's task, a cut's source reference resolved; EvidenceError unless it names
    exactly one source."""
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
