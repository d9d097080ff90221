"""The cut rounds: Searcher → Analyzer → Writer → Reviewer for one claim, as a generator of
typed step events. A cut task is one claim's rounds; blocks, answers and cases (builders.py)
run them claim by claim, sharing one budget.

Cancel is checked between steps and between streamed tokens. The rounds are bounded (rounds,
generated tokens, wall time); the run always ends with a RunDone carrying the cards and the
Reviewer's remaining objections. Evidence text only ever reaches the model as data inside a
prompt, and the model's output only ever becomes a tag: it cannot touch bodies or cites.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from agents.runtime.generation import GenerationError
from agents.team.events import (
    CardCut,
    CardReviewed,
    Message,
    PassagesChosen,
    Reviewed,
    Role,
    Searched,
    Started,
    StepEvent,
    StepFailed,
    TokenStreamed,
)
from agents.team.reviewer import (
    SUPPORT_THRESHOLD,
    contradiction_objection,
    cosine,
    mechanical_objections,
    support,
)
from agents.team.searcher import (
    CARD_FLOOR,
    Bonus,
    broaden,
    card_relevance,
    find_passages,
    lacking,
    passage_keys,
)
from agents.team.tag_checks import normalize
from agents.team.tag_choice import MODEL_TAG, pick_tag
from agents.team.tasks import CutTask
from agents.team.team import RunBudget, Steps, Team, run_done
from agents.team.writer import (
    Draft,
    draft_from_passage,
    fallback_tag,
    tag_refusal,
    tidy_tag,
    write_tag,
)
from evidence.cancel import CancelCheck, never
from evidence.cards.card import Heading, Level
from evidence.cards.store import analytic_passage_ids, load_cards_for_passages
from evidence.index.search import SearchHit

# cosine(claim, the debater's tag) from which their tag already says what the claim needs
OWN_TAG_SIMILARITY = 0.6
MAX_REFUSED = 3  # passages below the card floor before a round stops looking (best first)


@dataclass
class CutResult:
    drafts: list[Draft]
    objections: list[str]
    cancelled: bool = False
    missing: str = ""  # why no card could be cut (no evidence), else ""


def run_cut(task: CutTask, team: Team, cancel: CancelCheck = never) -> Iterator[StepEvent]:
    """A whole cut task: its rounds, then the end of the run (a heading of the cards)."""
    run = RunBudget()
    if task.passage_id is None:
        yield Started(Role.TEAM, f"Cut {task.cards} cards for: {task.claim}")
    else:
        yield Started(Role.TEAM, f"Cut a card from the chosen passage for: {task.claim}")
    result = yield from cut_claim(team, task, run, cancel)
    if result.cancelled:
        yield run_done([], result.objections, True)
        return
    drafts = result.drafts
    heading = Heading(Level.BLOCK, f"Cut: {task.claim}"[:120], [d.card for d in drafts])
    yield run_done(drafts, result.objections, False, [heading] if drafts else [])


def cut_claim(
    team: Team, task: CutTask, run: RunBudget, cancel: CancelCheck, bonus: Bonus | None = None
) -> Steps[CutResult]:
    """Searcher → Analyzer → Writer → Reviewer rounds for one claim; no RunDone (the caller
    ends the run). Passages in `run.used` are never cut twice in one run. A task tied to one
    passage skips the search: see cut_passage."""
    if task.passage_id is not None:
        return (yield from cut_passage(team, task, task.passage_id, run, cancel))
    queries = [task.claim]
    drafts: list[Draft] = []
    objections: list[str] = []
    for round_no in range(task.bounds.max_rounds + 1):
        if cancel():
            return CutResult([], objections, True)
        # Searcher: hybrid search of the local library, results kept with their provenance.
        yield Started(Role.SEARCHER, "searching: " + " | ".join(queries))
        fresh = find_passages(team, queries, task, run, bonus)
        if team.web is not None and lacking(task, len(fresh), len(drafts)):
            # The library lacks evidence: the web's top results become sources, then the
            # library is searched again (web research decides whether to search at all).
            added = yield from team.web.research(team.library, task.claim, cancel)
            if cancel():
                return CutResult([], objections, True)
            if added:
                fresh = find_passages(team, queries, task, run, bonus)
        yield Searched(f"{len(fresh)} passages found", tuple(fresh))
        # Analyzer: the passages whose cut card reads as evidence for the claim (the card
        # floor: a search always has nearest neighbours); what is missing goes back.
        need = task.cards - len(drafts)
        chosen, refused = _choose(team, task.claim, fresh, need, run)
        if refused:
            yield Message(
                Role.ANALYZER,
                f"{refused} passages found do not support “{task.claim}” (what their card "
                "would read is about something else): not cut",
            )
        if not chosen and not drafts:
            broader = broaden(task.claim, queries)
            if broader != queries and round_no < task.bounds.max_rounds:
                yield Message(Role.ANALYZER, f"no evidence yet for “{task.claim}”: searching wider")
                queries = broader
                continue
            msg = (
                f"your library has no evidence for “{task.claim}”: import articles or "
                "backfiles on it first (debate-prep import PATH); no card was invented"
            )
            yield Message(Role.SEARCHER, msg)
            return CutResult([], [msg], missing=msg)
        missing = need - len(chosen)
        plan = f"use {len(chosen)} passages" + (f"; need {missing} more" if missing else "")
        ids = tuple(h.passage_id for h, _ in chosen)
        yield PassagesChosen(plan, task.claim, ids, missing)
        # Writer: extractive bodies and marks; the model writes only the tag.
        for hit, draft in chosen:
            if cancel():
                return CutResult([], objections, True)
            if not (yield from _write(team, task, hit, draft, run, cancel)):
                return CutResult([], objections, True)
            drafts.append(draft)
        # Reviewer: mechanical checks, then the other side's question: does the read text
        # support the tag? Unsupported tags are revised to the claim, once.
        objections = []
        for draft in drafts:
            yield from _review(team, draft, objections, run)
        over = _over_budget(task, run)
        verdict = _verdict(objections, len(drafts) >= task.cards)
        yield verdict
        if over:
            objections.append(over)
        # Only missing cards send work back (to the Searcher); objections to the cards we
        # have are reported, not looped on: a bigger search cannot fix a source's metadata.
        if verdict.verdict == "finished" or over or len(drafts) >= task.cards:
            break
        if round_no < task.bounds.max_rounds:
            queries = broaden(task.claim, queries)
            short = f"I need {task.cards - len(drafts)} more cards to prove “{task.claim}”"
            yield Message(Role.ANALYZER, short + ": searching wider")
    return CutResult(drafts, objections)


def cut_passage(
    team: Team, task: CutTask, passage_id: int, run: RunBudget, cancel: CancelCheck
) -> Steps[CutResult]:
    """One card from the passage the user chose (Ctrl+K on a search result): the Writer and
    the Reviewer work on it directly. No Searcher and no relevance floor: the choice is the
    user's, so the claim's wording can never get the passage refused as "no evidence"."""
    hits = team.library.passage_hits([passage_id])
    if not hits:  # removed from the library since the search showed it
        msg = "the chosen passage is no longer in the library: search again"
        yield StepFailed(Role.WRITER, msg)
        return CutResult([], [msg], missing=msg)
    run.used.add(passage_id)
    run.texts.update(passage_keys(team.library, [passage_id]).values())
    draft = _draft(team, task.claim, hits[0])
    if not (yield from _write(team, task, hits[0], draft, run, cancel)):
        return CutResult([], [], True)
    objections: list[str] = []
    yield from _review(team, draft, objections, run)
    if analytic_passage_ids(team.library.store.conn, [passage_id]):
        # Cut as asked, but the other side would say so: these are the debater's own words.
        objections.append(f"{draft.card.short_cite or '?'}: an analytic, not evidence")
    yield _verdict(objections, True)
    return CutResult([draft], objections)


def _verdict(objections: list[str], enough: bool) -> Reviewed:
    """The Reviewer's verdict on a round: finished when it has the cards and no objection."""
    verdict = "finished" if not objections and enough else "revise"
    text = verdict + (": " + "; ".join(objections) if objections else "")
    return Reviewed(text, verdict, tuple(objections))


