"""The extractive cutter on real sample cards, and the cutting evaluation's scoring."""

from __future__ import annotations

import pytest

from agents.cutter.extractive import all_words_marks, cut_marks, cxdb8_marks
from agents.cutter.text import marked_words, split_words
from bench.cutting_eval import Counts, _Tally, ceilings, load_cards, rouge1_f, word_counts
from evidence.cards.card import Card, Mark, Span
from evidence.index.embedding import Embedder
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_cards() -> list[Card]:
    cards = load_cards(sorted((SAMPLES / "verbatim").glob("*.docx")))
    assert len(cards) > 100
    return cards[::10]  # a spread over the three files keeps the test quick


def _check_spans(body: str, spans: list[Span]) -> None:
    words = split_words(body)
    starts = {w.start for w in words}
    ends = {w.end for w in words}
    for span in spans:
        assert 0 <= span.start < span.end <= len(body)
        assert span.start in starts and span.end in ends, "spans must be word-aligned"
        if span.mark == Mark.HIGHLIGHT:
            assert span.color == "yellow"
    under = [s for s in spans if s.mark == Mark.UNDERLINE]
    for h in (s for s in spans if s.mark == Mark.HIGHLIGHT):
        assert any(u.start <= h.start and h.end <= u.end for u in under), "highlight ⊆ underline"


def test_cuts_real_cards_within_rules(sample_cards: list[Card], embedder: Embedder) -> None:
    for card in sample_cards:
        body = card.body
        original = "".join(body)
        spans = cut_marks(card.tag, body, embedder)
        assert card.body == original, "the body is never changed"
        _check_spans(body, spans)
        assert spans == cut_marks(card.tag, body, embedder), "deterministic"
        words = split_words(body)
        under = sum(marked_words(words, spans, Mark.UNDERLINE))
        high = sum(marked_words(words, spans, Mark.HIGHLIGHT))
        assert 0 < high < under <= len(words)


def test_requested_shares_are_kept(sample_cards: list[Card], embedder: Embedder) -> None:
    for card in sample_cards[:6]:
        words = split_words(card.body)
        spans = cut_marks(card.tag, card.body, embedder, underline_share=0.4, highlight_share=0.15)
        under = sum(marked_words(words, spans, Mark.UNDERLINE)) / len(words)
        high = sum(marked_words(words, spans, Mark.HIGHLIGHT)) / len(words)
        # Whole clauses and gap filling overshoot a little; skipped asides undershoot.
        assert 0.3 <= under <= 0.6, under
        assert 0.08 <= high <= 0.25, high


def test_baselines_follow_the_rules(sample_cards: list[Card], embedder: Embedder) -> None:
    card = sample_cards[0]
    for spans in (cxdb8_marks(card.tag, card.body, embedder), all_words_marks(card.body)):
        _check_spans(card.body, spans)
    words = split_words(card.body)
    assert all(marked_words(words, all_words_marks(card.body), Mark.HIGHLIGHT))


def test_relevant_sentence_underlined_citation_not(embedder: Embedder) -> None:
    body = (
        "The committee met on Tuesday in a large conference room downtown. "
        "Economic sanctions rarely change the behaviour of authoritarian regimes, because "
        "leaders shift the costs onto ordinary citizens (Smith and Jones 2019, p. 14). "
        "Lunch was served afterwards and most attendees left before the evening session."
    )
    spans = cut_marks(
        "Sanctions fail against authoritarian regimes", body, embedder, underline_share=0.3
    )
    words = split_words(body)
    under = marked_words(words, spans, Mark.UNDERLINE)
    text = {w.text: on for w, on in zip(words, under, strict=True)}
    assert text["sanctions"] and text["authoritarian"]
    assert not text["(Smith"] and not text["2019,"]
    assert not text["Lunch"]


def test_word_f1_on_hand_made_cases() -> None:
    gold = [True, False, True, False, False]
    p, r, f = word_counts([True] * 5, gold).prf()
    assert r == 1.0 and p == pytest.approx(0.4) and f == pytest.approx(2 * 0.4 / 1.4)
    assert word_counts(gold, gold).prf() == (1.0, 1.0, 1.0)
    assert word_counts([False, True, False, True, True], gold).prf() == (0.0, 0.0, 0.0)
    assert Counts().prf() == (0.0, 0.0, 0.0)
    assert rouge1_f("The cat sat", "the cat") == pytest.approx(0.8)
    assert rouge1_f("dog", "cat") == 0.0


def test_whole_unit_ceiling_marks_every_sentence_holding_a_mark() -> None:
    body = "One two three four. Five six, seven eight."
    card = Card(tag="t", short_cite="c", full_cite="", body=body)
    # The debater underlines "two" and "seven": one word in each sentence, one clause of two.
    gold = {
        "underline": [False, True, False, False, False, False, True, False],
        "highlight": [False, True, False, False, False, False, False, False],
    }
    out = ceilings([card], [gold])
    # Sentences: all 8 words marked, 2 right, F1 4/10; the first (4 words) for "two", 2/5.
    assert out["sentences"] == {"underline": 40.0, "highlight": 40.0}
    # Clauses "One two three four." and "seven eight.": 6 words marked, 2 right, F1 4/8.
    assert out["clauses"] == {"underline": 50.0, "highlight": 40.0}


def test_sentence_figures_say_where_a_cutter_errs() -> None:
    tally = _Tally()
    sentences = [(0, 4), (4, 8)]
    gold = [False, True, True, False] + [False] * 4
    # It marks one word of the debater's sentence and all of the other sentence.
    tally.add_sentences([True, False, False, False] + [True] * 4, gold, sentences)
    report = tally.report(8)
    assert (report["sentence_precision"], report["sentence_recall"]) == (50.0, 100.0)
    assert report["within_debaters_sentences_f1"] == 0.0  # its one word there is wrong


def test_marked_words_counts_any_character() -> None:
    body = "alpha beta gamma"
    words = split_words(body)
    spans = [Span(3, 4, Mark.UNDERLINE), Span(11, 16, Mark.UNDERLINE)]
    assert marked_words(words, spans, Mark.UNDERLINE) == [True, False, True]
    assert marked_words(words, spans, Mark.HIGHLIGHT) == [False, False, False]


def test_empty_body() -> None:
    assert cut_marks("tag", "") == []
    assert cut_marks("tag", "   \n ") == []
    assert all_words_marks("") == []
