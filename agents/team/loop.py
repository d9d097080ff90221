"""The Searcher → Analyzer → Writer → Reviewer loop, as a generator of typed step events.

Cancel is checked between steps and between streamed tokens. The loop is bounded (rounds,
generated tokens, wall time) and always ends with a DONE event carrying the cards and the
Reviewer's remaining objections. Evidence text only ever reaches the model as data inside a
prompt, and the model's output only ever becomes a tag: it cannot touch bodies or cites.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from collections.abc import Generator as Gen
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from agents.runtime.generation import GenerationError, Generator
from agents.team.events import (
    CardCut,
    CardReviewed,
    Message,
    PassagesChosen,
    Reviewed,
    Role,
    RunDone,
    Searched,
    Started,
    StepEvent,
    StepFailed,
    TokenStreamed,
)
from agents.team.reviewer import SUPPORT_THRESHOLD, cosine, mechanical_objections, support
from agents.team.tasks import CutTask, Task
from agents.team.writer import Draft, MarkCutter, clean_tag, draft_from_passage, write_tag
from evidence.cancel import CancelCheck
from evidence.cards.card import Heading, Level, Node
from evidence.cards.store import analytic_passage_ids, load_cards_for_passages
from evidence.index.embedding import Embedder
from evidence.index.search import SearchFilters, SearchHit
from evidence.library import Library

if TYPE_CHECKING:
    from agents.team.web_research import WebResearch

MIN_RELEVANCE = 0.25  # cosine(claim, passage) below which a passage is not evidence for it
T = TypeVar("T")
Steps = Gen[StepEvent, None, T]


@dataclass
class Team:
    library: Library
    generator: Generator
    embedder: Embedder
    cutter: MarkCutter
    web: WebResearch | None = None  # web search for what the library lacks (web access on)


@dataclass
class RunBudget:
    started: float = field(default_factory=time.monotonic)
    tokens: int = 0
    used: set[int] = field(default_factory=set)


def done_event(
    drafts: list[Draft], objections: list[str], cancelled: bool, nodes: list[Node] | None = None
) -> RunDone:
    """The last event of every run; a cancelled run keeps no cards and no nodes."""
    if cancelled:
        return RunDone((), (), tuple(objections), cancelled=True)
    return RunDone(tuple(d.card for d in drafts), tuple(nodes or ()), tuple(objections))


def run_task(task: Task, team: Team, cancel: CancelCheck = lambda: False) -> Iterator[StepEvent]:
    """Run any task; the one entry point the CLI and the window use."""
    if team.web is not None:  # web pages the run imported but cut nothing from are removed
        yield from team.web.keep_used(_run_task(task, team, cancel), team.library)
        return
    yield from _run_task(task, team, cancel)


def _run_task(task: Task, team: Team, cancel: CancelCheck) -> Iterator[StepEvent]:
    if isinstance(task, CutTask):
        yield from run_cut(task, team, cancel)
        return
    from agents.team.builders import run_build

    yield from run_build(task, team, cancel)


@dataclass
class CutResult:
    drafts: list[Draft]
    objections: list[str]
    cancelled: bool = False
    missing: str = ""  # why no card could be cut (no evidence), else ""


Bonus = Callable[[str], float]  # extra relevance for a passage's text (e.g. answer cues)


def run_cut(task: CutTask, team: Team, cancel: CancelCheck = lambda: False) -> Iterator[StepEvent]:
    run = RunBudget()
    yield Started(Role.TEAM, f"Cut {task.cards} cards for: {task.claim}")
    result = yield from cut_claim(team, task, run, cancel)
    if result.cancelled:
        yield done_event([], result.objections, True)
        return
    drafts = result.drafts
    heading = Heading(Level.BLOCK, f"Cut: {task.claim}"[:120], [d.card for d in drafts])
    yield done_event(drafts, result.objections, False, [heading] if drafts else [])


def cut_claim(
    team: Team, task: CutTask, run: RunBudget, cancel: CancelCheck, bonus: Bonus | None = None
) -> Steps[CutResult]:
    """Searcher → Analyzer → Writer → Reviewer rounds for one claim; no DONE event (the
    caller ends the run). Passages in `run.used` are never cut twice in one run."""
    queries = [task.claim]
    drafts: list[Draft] = []
    objections: list[str] = []
    for round_no in range(task.bounds.max_rounds + 1):
        if cancel():
            return CutResult([], objections, True)
        # Searcher: hybrid search of the local library, results kept with their provenance.
        yield Started(Role.SEARCHER, "searching: " + " | ".join(queries))
        fresh = _fresh(team, queries, task, run, bonus)
        if team.web is not None and _lacking(task, len(fresh), len(drafts)):
            # The library lacks evidence: the web's top results become sources, then the
            # library is searched again (web research decides whether to search at all).
            added = yield from team.web.research(team.library, task.claim, cancel)
            if cancel():
                return CutResult([], objections, True)
            if added:
                fresh = _fresh(team, queries, task, run, bonus)
        yield Searched(f"{len(fresh)} passages found", tuple(fresh))
        if not fresh and not drafts:
            broader = _broaden(task.claim, queries)
            if broader != queries and round_no < task.bounds.max_rounds:
                yield Message(Role.ANALYZER, f"no evidence yet for “{task.claim}”: searching wider")
                queries = broader
                continue
            msg = (
                f"no evidence in the library for “{task.claim}”: import articles or "
                "backfiles on it first (debate-prep import PATH); no card was invented"
            )
            yield Message(Role.SEARCHER, msg)
            return CutResult([], [msg], missing=msg)
        # Analyzer: the passages that best support the claim; what is missing goes back.
        need = task.cards - len(drafts)
        chosen = fresh[:need]
        run.used.update(h.passage_id for h in chosen)
        missing = need - len(chosen)
        plan = f"use {len(chosen)} passages" + (f"; need {missing} more" if missing else "")
        yield PassagesChosen(plan, task.claim, tuple(h.passage_id for h in chosen), missing)
        # Writer: extractive bodies and marks; the model writes only the tag.
        for hit in chosen:
            if cancel():
                return CutResult([], objections, True)
            draft = yield from _write(team, task, hit, run, cancel)
            if draft is None:
                return CutResult([], objections, True)
            drafts.append(draft)
        # Reviewer: mechanical checks, then the other side's question: does the read text
        # support the tag? Unsupported tags are revised to the claim, once.
        objections = []
        for draft in drafts:
            yield from _review(team, draft, objections)
        over = _over_budget(task, run)
        verdict = "finished" if not objections and len(drafts) >= task.cards else "revise"
        text = verdict + (": " + "; ".join(objections) if objections else "")
        yield Reviewed(text, verdict, tuple(objections))
        if over:
            objections.append(over)
        # Only missing cards send work back (to the Searcher); objections to the cards we
        # have are reported, not looped on: a bigger search cannot fix a source's metadata.
        if verdict == "finished" or over or len(drafts) >= task.cards:
            break
        if round_no < task.bounds.max_rounds:
            queries = _broaden(task.claim, queries)
            yield Message(Role.ANALYZER, f"I need {task.cards - len(drafts)} more cards to prove "
                                         f"“{task.claim}”: searching wider")  # fmt: skip
    return CutResult(drafts, objections)


def _fresh(
    team: Team, queries: list[str], task: CutTask, run: RunBudget, bonus: Bonus | None
) -> list[SearchHit]:
    hits = _search(team.library, queries, task)
    unused = [h for h in hits if h.passage_id not in run.used]
    return _relevant(team, task.claim, unused, bonus)


def _lacking(task: CutTask, found: int, have: int) -> bool:
    # A task tied to one source or passage never goes to the web: the user chose the text.
    return task.source_id is None and task.passage_id is None and found < task.cards - have


def _search(library: Library, queries: list[str], task: CutTask) -> list[SearchHit]:
    if task.passage_id is not None:
        return library.passage_hits([task.passage_id])
    filters = SearchFilters(source_ids=[task.source_id]) if task.source_id is not None else None
    best: dict[int, SearchHit] = {}
    for q in queries:
        for hit in library.search(q, k=max(10, 3 * task.cards), filters=filters):
            if hit.passage_id not in best or hit.score > best[hit.passage_id].score:
                best[hit.passage_id] = hit
    return sorted(best.values(), key=lambda h: -h.score)


def _relevant(
    team: Team, claim: str, hits: list[SearchHit], bonus: Bonus | None = None
) -> list[SearchHit]:
    """Hits whose text is about the claim at all: nearest neighbours always exist, so without
    this a claim the library knows nothing about would still get (invented-looking) cards."""
    analytics = analytic_passage_ids(team.library.store.conn, [h.passage_id for h in hits])
    hits = [h for h in hits if h.passage_id not in analytics]
    if not hits:
        return []
    passages = team.library.store.passages([h.passage_id for h in hits])
    texts = [passages[h.passage_id].text for h in hits]
    claim_vec, *vecs = team.embedder.embed([claim, *texts])
    scored = [(cosine(claim_vec, v), h) for v, h in zip(vecs, hits, strict=True)]
    kept = [(score, h) for score, h in scored if score >= MIN_RELEVANCE]
    if bonus is not None:  # a negative bonus excludes (e.g. the opponent's own card)
        kept = [(score + bonus(passages[h.passage_id].text), h) for score, h in kept]
        kept = [(score, h) for score, h in kept if score >= MIN_RELEVANCE]
    return [h for _, h in sorted(kept, key=lambda x: -x[0])]


def _broaden(claim: str, queries: list[str]) -> list[str]:
    # Without a capable model, a broader query is the claim's content words, fewer of them.
    words = [w for w in claim.split() if len(w) > 3]
    shorter = " ".join(words[: max(2, len(words) // 2)])
    return [*queries, shorter] if shorter and shorter not in queries else queries


def _write(
    team: Team, task: CutTask, hit: SearchHit, run: RunBudget, cancel: CancelCheck
) -> Steps[Draft | None]:
    """Cut one card from a hit; None when cancelled mid-way (nothing half-made is kept)."""
    lib = team.library
    passage = lib.store.passages([hit.passage_id])[hit.passage_id]
    source = lib.store.source(passage.source_id)
    assert source is not None
    # The imported card this passage is, if any (one indexed query, not the source's cards).
    existing = next(iter(load_cards_for_passages(lib.store.conn, [passage.id])), None)
    draft = draft_from_passage(passage, source, existing, task.claim, team.cutter, team.embedder)
    yield Started(Role.WRITER, f"cutting from {source.display_name}")
    pieces: list[str] = []
    budget = task.bounds.max_generated_tokens - run.tokens
    if budget > 0:
        try:
            for piece in write_tag(team.generator, draft.card, cancel, budget):
                pieces.append(piece)
                run.tokens += 1
                yield TokenStreamed(Role.WRITER, piece)
        except GenerationError as exc:
            yield StepFailed(Role.WRITER, f"tag not generated: {exc}")
        if cancel():
            return None
    draft.card.tag = clean_tag("".join(pieces), fallback=task.claim)
    web = source.origin.startswith(("http://", "https://"))  # the page's URL is in the cite
    yield CardCut(f"{draft.card.tag} ({draft.card.short_cite})", draft.card, passage.id, web)
    return draft


def _review(team: Team, draft: Draft, objections: list[str]) -> Steps[None]:
    card = draft.card
    assert card.source_id is not None
    text = team.library.store.source_text(card.source_id)
    problems = mechanical_objections(card, text, draft.cite.missing)
    score = support(card.tag, card, team.embedder)
    note = ""
    if score < SUPPORT_THRESHOLD and card.tag != draft.claim:
        # The other side would say the tag overclaims. Revise: the debater's own claim, if
        # the read text supports it better than the model's wording.
        claim_score = support(draft.claim, card, team.embedder)
        if claim_score > score:
            card.tag, score, note = draft.claim, claim_score, "tag revised to the claim"
    if score < SUPPORT_THRESHOLD:
        problems.append(f"tag weakly supported by the highlighted text ({score:.2f})")
    draft.score = score
    for problem in problems:
        objections.append(f"{card.short_cite or '?'}: {problem}")
    summary = "; ".join([*([note] if note else []), *problems]) or "verbatim, cited, supported"
    yield CardReviewed(f"{card.short_cite}: {summary}", card, tuple(problems), score)


def _over_budget(task: CutTask, run: RunBudget) -> str:
    if run.tokens >= task.bounds.max_generated_tokens:
        return f"stopped: generated-token budget ({task.bounds.max_generated_tokens}) used"
    if time.monotonic() - run.started > task.bounds.max_seconds:
        return f"stopped: time budget ({task.bounds.max_seconds:.0f} s) used"
    return ""
