"""The Reviewer's pick between the model's tag and the card's highlighted claim: the claim is
the card's own highlighted words made one tag sentence; the pick keeps the candidate nearest
the card (real MiniLM embedder, real sample cards)."""

from __future__ import annotations

import re

from agents.team.tag_checks import tag_problem
from agents.team.tag_choice import (
    CARD_CLAIM,
    CLAIM_WORDS,
    MODEL_TAG,
    as_claim,
    choose_tag,
    highlighted_claim,
    pick_tag,
)
from agents.team.tag_examples import ExampleBank, TagExample
from evidence.cards.card import Card, Mark, Span
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def test_as_claim_makes_one_tag_sentence_of_highlighted_words() -> None:
    assert as_claim("and sanctions rarely change the regime [Table Omitted] of") == (
        "Sanctions rarely change the regime."
    )
    assert as_claim("elections could reverse democratic decline—or") == (
        "Elections could reverse democratic decline."
    )
    long = "warming causes extinction through famine and war in every region, " + "and " * 20
    # cut at the clause break (it keeps at least half the bound), not mid-phrase
    assert as_claim(long) == "Warming causes extinction through famine and war in every region."
    assert len(as_claim(" ".join(["warming"] * 40)).split()) == CLAIM_WORDS
    assert as_claim("«the» *and* of") == ""


def _sample_cards() -> list[Card]:
    cards = [
        card
        for path in sorted((SAMPLES / "verbatim").glob("*.docx"))
        for card in read_verbatim(path.read_bytes()).cards()
        if card.marked(Mark.HIGHLIGHT) and len(card.body.split()) >= 30
    ]
    return cards[:: max(1, len(cards) // 12)][:12]


def test_the_highlighted_claim_is_the_cards_own_highlighted_words(embedder) -> None:  # type: ignore[no-untyped-def]
    usable = 0
    for card in _sample_cards():
        claim = highlighted_claim(card, embedder)
        if not claim:
            continue
        assert _words(claim) <= _words(card.text_of(Mark.HIGHLIGHT)), (claim, card.tag)
        assert len(claim.split()) <= CLAIM_WORDS and claim.endswith(".")
        usable += not tag_problem(claim)
    assert usable >= 8, usable  # most real cards give a claim tag_checks passes


def test_the_pick_keeps_the_candidate_nearest_the_card(embedder) -> None:  # type: ignore[no-untyped-def]
    body = (
        "Economic sanctions rarely change the behaviour of the target regime. Instead, "
        "sanctions entrench the regime, which blames outsiders for hardship."
    )
    start = body.index("sanctions entrench")
    card = Card("", "", "", body, [Span(0, len(body), Mark.UNDERLINE),
                                   Span(start, len(body), Mark.HIGHLIGHT)])  # fmt: skip
    off_topic = ("Whales recover under the moratorium.", MODEL_TAG)
    on_topic = ("Sanctions entrench the regime.", CARD_CLAIM)
    choice = choose_tag([off_topic, on_topic], card, embedder)
    assert choice is not None and choice.tag == on_topic[0] and choice.what == CARD_CLAIM
    # A refused candidate never wins, however near; all refused: None.
    looping = ("Sanctions sanctions sanctions entrench entrench the regime.", MODEL_TAG)
    assert choose_tag([looping, off_topic], card, embedder).tag == off_topic[0]  # type: ignore[union-attr]
    assert choose_tag([looping], card, embedder) is None
    # Another card of the result has the tag: refused too.
    assert choose_tag([on_topic], card, embedder, ["sanctions entrench the REGIME"]) is None
    # pick_tag: a refused model tag ("") leaves the card's highlighted claim.
    bank = ExampleBank([TagExample("sanctions fail", "Sanctions fail and entrench the regime.")])
    picked = pick_tag("", card, embedder, (), bank)
    assert picked is not None and picked.what == CARD_CLAIM
    assert picked.tag == "Sanctions entrench the regime, which blames outsiders for hardship."
