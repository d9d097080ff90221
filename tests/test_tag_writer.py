"""The Writer's tags: few-shot examples retrieved from real debaters' cards, the one-sentence
grammar and the repetition penalty, on the real Gemma 3 270M; the example bank; and the
ROUGE-L of bench/tag_eval.py. One llama.cpp thread (see test_generator_real.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.runtime.generation import GenerationRequest
from agents.runtime.llama_generator import LlamaGenerator
from agents.team.tag_checks import normalize, tag_problem
from agents.team.tag_examples import ExampleBank, TagExample, default_bank, terms
from agents.team.writer import (
    FIXED_EXAMPLES,
    TAG_GRAMMAR,
    tag_examples,
    tidy_tag,
    write_tag,
)
from bench.tag_eval import lcs, rouge_l_f
from evidence.cards.card import Card, Mark
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES

pytest_plugins = ["tests.fixtures_models"]

# What the grammar allows: a capital first, one full stop at the end ("U.S." inside is fine).
ONE_SENTENCE = re.compile(r"[A-Z0-9\"“‘'][^.!?\n]*(?:\.[A-Za-z][^.!?\n]*)*\.")


@pytest.fixture(scope="module")
def gemma(generator_gguf: Path) -> Iterator[LlamaGenerator]:
    with LlamaGenerator(generator_gguf, n_threads=1) as gen:
        yield gen


def _sample_cards(n: int) -> list[Card]:
    cards = [
        card
        for path in sorted((SAMPLES / "verbatim").glob("*.docx"))
        for card in read_verbatim(path.read_bytes()).cards()
        if card.marked(Mark.HIGHLIGHT) and len(card.body.split()) >= 30
    ]
    step = max(1, len(cards) // n)  # spread over the files, not one block's cards
    return cards[::step][:n]


def test_gemma_writes_usable_distinct_tags_for_real_cards(gemma: LlamaGenerator) -> None:
    tags: list[str] = []
    for card in _sample_cards(4):
        card.tag = ""  # the debater's tag is never shown to the model
        tag = tidy_tag("".join(write_tag(gemma, card, lambda: False, 64)))
        assert tag_problem(tag, tags) == "", (tag, tag_problem(tag, tags))
        assert ONE_SENTENCE.fullmatch(tag), tag
        tags.append(tag)
    assert len({normalize(t) for t in tags}) == len(tags), tags


def test_the_grammar_keeps_one_sentence_and_the_penalty_stops_a_loop(
    gemma: LlamaGenerator,
) -> None:
    looping = "Tag: Climate change climate change climate change climate change climate change"
    plain = GenerationRequest(looping, max_tokens=24, temperature=0.0)
    penalised = GenerationRequest(looping, max_tokens=24, temperature=0.0, frequency_penalty=1.5)
    before = "".join(gemma.stream(plain)).lower().count("climate")
    after = "".join(gemma.stream(penalised)).lower().count("climate")
    assert before >= 3 and after < before, (before, after)


def test_the_grammar_keeps_decimals_and_refuses_a_chain_of_numbers(gemma: LlamaGenerator) -> None:
    """A tag like "Warming kills 3.5 million people." once ended at "3." (the grammar took
    every full stop for the end); a run of numbers ("2.1.1.2.3…") still cannot loop."""
    copy = (
        "Copy the sentence.\nSentence: Sea levels rise 2.5 feet by 2100.\nCopy: Sea levels rise "
        "2.5 feet by 2100.\nSentence: Warming kills 3.5 million people.\nCopy:"
    )
    request = GenerationRequest(copy, max_tokens=24, temperature=0.0, grammar=TAG_GRAMMAR)
    tag = tidy_tag("".join(gemma.stream(request)))
    assert "3.5 million" in tag, tag
    chain = "Copy the sentence.\nSentence: Section 2.1.1.2.3.4.5.6.7.8.9 applies.\nCopy:"
    tag = "".join(gemma.stream(GenerationRequest(chain, 24, 0.0, grammar=TAG_GRAMMAR)))
    assert not re.search(r"\d\.\d\.\d", tag), tag


def test_retrieval_finds_training_examples_on_the_query_topic() -> None:
    bank = default_bank()
    assert len(bank.examples) > 500
    for query, topic in (
        ("nuclear winter from a war would not cause human extinction", {"nuclear", "winter"}),
        ("sanctions on Russia fail to change the regime and it adapts", {"sanction", "russia"}),
        ("artificial intelligence development risks catastrophe", {"ai", "intelligence"}),
    ):
        found = bank.nearest(query, 4)
        assert len(found) == 4
        on_topic = [e for e in found if topic & set(terms(f"{e.read} {e.tag}"))]
        assert len(on_topic) >= 3, (query, [e.tag for e in found])
    assert len({e.tag for e in bank.nearest("nuclear winter extinction")}) == 4  # one per tag


def test_retrieval_ranks_by_shared_rare_words_and_needs_no_embedder() -> None:
    bank = ExampleBank(
        [
            TagExample("the economy grows when trade is free", "Free trade grows the economy."),
            TagExample(
                "whales recover under the moratorium on whaling", "Moratorium saves whales."
            ),
            TagExample("the economy shrinks in a recession", "Recessions shrink the economy."),
        ]
    )
    assert [e.tag for e in bank.nearest("whaling harms whales", 2)] == ["Moratorium saves whales."]
    assert bank.nearest("free trade and the economy", 1)[0].tag == "Free trade grows the economy."
    assert bank.nearest("quantum chromodynamics", 3) == []
    # With nothing near, the Writer uses the prompt's fixed examples.
    assert tag_examples("quantum chromodynamics", bank) == list(FIXED_EXAMPLES)


def test_rouge_l_on_known_strings() -> None:
    assert lcs("a b c d e".split(), "a c e".split()) == 3
    assert rouge_l_f("Sanctions fail.", "sanctions FAIL") == 1.0
    assert rouge_l_f("", "sanctions fail") == 0.0
    assert rouge_l_f("dogs bark", "cats meow") == 0.0
    # candidate 4 words, reference 6, LCS "sanctions fail the regime" = 4: P 1, R 2/3, F 0.8
    assert rouge_l_f("Sanctions fail the regime.", "Sanctions fail and entrench the regime.") == (
        pytest.approx(0.8)
    )
    # order matters (unlike ROUGE-1): reversed words share an LCS of 1
    assert rouge_l_f("a b c", "c b a") == pytest.approx(1 / 3)
