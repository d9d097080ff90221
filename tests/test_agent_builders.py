"""Blocks, answers and cases with a scripted model, on the real library: the Analyzer's
plan, claims without evidence sent back to the Searcher, parroted answers dropped, the
case chain, invalid plans, cancel, and a case that reads back from Word unchanged."""

from __future__ import annotations

import json

from agents.cutter.extractive import cut_marks
from agents.team.analyzer import distinct_claims
from agents.team.builders import COUNTER, cue_bonus, opponent_claim
from agents.team.events import (
    CardCut,
    Planned,
    Role,
    RunDone,
    Started,
    StepEvent,
    StepFailed,
    TokenStreamed,
)
from agents.team.run import run_task
from agents.team.tasks import AnswerTask, BlockTask, Bounds, CaseTask, Side, Task
from agents.team.team import Team
from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level
from evidence.index.embedding import Embedder
from evidence.library import Library
from evidence.verbatim import read_verbatim
from evidence.verbatim.writer import docx_bytes
from tests.scripted_generator import ScriptedGenerator


def plan(*claims: str) -> str:
    return json.dumps({"claims": list(claims)})


def run(lib: Library, embedder: Embedder, task: Task, replies: list[str], cancel=lambda: False):  # type: ignore[no-untyped-def]
    gen = ScriptedGenerator(replies)
    events = list(run_task(task, Team(lib, gen, embedder, cut_marks), cancel))
    done = events[-1]
    assert isinstance(done, RunDone)
    assert sum(isinstance(e, RunDone) for e in events) == 1
    return events, done, gen


def assert_verbatim(lib: Library, cards: list[Card]) -> None:
    for card in cards:
        text = lib.store.source_text(card.source_id or 0)
        off = card.source_offset or 0
        assert text[off : off + len(card.body)] == card.body


def test_block_plan_then_missing_claim_goes_back_to_the_searcher(
    sample_library: Library, embedder: Embedder
) -> None:
    replies = [plan("Water scarcity drives conflict between states.",
                    "Chocolate cake recipes need more butter.")]  # fmt: skip
    task = BlockTask("Water shortages cause wars", answers=2)
    events, done, _ = run(sample_library, embedder, task, replies)
    plans = [e for e in events if isinstance(e, Planned)]
    assert plans and len(plans[0].claims) == 2
    searches = [e.text for e in events if isinstance(e, Started) and e.role == Role.SEARCHER]
    cake = [s for s in searches if "cake" in s.lower() or "chocolate" in s.lower()]
    assert len(cake) >= 2  # searched, then searched wider, before giving up on that claim
    assert any("Chocolate cake" in o for o in done.objections)
    cards = list(done.cards)
    assert len(cards) == 2  # the evidence filled the claim the library cannot support
    assert_verbatim(sample_library, cards)
    [block] = done.nodes
    assert isinstance(block, Heading) and block.level == Level.BLOCK
    assert block.title == task.claim and block.children == cards


def test_answer_drops_restatements_and_never_reuses_the_opponents_card(
    sample_library: Library, embedder: Embedder
) -> None:
    opponent = next(
        r.node for r in sample_library.cards() if isinstance(r.node, Card) and r.node.body
    )
    text = f"{opponent.tag}\n{opponent.body}"
    replies = [plan(opponent.tag, opponent.tag + " Indeed.")]
    events, done, _ = run(sample_library, embedder, AnswerTask(text, answers=2), replies)
    [plan_event] = [e for e in events if isinstance(e, Planned)]
    assert plan_event.claims == ()  # parroting the opponent is not an answer
    cards = list(done.cards)
    assert cards and all(c.body != opponent.body for c in cards)
    assert_verbatim(sample_library, cards)
    [block] = done.nodes
    assert isinstance(block, Heading) and block.title == f"AT: {opponent_claim(text)}"


