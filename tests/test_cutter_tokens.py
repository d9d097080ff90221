"""The token-vector cutter's parts: word vectors from the real MiniLM GGUF (llama.cpp with
pooling off), the features made from them, and the route the app's cutter takes (a token
model when its weights exist and the embedder gives word vectors; the older features
otherwise). No token weights ship (they did not beat the older model on validation), so the
route is tested with weights trained here on a few real development cards."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from agents.cutter import learned, learned_tokens
from agents.cutter.head import train_head
from agents.cutter.learned import learned_cut_marks, model_cut, token_cut
from agents.cutter.learned_tokens import (
    TokenCutterModel,
    TokenWeightsError,
    load_token_model,
    word_vector_source,
)
from agents.cutter.text import marked_words, split_words
from agents.cutter.token_features import Projection, token_features
from agents.cutter.word_features import layout
from agents.runtime.word_vectors import windows
from agents.team.memo import MemoEmbedder
from bench.cutter_data import development
from bench.train_cutter import Rows, idf_table
from bench.train_token_cutter import token_rows, with_underline
from evidence.cards.card import Mark, Span
from evidence.index.embedding import Embedder
from tests.test_cutter_learned import BODY, TAG, HashEmbedder

# Two topics in one card: which one the tag names should decide what is read.
TRADE = (
    "Tariffs on steel raised prices for American manufacturers and cost more jobs than they "
    "saved, because every industry that buys steel paid the tax."
)
CLIMATE = (
    "Rising ocean temperatures are bleaching coral reefs across the Pacific, and scientists "
    "warn that most reefs could be gone within three decades without deep emissions cuts."
)
CARD = TRADE + " " + CLIMATE


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    for cached in (learned.default_model, learned_tokens.default_token_model, learned._warn_once):
        cached.cache_clear()
    yield
    for cached in (learned.default_model, learned_tokens.default_token_model, learned._warn_once):
        cached.cache_clear()


@pytest.fixture(scope="module")
def trained_weights(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Token weights fitted (one epoch, small heads) on four real development cards, through
    the training script's own rows: not a good cutter, a real one."""
    source = word_vector_source(embedder)
    assert source is not None
    cards = development()[:4]
    clause_vecs, word_vecs = [], []
    for lc in cards:
        words = split_words(lc.card.body)
        clause_vecs.append(
            np.asarray(embedder.embed(layout(lc.card.tag, lc.card.body, words).texts))
        )
        word_vecs.append(source.word_vectors([w.text for w in words]))
    idf, idf_default = idf_table(cards)
    projection = Projection.fit(np.vstack(word_vecs), 4)
    rows: Rows = token_rows(cards, clause_vecs, word_vecs, idf, idf_default, projection)
    kw = {"hidden": 8, "epochs": 1}
    first = train_head(rows.x, rows.u, **kw)
    staged = rows.staged(first.probabilities(rows.x))
    under = train_head(staged, rows.u, **kw)
    high = train_head(with_underline(rows, staged, under.probabilities(staged)), rows.h, **kw)
    model = TokenCutterModel(projection, first, under, high, idf, idf_default, 0.4, 0.4)
    path = tmp_path_factory.mktemp("token") / "cutter_token_weights.npz"
    np.savez_compressed(path, allow_pickle=False, **model.arrays())
    return path


def test_windows_cut_at_sentence_ends_within_the_token_budget() -> None:
    ends = [i == 3 for i in range(14)]
    assert windows([1] * 14, ends, 6) == [0, 4, 10], "cut after the sentence end, then greedily"
    assert windows([3, 9, 2], [False] * 3, 6) == [0, 1, 2], "a long word stands alone"
    assert windows([2, 2], [False, False], 6) == [0]


def test_token_weights_round_trip_and_damage_is_reported(trained_weights: Path) -> None:
    model = load_token_model(trained_weights)
    assert model.projection.size == 4 and model.underline_threshold == pytest.approx(0.4)
    with pytest.raises(TokenWeightsError, match="cannot load"):
        load_token_model(trained_weights.with_name("missing.npz"))


