"""Blocks, answers and cases: the Analyzer plans the claims, then each claim goes through the
cut rounds (cut_rounds.py), sharing one budget and never reusing a passage.
Claims without evidence are sent back to the Searcher (wider search), then reported; the
evidence fills what the plan could not. Cases chain, DebateKG-style, from each contention's
first card to an impact card found from that card's own claim."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agents.team.cut_rounds import CutResult, cut_claim
from agents.team.events import Message, Reviewed, Role, Started, StepEvent, StepFailed
from agents.team.planning import case_plan, plan_claims
from agents.team.searcher import Bonus
from agents.team.tasks import AnswerTask, BlockTask, Bounds, BuildTask, CaseTask, CutTask, Side
from agents.team.team import RunBudget, Steps, Team, run_done
from agents.team.writer import Draft
from evidence.cancel import CancelCheck, never
from evidence.cards.card import Analytic, Card, Heading, Level, Node

# Words that mark a passage as answering a claim, or as an impact; each found adds a little
# relevance (capped), enough to prefer such a passage among equally relevant ones.
COUNTER = re.compile(
    r"\b(not|no|never|fail\w*|unlikely|overstat\w*|exaggerat\w*|myth|however|but|despite|"
    r"wrong|flaw\w*|cannot|can't|won't|doesn't|isn't|lack\w*|insufficient|ineffective|"
    r"backfire\w*|counterproductive|false|little evidence)\b",
    re.IGNORECASE,
)
IMPACT = re.compile(
    r"\b(war\w*|extinction|death\w*|die|kill\w*|collapse\w*|crisis|conflict\w*|famine|"
    r"millions|catastroph\w*|escalat\w*|nuclear|recession|instability|starv\w*|genocide)\b",
    re.IGNORECASE,
)
CUE_WEIGHT, CUE_CAP = 0.03, 0.15


def cue_bonus(pattern: re.Pattern[str], avoid_text: str = "") -> Bonus:
    avoid = " ".join(avoid_text.split())

    def bonus(text: str) -> float:
        if avoid and _quotes(" ".join(text.split()), avoid):  # the opponent's own card
            return -1.0
        found = {m.group(0).lower() for m in pattern.finditer(text)}
        return min(CUE_CAP, CUE_WEIGHT * len(found))

    return bonus


def _quotes(text: str, other: str, window: int = 50) -> bool:
    """Does `text` share a verbatim 50-character run with `other`? (A passage holding the
    opponent's card also holds headings and cites around it, so try windows all along.)"""
    return any(text[i : i + window] in other for i in range(0, len(text) - window + 1, 97))


def run_build(task: BuildTask, team: Team, cancel: CancelCheck = never) -> Iterator[StepEvent]:
    """A block, an answer or a case, from the plan to the end of the run."""
    run = RunBudget()
    match task:
        case BlockTask():
            yield from _block(task, team, run, cancel)
        case AnswerTask():
            yield from _answer(task, team, run, cancel)
        case CaseTask():
            yield from _case(task, team, run, cancel)


def _block(task: BlockTask, team: Team, run: RunBudget, cancel: CancelCheck) -> Steps[None]:
    yield Started(Role.TEAM, f"Research a block for: {task.claim}")
    claims = yield from plan_claims(
        team, task.bounds, run, cancel, "block", task.claim, task.answers
    )
    if claims is None:
        yield run_done([], [], True)
        return
    result = yield from _cut_each(team, task.bounds, run, cancel, claims, task.claim,
                                  task.answers, None)  # fmt: skip
    if result.cancelled:
        yield run_done([], result.objections, True)
        return
    yield from _finish(result, [Heading(Level.BLOCK, task.claim, _cards(result.drafts))])


def opponent_claim(card_text: str) -> str:
    """The claim an opponent's card makes: its tag (first line), else its first sentence."""
    lines = [ln.strip() for ln in card_text.strip().splitlines() if ln.strip()]
    first = lines[0] if lines else ""
    if len(lines) == 1 or len(first.split()) > 40:
        first = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
    return " ".join(first.split()[:40])


def _answer(task: AnswerTask, team: Team, run: RunBudget, cancel: CancelCheck) -> Steps[None]:
    claim = opponent_claim(task.card)
    yield Started(Role.TEAM, f"Answer the card: {claim}")
    if not claim:
        msg = "the opponent's card is empty: paste its tag and text"
        yield StepFailed(Role.ANALYZER, msg)
        yield run_done([], [msg], False)
        return
    answers = yield from plan_claims(team, task.bounds, run, cancel, "answer", claim, task.answers)
    if answers is None:
        yield run_done([], [], True)
        return
    bonus = cue_bonus(COUNTER, task.card)
    result = yield from _cut_each(team, task.bounds, run, cancel, answers, claim, task.answers,
                                  bonus)  # fmt: skip
    if result.cancelled:
        yield run_done([], result.objections, True)
        return
    yield from _finish(result, [Heading(Level.BLOCK, f"AT: {claim}", _cards(result.drafts))])


def _case(task: CaseTask, team: Team, run: RunBudget, cancel: CancelCheck) -> Steps[None]:
    title = re.sub(r"^\s*resolved\s*[:,]?\s*", "", task.resolution, flags=re.IGNORECASE).strip()
    speech = "1AC" if task.side == Side.AFF else "1NC"
    yield Started(Role.TEAM, f"Build the {speech} for: {title}")
    seeds, names = yield from case_plan(task, team, run, cancel, title, speech)
    if seeds is None:
        yield run_done([], [], True)
        return
    seeds = seeds + [title] * (task.contentions - len(seeds))  # the evidence fills the rest
    start_bonus = cue_bonus(COUNTER) if task.side == Side.NEG else None
    drafts: list[Draft] = []
    objections: list[str] = []
    contentions: list[Node] = []
    for number, seed in enumerate(seeds, start=1):
        yield Message(Role.ANALYZER, f"Contention {number}: {seed}")
        link = yield from cut_claim(team, CutTask(seed, 1, bounds=task.bounds), run, cancel,
                                    start_bonus)  # fmt: skip
        if link.cancelled:
            yield run_done([], objections, True)
            return
        objections += link.objections
        if not link.drafts:
            continue
        first = link.drafts[0].card
        # Chain: the impact is what the first card's own claim leads to.
        yield Message(Role.ANALYZER, f"why it matters: {first.tag}")
        impact = yield from cut_claim(team, CutTask(first.tag, 1, bounds=task.bounds), run,
                                      cancel, cue_bonus(IMPACT))  # fmt: skip
        if impact.cancelled:
            yield run_done([], objections, True)
            return
        objections += [] if impact.missing else impact.objections
        if not impact.drafts:
            objections.append(f"Contention {number} has no impact card")
        chain = link.drafts + impact.drafts
        drafts += chain
        name = names[number - 1] if number <= len(names) else first.tag.rstrip(".")
        heading = f"Contention {len(contentions) + 1}: {name}"[:120]
        contentions.append(Heading(Level.HAT, heading, _cards(chain)))
    if not drafts:
        msg = (
            f"no evidence in the library for “{title}”: import articles or backfiles on it "
            "first (debate-prep import PATH); no card was invented"
        )
        yield Message(Role.SEARCHER, msg)
        yield run_done([], [msg], False)
        return
    plan: list[Node] = [Analytic(f"Plan: {title}")] if task.side == Side.AFF else []
    pocket = Heading(Level.POCKET, f"{speech}: {title}"[:120], [*plan, *contentions])
    yield from _finish(CutResult(drafts, objections), [pocket])


def _cut_each(
    team: Team, bounds: Bounds, run: RunBudget, cancel: CancelCheck, claims: list[str],
    subject: str, n: int, bonus: Bonus | None,
) -> Steps[CutResult]:  # fmt: skip
    """One card per planned claim; then cards for the subject itself for what is missing."""
    drafts: list[Draft] = []
    objections: list[str] = []
    for claim in claims:
        result = yield from cut_claim(team, CutTask(claim, 1, bounds=bounds), run, cancel, bonus)
        if result.cancelled:
            return CutResult([], objections, True)
        drafts += result.drafts
        if result.missing:
            objections.append(f"no evidence for the planned claim “{claim}”")
        else:
            objections += result.objections
    if len(drafts) < n:
        more = f"{n - len(drafts)} more cards needed: the strongest other evidence on “{subject}”"
        yield Message(Role.ANALYZER, more)
        fill = yield from cut_claim(team, CutTask(subject, n - len(drafts), bounds=bounds), run,
                                    cancel, bonus)  # fmt: skip
        if fill.cancelled:
            return CutResult([], objections, True)
        drafts += fill.drafts
        objections += fill.objections
    if not drafts:
        return CutResult([], objections, missing=objections[-1] if objections else subject)
    return CutResult(drafts, objections)


def _cards(drafts: list[Draft]) -> list[Node]:
    return [d.card for d in drafts]


def _finish(result: CutResult, nodes: list[Node]) -> Iterator[StepEvent]:
    """The Reviewer's verdict on the whole argument, then the end of the run."""
    cards: list[Card] = [d.card for d in result.drafts]
    if not cards:
        yield run_done([], result.objections, False)
        return
    verdict = "finished" if not result.objections else "revise"
    text = f"{verdict}: {len(cards)} cards" + "".join(f"; {o}" for o in result.objections)
    yield Reviewed(text, verdict, tuple(result.objections))
    yield run_done(result.drafts, result.objections, False, nodes)