def test_case_chains_each_contention_to_an_impact_and_reads_back_from_word(
    sample_library: Library, embedder: Embedder
) -> None:
    replies = [plan("Water scarcity causes conflict.", "Groundwater law prevents disputes.")]
    task = CaseTask("Resolved: The United States should increase its cooperation on "
                    "international water law", Side.AFF, contentions=2)  # fmt: skip
    events, done, _ = run(sample_library, embedder, task, replies)
    [pocket] = done.nodes
    assert isinstance(pocket, Heading) and pocket.level == Level.POCKET
    assert pocket.title.startswith("1AC: The United States")
    assert isinstance(pocket.children[0], Analytic)  # the plan text
    contentions = [n for n in pocket.children if isinstance(n, Heading)]
    assert [c.title.split(":")[0] for c in contentions] == ["Contention 1", "Contention 2"]
    for contention in contentions:
        assert 1 <= len(contention.children) <= 2  # its first card, then the impact
    assert any("why it matters" in e.text for e in events if e.role == Role.ANALYZER)
    cards = list(done.cards)
    assert_verbatim(sample_library, cards)
    back = read_verbatim(docx_bytes(CardDocument(list(done.nodes), title="case")))
    assert [(c.tag, c.short_cite, c.full_cite, c.body, c.spans) for c in back.cards()] == [
        (c.tag, c.short_cite, c.full_cite, c.body, c.spans) for c in cards
    ]


def test_invalid_plan_fails_the_step_and_the_evidence_plans(
    sample_library: Library, embedder: Embedder
) -> None:
    events, done, gen = run(sample_library, embedder, BlockTask("Water shortages cause wars", 1),
                            ["not json at all", "{still not"])  # fmt: skip
    errors = [e for e in events if isinstance(e, StepFailed) and e.role == Role.ANALYZER]
    assert errors and "not valid JSON after 2 attempts" in errors[0].text
    assert gen.requests[0].json_schema is not None  # asked under the grammar, twice
    assert gen.requests[1].seed != gen.requests[0].seed
    assert len(done.cards) == 1


def test_cancel_during_the_plan_keeps_nothing(sample_library: Library, embedder: Embedder) -> None:
    seen: list[StepEvent] = []
    stop = [False]

    def cancel() -> bool:
        return stop[0]

    gen = ScriptedGenerator([plan("Water scarcity causes conflict between many states.")])
    for event in run_task(BlockTask("Water wars", 2), Team(sample_library, gen, embedder,
                                                           cut_marks), cancel):  # fmt: skip
        seen.append(event)
        if isinstance(event, TokenStreamed) and event.role == Role.ANALYZER:
            stop[0] = True
    done = seen[-1]
    assert isinstance(done, RunDone) and done.cancelled
    assert done.cards == () and done.nodes == ()
    assert not any(isinstance(e, CardCut) for e in seen)


def test_token_budget_skips_the_plan_but_still_ends(
    sample_library: Library, embedder: Embedder
) -> None:
    task = CaseTask("Resolved: water law", Side.NEG, 1, bounds=Bounds(max_generated_tokens=0))
    _, done, gen = run(sample_library, embedder, task, [])
    assert gen.requests == []
    assert done.cards  # cut from the evidence, tags fall back to the claims


def test_distinct_claims_and_cues(embedder: Embedder) -> None:
    kept = distinct_claims(
        ["Sanctions fail.", "Sanctions fail to work.", "Targets adapt and evade sanctions.", "No"],
        embedder,
        avoid="Sanctions work.",
    )
    assert "Targets adapt and evade sanctions." in kept and "No" not in kept
    assert len(kept) <= 3
    bonus = cue_bonus(
        COUNTER, avoid_text="x " * 40 + "the opponent's exact words are here and more"
    )
    assert bonus("This will not work and fails; however it is overstated.") > bonus("It works.")
    assert opponent_claim("Sanctions work.\nBody text here.") == "Sanctions work."
    assert opponent_claim("Sanctions work. They change behaviour.") == "Sanctions work."
