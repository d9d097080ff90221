"""A card's vector text (evidence/cards/store.embed_text): the tag, then the first content words
of the read text and the body, however the words are spaced."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.cards.card import Analytic, Card, Mark, Span
from evidence.cards.store import _VECTOR_STOP, CARD_VECTOR_WORDS, _content_words, embed_text
from evidence.index.store import word_count
from evidence.verbatim import read_verbatim

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "verbatim"


def reference(text: str, n: int) -> list[str]:
    return [w for w in text.split() if w.lower() not in _VECTOR_STOP][:n]


words = st.sampled_from(["the", "The", "sanctions", "of", "fail", "US", "and", "war", "x"])
gaps = st.sampled_from([" ", "  ", "\n", "\t", " \u00a0", "\u2003"])


@settings(max_examples=300)
@given(st.lists(st.tuples(words, gaps), max_size=200), st.integers(0, 60))
def test_content_words_match_a_plain_split(pairs: list[tuple[str, str]], n: int) -> None:
    text = "".join(w + g for w, g in pairs)
    assert _content_words(text, n) == reference(text, n)


def test_real_cards_lead_with_the_tag_and_read_text() -> None:
    cards = list(read_verbatim(SAMPLES / "neg.docx").cards())
    assert cards
    for card in cards:
        text = embed_text(card)
        tag, _, rest = text.partition("\n")
        assert tag == card.tag.strip() or not rest
        read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE)
        expected = reference(f"{read} {card.body}", CARD_VECTOR_WORDS)
        assert rest.split() == expected
        assert not {w.lower() for w in rest.split()} & _VECTOR_STOP


def test_a_short_card_and_an_analytic() -> None:
    body = "The sanctions will fail."
    card = Card("Sanctions fail", "Smith 24", "", body, [Span(4, 13, Mark.HIGHLIGHT)])
    assert embed_text(card) == "Sanctions fail\nsanctions sanctions fail."
    assert embed_text(Analytic(tag="Extend Smith", text="they dropped it")) == (
        "Extend Smith\nthey dropped it"
    )


@settings(max_examples=300)
@given(st.lists(st.tuples(words, gaps), max_size=200), st.integers(1, 12))
def test_word_count_in_pieces_matches_a_plain_split(
    pairs: list[tuple[str, str]], chunk: int
) -> None:
    text = "".join(w + g for w, g in pairs)
    assert word_count(text, chunk) == len(text.split())
    assert word_count(" " + text, chunk) == len(text.split())
