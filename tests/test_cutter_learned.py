"""The learned cutter: its shipped weights on real cards, the debaters' rules, the fallback."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from agents.cutter import learned
from agents.cutter.extractive import all_words_marks, cut_marks
from agents.cutter.learned import CutterWeightsError, learned_cut_marks, load_model
from agents.cutter.rules import apply_rules
from agents.cutter.text import marked_words, split_words
from bench.cutting_eval import load_cards, word_counts
from evidence.cards.card import Card, Mark, Span
from evidence.index.embedding import Embedder
from resources import resource_path
from tests.conftest import SAMPLES

BODY = (
    "The committee met on Tuesday in a large conference room downtown. "
    "Economic sanctions do not change the behaviour of authoritarian regimes, because "
    "leaders shift the costs onto ordinary citizens (Smith and Jones 2019, p. 14). [p. 12] "
    "Lunch was served afterwards and most attendees left before the evening session."
)
TAG = "Sanctions fail against authoritarian regimes"


class HashEmbedder:
    """Deterministic unit vectors from a hash of the text: the real pipeline, no model."""

    model_id = "hash"
    dim = 16

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim)
            out.append([float(x) for x in v / np.linalg.norm(v)])
        return out


@pytest.fixture
def fresh_model_cache() -> Iterator[None]:
    learned.default_model.cache_clear()
    learned._warn_once.cache_clear()
    yield
    learned.default_model.cache_clear()
    learned._warn_once.cache_clear()


def _words(text: str) -> list[str]:
    return text.split()


def _marked(body: str, spans: list[Span], mark: Mark) -> list[str]:
    words = split_words(body)
    return [w.text for w, on in zip(words, marked_words(words, spans, mark), strict=True) if on]


def test_shipped_weights_load_and_are_small() -> None:
    path = resource_path(*learned.WEIGHTS_FILE)
    assert path.stat().st_size <= 10 * 2**20
    model = load_model(path)
    assert 0 < model.underline_threshold < 1 and 0 < model.highlight_threshold < 1
    assert len(model.idf) > 1000


def test_body_stays_verbatim_and_spans_are_whole_words(fresh_model_cache: None) -> None:
    body = BODY + "\n" + BODY.replace("Tuesday", "Friday")
    original = str(body)
    spans = learned_cut_marks(TAG, body, HashEmbedder())
    assert body == original
    words = split_words(body)
    starts, ends = {w.start for w in words}, {w.end for w in words}
    assert spans, "a card gets some marks"
    for span in spans:
        assert 0 <= span.start < span.end <= len(body)
        assert span.start in starts and span.end in ends
    under = marked_words(words, spans, Mark.UNDERLINE)
    high = marked_words(words, spans, Mark.HIGHLIGHT)
    assert all(u for u, h in zip(under, high, strict=True) if h), "highlight ⊆ underline"
    assert spans == learned_cut_marks(TAG, body, HashEmbedder()), "deterministic"


def _rules(text: str, under: list[int], high: list[int]) -> tuple[list[str], list[str]]:
    words = split_words(text)
    n = len(words)
    u, h = apply_rules(
        words,
        [i in under for i in range(n)],
        [i in high for i in range(n)],
        np.zeros(n, dtype=int),
    )
    pick = [w.text for w in words]
    return [pick[i] for i in range(n) if u[i]], [pick[i] for i in range(n) if h[i]]


def test_highlight_needs_underline_and_gaps_are_bridged() -> None:
    text = "one two three four five six seven eight"
    under, high = _rules(text, under=[0, 1, 2, 3], high=[0, 3, 6])
    assert high == ["one", "two", "three", "four"], "gap of two bridged; no underline, no highlight"
    assert under == ["one", "two", "three", "four"]
    _, high = _rules(text, under=list(range(8)), high=[0, 4])
    assert high == ["one", "five"], "a gap of three stays a gap"


def test_negation_and_hedge_are_kept_with_the_claim() -> None:
    text = "sanctions do not reduce conflict and may even worsen it"
    _, high = _rules(text, under=list(range(10)), high=[3, 4])
    assert high == ["not", "reduce", "conflict"], "the negation is read with the claim"
    _, high = _rules(text, under=list(range(10)), high=[8])
    assert high == ["may", "even", "worsen"], "so is a hedge, and the words between"


def test_citations_and_page_markers_are_never_marked() -> None:
    text = "leaders shift the costs (Smith and Jones 2019, p. 14). [p. 12] onto citizens"
    everything = list(range(len(_words(text))))
    under, high = _rules(text, under=everything, high=everything)
    for aside in ("(Smith", "Jones", "2019,", "14).", "[p.", "12]"):
        assert aside not in under and aside not in high
    assert "citizens" in high


def test_damaged_weights_fall_back_with_a_warning(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fresh_model_cache: None,
) -> None:
    damaged = tmp_path / "cutter_weights.npz"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    monkeypatch.setattr(learned, "resource_path", lambda *parts: damaged)
    embedder = HashEmbedder()
    with caplog.at_level(logging.WARNING, logger="agents.cutter.learned"):
        spans = learned_cut_marks(TAG, BODY, embedder)
    assert spans == cut_marks(TAG, BODY, embedder)
    assert "cannot load the cutter weights" in caplog.text and "heuristic" in caplog.text
    with pytest.raises(CutterWeightsError, match="cannot load"):
        load_model(tmp_path / "missing.npz")


def test_no_embedder_uses_the_heuristic() -> None:
    assert learned_cut_marks(TAG, BODY, None) == cut_marks(TAG, BODY, None)


@pytest.mark.slow
def test_beats_marking_every_word_on_real_cards(embedder: Embedder) -> None:
    # Every third development card (49, ~27k words): the one embedding pass per card is
    # most of this test's time; the full set is bench/cutting_eval.py's job.
    cards: list[Card] = load_cards(sorted((SAMPLES / "verbatim").glob("*.docx")))[::3]
    scores = {}
    for name, cut in (
        ("ours", lambda c: learned_cut_marks(c.tag, c.body, embedder)),
        ("all_words", lambda c: all_words_marks(c.body)),
    ):
        for mark in (Mark.UNDERLINE, Mark.HIGHLIGHT):
            tp = fp = fn = 0
            for card in cards:
                words = split_words(card.body)
                counts = word_counts(
                    marked_words(words, cut(card), mark), marked_words(words, card.spans, mark)
                )
                tp, fp, fn = tp + counts.tp, fp + counts.fp, fn + counts.fn
            scores[name, mark] = 2 * tp / (2 * tp + fp + fn)
    for mark in (Mark.UNDERLINE, Mark.HIGHLIGHT):
        assert scores["ours", mark] > scores["all_words", mark], scores