def _choose(
    team: Team, claim: str, hits: list[SearchHit], need: int, run: RunBudget
) -> tuple[list[tuple[SearchHit, Draft]], int]:
    """Up to `need` hits, best first, each with its card cut (marks, no tag yet) and read as
    evidence for the claim (CARD_FLOOR); and how many were refused. Every hit looked at is
    the run's: a refused passage is not looked at again by a wider search."""
    chosen: list[tuple[SearchHit, Draft]] = []
    refused = 0
    for hit in hits:
        if len(chosen) >= need or refused >= MAX_REFUSED:
            break
        run.used.add(hit.passage_id)
        run.texts.update(passage_keys(team.library, [hit.passage_id]).values())
        draft = _draft(team, claim, hit)
        if card_relevance(claim, draft.card, team.embedder) < CARD_FLOOR:
            refused += 1
            continue
        chosen.append((hit, draft))
    return chosen, refused


def _draft(team: Team, claim: str, hit: SearchHit) -> Draft:
    """The card a hit gives: verbatim body, marks cut for the claim, the claim as its tag."""
    lib = team.library
    passage = lib.store.passages([hit.passage_id])[hit.passage_id]
    source = lib.store.source(passage.source_id)
    assert source is not None
    # The imported card this passage is, if any (one indexed query, not the source's cards).
    existing = next(iter(load_cards_for_passages(lib.store.conn, [passage.id])), None)
    return draft_from_passage(passage, source, existing, claim, team.cutter, team.embedder)


