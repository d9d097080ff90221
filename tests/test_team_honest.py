"""Honest answers from the team (issue 13, part 6), on real libraries with the real embedder
(it decides relevance and duplicates); a scripted generator stands in for the plan and tags.

A claim the library does not support gets no card but "your library has no evidence"; a plan
of duplicates and fragments is refused, asked for again, then filled from the library's own
tags, saying so; a case on a library holding a 1AC uses its parts as the contentions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.cutter.extractive import cut_marks
from agents.team.events import CardCut, Message, Planned, RunDone, StepEvent
from agents.team.plan_checks import check_plan, claim_problem
from agents.team.run import run_task
from agents.team.searcher import CARD_FLOOR, card_relevance
from agents.team.tasks import BlockTask, CaseTask, CutTask, Side, Task
from agents.team.team import Team
from evidence.cards.card import Card, CardDocument, Heading, Level
from evidence.datadir import DataDir
from evidence.index.embedding import Embedder
from evidence.library import Library
from evidence.settings import Settings
from evidence.verbatim import read_verbatim
from evidence.verbatim.writer import docx_bytes
from tests.scripted_generator import ScriptedGenerator

BASEBALL = "Professional baseball should adopt a salary cap"
TRAINING = Path(__file__).resolve().parents[2] / "shared" / "training" / "verbatim"
AFF_FILE = TRAINING / "dds-AFF-Antitrust-Nikhil-1-copy.docx"


def run(lib: Library, embedder: Embedder, task: Task, replies: list[str]) -> list[StepEvent]:
    events = list(run_task(task, Team(lib, ScriptedGenerator(replies), embedder, cut_marks)))
    assert isinstance(events[-1], RunDone)
    return events


def messages(events: list[StepEvent]) -> list[str]:
    return [e.text for e in events if isinstance(e, Message)]


def test_a_claim_the_library_does_not_support_gets_no_card(
    sample_library: Library, embedder: Embedder
) -> None:
    events = run(sample_library, embedder, CutTask(BASEBALL, 3), [])
    done = events[-1]
    assert isinstance(done, RunDone)
    assert done.cards == () and not any(isinstance(e, CardCut) for e in events)
    said = messages(events)
    assert any(f"your library has no evidence for “{BASEBALL}”" in m for m in said)
    # A block on it: the model plans baseball claims; none gets a card tagged with itself.
    plan = json.dumps({"claims": ["Salary caps improve competitive balance in baseball.",
                                  "Small-market baseball teams cannot keep their stars.",
                                  "A salary cap lowers ticket prices for fans."]})  # fmt: skip
    events = run(sample_library, embedder, BlockTask(BASEBALL, 3), [plan])
    done = events[-1]
    assert isinstance(done, RunDone) and done.cards == ()
    assert any("your library has no evidence" in m for m in messages(events))


def test_the_card_floor_tells_a_card_from_its_tag_and_from_another_topic(
    sample_library: Library, embedder: Embedder
) -> None:
    cards = [r.node for r in sample_library.cards() if isinstance(r.node, Card) and r.node.tag]
    assert len(cards) > 20
    own = [card_relevance(c.tag, c, embedder) for c in cards[:20]]
    other = [card_relevance(BASEBALL, c, embedder) for c in cards[:20]]
    assert max(other) < CARD_FLOOR
    assert sum(s >= CARD_FLOOR for s in own) >= 15  # debaters' tags vs their own cards


def test_claim_checks_refuse_fragments_and_duplicates(embedder: Embedder) -> None:
    assert claim_problem("and is a policy of the US government to")
    assert claim_problem("Because deterrence holds, war is unlikely.")  # starts mid-sentence
    assert claim_problem("Nuclear deterrence.")  # a topic, not a claim
    assert not claim_problem("Deterrence prevents war with North Korea.")
    check = check_plan(
        [
            "Deterrence prevents war with North Korea.",
            "Deterrence prevents a war with North Korea.",
            "US alliances deter North Korean aggression.",
            "Sanctions on North Korea fail.",
        ],
        embedder,
        avoid="Sanctions on North Korea work.",
    )
    assert check.kept == ["Deterrence prevents war with North Korea.",
                          "US alliances deter North Korean aggression.",
                          "Sanctions on North Korea fail."]  # fmt: skip
    assert [c for c, _ in check.refused] == ["Deterrence prevents a war with North Korea."]


def test_a_refused_plan_is_planned_again_then_filled_from_the_library(
    sample_library: Library, embedder: Embedder
) -> None:
    bad = json.dumps({"claims": ["Deterrence prevents war with North Korea.",
                                 "Deterrence prevents a war with North Korea.",
                                 "and is a policy of the US government to"]})  # fmt: skip
    task = BlockTask("Deterrence prevents war with North Korea", 3)
    events = run(sample_library, embedder, task, [bad, bad])
    said = messages(events)
    refusals = [m for m in said if m.startswith("plan refused")]
    assert len(refusals) == 2
    assert "planning again" in refusals[0] and "a fragment" in refusals[0]
    assert "from your library" in refusals[1]
    assert any("claims from your library's own tags" in m for m in said)
    [planned] = [e for e in events if isinstance(e, Planned)]
    assert len(planned.claims) == 3 and planned.missing == 0
    assert check_plan(list(planned.claims), embedder).kept == list(planned.claims)
    tags = {r.node.tag for r in sample_library.cards() if isinstance(r.node, Card)}
    assert set(planned.claims[1:]) <= tags  # the debaters' own tags, as written


@pytest.fixture(scope="module")
def case_library(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder):  # type: ignore[no-untyped-def]
    """A library holding a real 1AC: the first cards of three parts of a real aff file."""
    if not AFF_FILE.exists():
        pytest.skip("shared/training is not here")
    doc = read_verbatim(AFF_FILE)
    speech = _heading(doc.nodes, "Antitrust---1AC")
    parts = [
        Heading(h.level, h.title, [c for c in h.children if isinstance(c, Card)][:2])  # type: ignore[arg-type]
        for h in speech.children
        if isinstance(h, Heading) and h.title in ("Cartelization---1AC", "Solvency---1AC")
    ]
    aff = CardDocument([Heading(Level.POCKET, "Antitrust---1AC", list(parts))])
    root = tmp_path_factory.mktemp("case-lib")
    (root / "aff.docx").write_bytes(docx_bytes(aff))
    lib = Library(DataDir(root / "data").create(), Settings(), lambda: embedder)
    list(lib.import_paths([root / "aff.docx"]))
    yield lib
    lib.close()


def _heading(nodes: list, title: str) -> Heading:  # type: ignore[type-arg]
    for node in nodes:
        if isinstance(node, Heading):
            if node.title == title:
                return node
            found = _heading(node.children, title)
            if found is not None:
                return found
    return None  # type: ignore[return-value]


def test_a_case_uses_the_librarys_own_1ac(case_library: Library, embedder: Embedder) -> None:
    task = CaseTask(
        "Resolved: The United States should ban plea bargaining in antitrust", Side.AFF, 2
    )
    events = run(case_library, embedder, task, [])
    said = messages(events)
    assert any(m.startswith("using the 1AC in your library") for m in said), said
    done = events[-1]
    assert isinstance(done, RunDone) and done.cards
    [pocket] = done.nodes
    assert isinstance(pocket, Heading)
    titles = [n.title for n in pocket.children if isinstance(n, Heading)]
    assert titles[0] == "Contention 1: Cartelization"
    assert "Contention 2: Solvency" in titles or len(titles) == 1


def test_a_case_without_a_case_file_says_it_plans_one(
    sample_library: Library, embedder: Embedder
) -> None:
    task = CaseTask(
        "Resolved: The United States should increase water law cooperation", Side.AFF, 1
    )
    said = messages(run(sample_library, embedder, task, []))
    assert any("no 1AC for this resolution in your library: planning one" in m for m in said)
