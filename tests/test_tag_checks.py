"""Degenerate tags are refused (the failures seen on real backfiles), real debaters' tags are
not, and the Writer writes again or falls back, saying so; two cards never share a tag."""

from __future__ import annotations

import re

import pytest

from agents.cutter.extractive import cut_marks
from agents.team.cut_rounds import run_cut
from agents.team.events import Message, RunDone, StepEvent
from agents.team.tag_checks import tag_problem
from agents.team.tasks import CutTask
from agents.team.team import Team
from agents.team.writer import fallback_tag
from evidence.cards.card import Card, Mark, Span
from evidence.library import Library
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES
from tests.scripted_generator import ScriptedGenerator

SEEN_ON_REAL_BACKFILES = {
    "Climate change climate change climate change climate change climate change.": "repeats",
    "Dollar hegemony, central role, global role, U.S. economic role, U.S. dollar hegemony, "
    "international role.": "repeats",
    "the argument of «competitiveness» is a myth.": "markup",
    "subsidies and tax expenditures.": "fragment",
    "and is a policy of the US government to": "fragment",
}


@pytest.mark.parametrize("tag", SEEN_ON_REAL_BACKFILES)
def test_the_degenerate_tags_seen_on_real_backfiles_are_refused(tag: str) -> None:
    assert SEEN_ON_REAL_BACKFILES[tag] in tag_problem(tag)


def test_terse_real_tags_pass() -> None:
    for tag in (
        "Counter-tech solves.",
        "No impact — adaptation.",
        "Nuclear winter isn’t existential.",
        "Sanctions fail because targets adapt and evade them.",
        "Low drug prices cause drug shortages and rebound into higher drug prices.",
        "AI won't cause extinction by 2030.",
    ):
        assert tag_problem(tag) == "", tag


def test_a_tag_another_card_has_is_refused() -> None:
    assert "same tag" in tag_problem("Whaling harms the oceans.", ["whaling harms the OCEANS"])


def test_most_debaters_tags_in_the_samples_pass() -> None:
    tags = {
        card.tag
        for path in sorted((SAMPLES / "verbatim").glob("*.docx"))
        for card in read_verbatim(path.read_bytes()).cards()
    }
    refused = [t for t in tags if tag_problem(t)]
    assert len(tags) > 100 and len(refused) / len(tags) < 0.15, refused


def _cut(lib: Library, embedder, gen: ScriptedGenerator, cards: int) -> list[StepEvent]:  # type: ignore[no-untyped-def]
    task = CutTask("UNCLOS requires states to conserve whales", cards)
    return list(run_cut(task, Team(lib, gen, embedder, cut_marks)))


def _said(events: list[StepEvent], start: str) -> bool:
    return any(isinstance(e, Message) and e.text.startswith(start) for e in events)


def test_a_looping_tag_is_written_again(sample_library: Library, embedder) -> None:  # type: ignore[no-untyped-def]
    gen = ScriptedGenerator(["Whales whales whales whales whales.", "States must conserve whales."])
    events = _cut(sample_library, embedder, gen, 1)
    done = events[-1]
    assert isinstance(done, RunDone)
    assert _said(events, "tag refused, it repeats")
    assert len(gen.requests) == 2 and gen.requests[1].temperature > 0  # sampled, not greedy
    # The Reviewer keeps the rewritten tag or the card's highlighted claim, saying which.
    tag = done.cards[0].tag
    assert tag == "States must conserve whales." or (
        _said(events, "tag: the card's highlighted claim") and tag_problem(tag) == ""
    ), tag


def test_two_refusals_leave_the_cards_claim(sample_library: Library, embedder) -> None:  # type: ignore[no-untyped-def]
    events = _cut(sample_library, embedder, ScriptedGenerator(["«whales»", "and of the"]), 1)
    done = events[-1]
    assert isinstance(done, RunDone)
    card = done.cards[0]
    assert _said(events, "tag: the card's highlighted claim, nearer the card")
    assert tag_problem(card.tag) == "" and card.tag != "UNCLOS requires states to conserve whales"
    highlighted = set(re.findall(r"[a-z0-9]+", card.text_of(Mark.HIGHLIGHT).lower()))
    assert set(re.findall(r"[a-z0-9]+", card.tag.lower())) <= highlighted, card.tag


def test_the_fallback_is_the_claim_then_the_first_read_sentence() -> None:
    body = "Sanctions fail. They entrench the regime and hurt civilians."
    card = Card("", "", "", body, [Span(0, len(body), Mark.HIGHLIGHT)])
    assert fallback_tag("Sanctions fail", card, []) == ("Sanctions fail", "the claim")
    assert fallback_tag("Sanctions fail", card, ["sanctions FAIL"])[0] == "Sanctions fail."


def test_two_cards_of_one_result_never_share_a_tag(sample_library: Library, embedder) -> None:  # type: ignore[no-untyped-def]
    same = "States must conserve whales under UNCLOS."
    done = _cut(sample_library, embedder, ScriptedGenerator([same] * 8), 3)[-1]
    assert isinstance(done, RunDone) and len(done.cards) == 3
    tags = [card.tag.lower().rstrip(".") for card in done.cards]
    assert len(set(tags)) == 3, tags
