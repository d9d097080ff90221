"""The Analyzer's plan for a block, an answer or a case, as a step of the run.

The model plans; a plan holding a fragment or a near-duplicate (plan_checks.py) is refused
and asked for once more; what is still missing then comes from the debater's own tags on the
subject (imported cards, best match first; not for an answer, whose subject's neighbours
mostly agree with the card answered). A case first looks for the library's own case
file (case_structure.py). Each of these turns is said in a Message."""

from __future__ import annotations

from agents.runtime.generation import GenerationError
from agents.team.analyzer import ask_claims, plan_prompt
from agents.team.case_structure import find_case_file
from agents.team.events import Message, Planned, Role, Started, StepFailed, TokenStreamed
from agents.team.plan_checks import check_plan
from agents.team.searcher import relevant
from agents.team.tasks import Bounds, CaseTask, Side
from agents.team.team import RunBudget, Steps, Team
from evidence.cancel import CancelCheck
from evidence.cards.card import Card
from evidence.cards.store import load_cards_for_passages

PLANS = 2  # the plan, and one more when it was refused


def plan_claims(
    team: Team, bounds: Bounds, run: RunBudget, cancel: CancelCheck, kind: str, subject: str,
    n: int, side: str = "",
) -> Steps[list[str] | None]:  # fmt: skip
    """Up to n distinct full claims for the task; None when cancelled."""
    yield Started(Role.ANALYZER, f"planning {n} claims for: {subject}")
    avoid = subject if kind == "answer" else ""
    kept: list[str] = []
    for attempt in range(PLANS):
        budget = bounds.max_generated_tokens - run.tokens
        if budget <= 0:
            break
        try:
            steps = ask_claims(team.generator, plan_prompt(team.generator, kind, subject, side),
                               n, budget, cancel, replan=attempt > 0)  # fmt: skip
            claims = yield from _counting(steps, run)
        except GenerationError as exc:
            yield StepFailed(Role.ANALYZER, f"plan not generated ({exc})")
            break
        if claims is None or cancel():
            return None
        check = check_plan(claims, team.embedder, avoid, kept)
        kept += check.kept[: n - len(kept)]
        if not check.refused or len(kept) >= n:
            break
        then = "planning again" if attempt + 1 < PLANS else _rest(kind)
        yield Message(Role.ANALYZER, f"plan refused: {check.summary()}; {then}")
    if len(kept) < n and kind != "answer":  # the library's tags near a card mostly agree with it
        more = library_claims(team, subject, n - len(kept), avoid, kept)
        if more:
            text = f"{len(more)} claims from your library's own tags: " + " | ".join(more)
            yield Message(Role.ANALYZER, text)
        kept += more
    note = f"; {n - len(kept)} left to the evidence" if len(kept) < n else ""
    yield Planned("claims: " + " | ".join(kept) + note, tuple(kept), n - len(kept))
    return kept


def _rest(kind: str) -> str:
    return (
        "leaving the rest to the evidence"
        if kind == "answer"
        else "taking the rest from your library"
    )


def library_claims(
    team: Team, subject: str, n: int, avoid: str = "", kept: list[str] | tuple[str, ...] = ()
) -> list[str]:
    """Up to n tags of the debater's imported cards on the subject, best match first, that
    are full claims distinct from `kept` and from `avoid`."""
    hits = relevant(team, subject, team.library.search(subject, k=20))
    rows = load_cards_for_passages(team.library.store.conn, [h.passage_id for h in hits])
    tags = {r.passage_id: r.node.tag for r in rows if isinstance(r.node, Card) and r.node.tag}
    ordered = [" ".join(tags[h.passage_id].split()) for h in hits if h.passage_id in tags]
    return check_plan(ordered, team.embedder, avoid, list(kept)).kept[:n]


def case_plan(
    task: CaseTask, team: Team, run: RunBudget, cancel: CancelCheck, title: str, speech: str
) -> Steps[tuple[list[str] | None, list[str]]]:
    """The contentions' claims and names: the library's own case file for the resolution
    when it holds one (its parts, each claimed by its first card's tag), else the
    Analyzer's plan (named by the cards cut); says which. None when cancelled."""
    found = find_case_file(team, title, task.side, task.contentions)
    if found is not None:
        parts = " | ".join(p.title for p in found.parts)
        yield Message(Role.ANALYZER, f"using the {speech} in your library ({found.source_name}): "
                      f"{parts}")  # fmt: skip
        return [p.claim for p in found.parts], [p.title for p in found.parts]
    yield Message(Role.ANALYZER, f"no {speech} for this resolution in your library: planning one")
    side = "affirmative" if task.side == Side.AFF else "negative"
    seeds = yield from plan_claims(team, task.bounds, run, cancel, "case", title,
                                   task.contentions, side)  # fmt: skip
    return seeds, []


def _counting(steps: Steps[list[str] | None], run: RunBudget) -> Steps[list[str] | None]:
    while True:
        try:
            event = next(steps)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if isinstance(event, TokenStreamed):
            run.tokens += 1
        yield event