def _write(
    team: Team, task: CutTask, hit: SearchHit, draft: Draft, run: RunBudget, cancel: CancelCheck
) -> Steps[bool]:
    """The Writer's tag for a drafted card; False when cancelled mid-way (nothing half-made
    is kept)."""
    source = team.library.store.source(draft.card.source_id or hit.source_id)
    assert source is not None
    yield Started(Role.WRITER, f"cutting from {source.display_name}")
    draft.card.tag = yield from _tag(team, draft, task, run, cancel)
    if cancel():
        return False
    web = source.origin.startswith(("http://", "https://"))  # the page's URL is in the cite
    yield CardCut(f"{draft.card.tag} ({draft.card.short_cite})", draft.card, hit.passage_id, web)
    return True


def _tag(
    team: Team, draft: Draft, task: CutTask, run: RunBudget, cancel: CancelCheck
) -> Steps[str]:
    """The Writer's tag: the debater's own when the passage is their card and it says what
    the claim needs; else the model's (checked by tag_checks.py, written again once when
    refused) or the card's highlighted claim, whichever the Reviewer finds nearer the card
    (tag_choice.py); else a fallback, said so. No two cards of one run get the same tag."""
    kept = _own_tag(team, draft, run)
    if kept:
        marks = " and marks" if draft.own_marks else ""
        yield Message(Role.WRITER, f"kept the debater's own tag{marks}: {kept}")
        run.tags.append(kept)
        return kept
    if draft.own_marks:
        yield Message(Role.WRITER, "kept the debater's own marks; the claim needs another tag")
    problem, model_tag = "the generated-token budget is used up", ""
    for attempt in range(2):
        budget = task.bounds.max_generated_tokens - run.tokens
        if budget <= 0:
            break
        pieces: list[str] = []
        try:
            for piece in write_tag(team.generator, draft.card, cancel, budget, attempt):
                pieces.append(piece)
                run.tokens += 1
                yield TokenStreamed(Role.WRITER, piece)
        except GenerationError as exc:
            problem = f"the tag was not generated: {exc}"
            yield StepFailed(Role.WRITER, problem)
            break
        if cancel():
            return ""
        tag = tidy_tag("".join(pieces))
        problem = tag_refusal(tag, draft.card, run.tags, last=attempt == 1)
        if not problem:
            model_tag = tag
            break
        again = "writing another" if attempt == 0 else "falling back"
        yield Message(Role.REVIEWER, f"tag refused, {problem}: {again}")
    choice = pick_tag(model_tag, draft.card, team.embedder, run.tags)
    if choice is not None:
        if choice.what != MODEL_TAG:
            yield Message(Role.REVIEWER, f"tag: {choice.what}, nearer the card: {choice.tag}")
        run.tags.append(choice.tag)
        return choice.tag
    tag, what = fallback_tag(task.claim, draft.card, run.tags)
    yield Message(Role.WRITER, f"tag: {what} ({problem})")
    run.tags.append(tag)
    return tag


def _own_tag(team: Team, draft: Draft, run: RunBudget) -> str:
    """The debater's tag, when their card is cut for a claim that tag already makes (they
    wrote it for that card, so it beats a generated one); "" when the claim needs another."""
    tag = draft.own_tag
    if not tag or normalize(tag) in {normalize(t) for t in run.tags}:
        return ""
    claim_vec, tag_vec = team.embedder.embed([draft.claim, tag])
    return tag if cosine(claim_vec, tag_vec) >= OWN_TAG_SIMILARITY else ""


def _review(team: Team, draft: Draft, objections: list[str], run: RunBudget) -> Steps[None]:
    card = draft.card
    assert card.source_id is not None
    text = team.library.store.source_text(card.source_id)
    problems = mechanical_objections(card, text, draft.cite.missing)
    score = support(card.tag, card, team.embedder)
    note = ""
    others = [t for t in run.tags if t != card.tag]
    claim_taken = normalize(draft.claim) in {normalize(t) for t in others}
    own = bool(draft.own_tag) and card.tag == draft.own_tag  # the debater's tag stands
    if score < SUPPORT_THRESHOLD and not claim_taken and not own:
        # The other side would say the tag overclaims. Revise: the debater's own claim, if
        # the read text supports it better and no other card of the result carries it.
        claim_score = support(draft.claim, card, team.embedder)
        if claim_score > score:
            run.tags = [*others, draft.claim]
            card.tag, score, note = draft.claim, claim_score, "tag revised to the claim"
    if score < SUPPORT_THRESHOLD:
        problems.append(f"tag weakly supported by the highlighted text ({score:.2f})")
    if not own:  # the debater's own tag on their card is theirs to word
        opposite = contradiction_objection(card.tag, card, team.embedder)
        if opposite:
            problems.append(opposite)
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