def test_word_vectors_are_contextual_and_pool_to_the_sentence_vector(embedder: Embedder) -> None:
    source = word_vector_source(MemoEmbedder(embedder))
    assert source is not None, "found through the team's memo wrapper"
    assert word_vector_source(HashEmbedder()) is None
    words = CARD.split()
    vecs = source.word_vectors(words)
    assert vecs.shape == (len(words), embedder.dim)
    # The model pools a sentence by the mean of its tokens: the words' mean comes close to
    # the sentence's own vector, and far from the other sentence's.
    for sentence, other in ((TRADE, CLIMATE), (CLIMATE, TRADE)):
        pooled = source.word_vectors(sentence.split()).mean(axis=0)
        pooled /= np.linalg.norm(pooled)
        own, far = (np.asarray(v) for v in embedder.embed([sentence, other]))
        assert float(pooled @ own) > 0.95 and float(pooled @ far) < 0.5
    # "steel" in context differs from "steel" alone.
    alone = source.word_vectors(["steel"])[0]
    i = words.index("steel")
    assert float(vecs[i] @ alone / np.linalg.norm(vecs[i]) / np.linalg.norm(alone)) < 0.99


def _read(body: str, spans: list[Span], mark: Mark) -> set[str]:
    words = split_words(body)
    return {w.text for w, on in zip(words, marked_words(words, spans, mark), strict=True) if on}


def test_the_tag_moves_the_sentence_features_to_its_sentence(embedder: Embedder) -> None:
    source = word_vector_source(embedder)
    assert source is not None
    words = split_words(CARD)
    card = layout("", CARD, words)
    assert len(card.sentences) == 2
    vecs = source.word_vectors([w.text for w in words])
    projection = Projection.fit(vecs, 4)
    n_trade = len(TRADE.split())
    tag_columns = slice(projection.size * 5 + 2, projection.size * 5 + 3)  # sentence-to-tag
    for tag, named in (("Tariffs cost manufacturing jobs", 0), ("Warming kills coral reefs", 1)):
        tag_vec = np.asarray(embedder.embed([tag])[0])
        sim = token_features(tag_vec, vecs, card, projection)[:, tag_columns].ravel()
        first, second = float(sim[0]), float(sim[n_trade])
        assert (first > second + 0.2) if named == 0 else (second > first + 0.2), (tag, sim)


def test_the_app_cutter_takes_the_token_model_when_its_weights_exist(
    embedder: Embedder,
    trained_weights: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_caches: None,
) -> None:
    older = model_cut(TAG, BODY, embedder, learned.default_model())
    assert learned_cut_marks(TAG, BODY, MemoEmbedder(embedder)) == older, "none ship today"
    monkeypatch.setattr(learned_tokens, "resource_path", lambda *parts: trained_weights)
    learned_tokens.default_token_model.cache_clear()
    source = word_vector_source(embedder)
    assert source is not None
    spans = learned_cut_marks(TAG, BODY, MemoEmbedder(embedder))
    assert spans == token_cut(TAG, BODY, embedder, source, load_token_model(trained_weights))
    assert learned_cut_marks(TAG, BODY, HashEmbedder()) == model_cut(
        TAG, BODY, HashEmbedder(), learned.default_model()
    ), "an embedder without word vectors keeps the older features"
    words = split_words(BODY)
    starts, ends = {w.start for w in words}, {w.end for w in words}
    assert all(s.start in starts and s.end in ends for s in spans)
    assert not {"(Smith", "[p.", "12]"} & _read(BODY, spans, Mark.UNDERLINE), "rules still apply"


def test_damaged_token_weights_fall_back_to_the_older_features(
    embedder: Embedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fresh_caches: None,
) -> None:
    damaged = tmp_path / "cutter_token_weights.npz"
    damaged.write_bytes(b"not a zip")
    monkeypatch.setattr(learned_tokens, "resource_path", lambda *parts: damaged)
    with caplog.at_level(logging.WARNING, logger="agents.cutter.learned"):
        spans = learned_cut_marks(TAG, BODY, embedder)
    assert spans == model_cut(TAG, BODY, embedder, learned.default_model())
    assert "cannot load the token cutter weights" in caplog.text
    assert "older learned features" in caplog.text
