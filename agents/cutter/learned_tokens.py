"""The learned cutter with contextual word vectors (the embedder run with pooling off).

Same staged heads as agents/cutter/learned.py (a first underline guess, then underline with
that guess around each word), over the older features plus token_features.py; the highlight
head also sees the underline head's probabilities around the word. A card costs one token
pass (its words) and the tag's embedding. Weights would be resources/cutter/
cutter_token_weights.npz, made by bench/train_token_cutter.py; none ship yet: trained on up
to 12k words per group (the token pass on two busy cores allowed no more), they ranked words
worse on validation than the older features trained on 50k (README, issue 13).

It needs an embedder that gives word vectors (`word_vectors(words)`, as the app's llama.cpp
embedder does, possibly wrapped: see `word_vector_source`); without one, or when these
weights cannot be loaded, learned.py uses the older features.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from agents.cutter.head import Head
from agents.cutter.text import Word
from agents.cutter.token_features import (
    Projection,
    clause_vectors,
    token_feature_count,
    token_features,
)
from agents.cutter.weights import LOAD_ERRORS, idf_arrays, idf_from, read_weights, thresholds_from
from agents.cutter.word_features import (
    CONTEXT_COLUMNS,
    CardLayout,
    context_features,
    feature_count,
    word_features,
)
from evidence.index.embedding import Embedder
from resources import resource_path

TOKEN_WEIGHTS_FILE = ("cutter", "cutter_token_weights.npz")
TOKEN_FORMAT = 1


@runtime_checkable
class WordVectorSource(Protocol):
    def word_vectors(self, words: Sequence[str]) -> np.ndarray: ...


def word_vector_source(embedder: object) -> WordVectorSource | None:
    """The embedder itself, or the one it wraps (`.inner`, as the team's MemoEmbedder does),
    that gives word vectors; None if none does."""
    seen = 0
    while embedder is not None and seen < 4:
        if isinstance(embedder, WordVectorSource):
            return embedder
        embedder = getattr(embedder, "inner", None)
        seen += 1
    return None


class TokenWeightsError(Exception):
    """The token cutter's weights file is missing or unreadable."""


@dataclass(frozen=True)
class TokenInputs:
    """What the model needs from the embedder for one card."""

    tag_vector: np.ndarray
    word_vectors: np.ndarray
    clause_vectors: np.ndarray | None = None  # the tag, then each clause (iso_clauses only)


@dataclass(frozen=True)
class TokenCutterModel:
    projection: Projection
    first: Head
    underline: Head
    highlight: Head
    idf: dict[str, float]
    idf_default: float
    underline_threshold: float
    highlight_threshold: float
    # Clause vectors from embedding each clause alone (one more pass per card), not pooled
    # from the word vectors.
    iso_clauses: bool = False

    def probabilities(
        self,
        tag: str,
        body: str,
        words: list[Word],
        card: CardLayout,
        inputs: TokenInputs,
    ) -> tuple[np.ndarray, np.ndarray]:
        """P(underline) and P(highlight) per word."""
        tag_vector, word_vecs = inputs.tag_vector, inputs.word_vectors
        vectors = inputs.clause_vectors
        if vectors is None:
            vectors = clause_vectors(tag_vector, word_vecs, card)
        x = np.hstack(
            [
                word_features(tag, body, words, card, vectors, self.idf, self.idf_default),
                token_features(tag_vector, word_vecs, card, self.projection),
            ]
        )
        staged = np.hstack([x, context_features(self.first.probabilities(x), card)])
        p_u = self.underline.probabilities(staged)
        p_h = self.highlight.probabilities(np.hstack([staged, context_features(p_u, card)]))
        return p_u, p_h

    def arrays(self) -> dict[str, np.ndarray]:
        """What load_token_model reads back (np.savez_compressed these)."""
        return {
            "format": np.array([TOKEN_FORMAT]),
            "proj_mean": self.projection.mean,
            "proj_basis": self.projection.basis,
            **self.first.arrays("f"),
            **self.underline.arrays("u"),
            **self.highlight.arrays("h"),
            **idf_arrays(self.idf, self.idf_default),
            "thresholds": np.array(
                [self.underline_threshold, self.highlight_threshold], dtype=np.float32
            ),
            "iso_clauses": np.array([int(self.iso_clauses)]),
        }


def load_token_model(path: Path) -> TokenCutterModel:
    """Raises TokenWeightsError, with the reason in words, for anything unusable."""
    try:
        arrays = read_weights(path, TOKEN_FORMAT)
        projection = Projection(
            np.asarray(arrays["proj_mean"], dtype=np.float32),
            np.asarray(arrays["proj_basis"], dtype=np.float32),
        )
        first = Head.from_arrays(arrays, "f")
        underline = Head.from_arrays(arrays, "u")
        highlight = Head.from_arrays(arrays, "h")
        expected = feature_count() + token_feature_count(projection.size)
        if first.inputs != expected:
            raise ValueError(f"made for {first.inputs} features, this version has {expected}")
        if underline.inputs != expected + CONTEXT_COLUMNS:
            raise ValueError("the underline head does not fit the first")
        if highlight.inputs != expected + 2 * CONTEXT_COLUMNS:
            raise ValueError("the highlight head does not fit the underline head")
        idf, idf_default = idf_from(arrays)
        t_u, t_h = thresholds_from(arrays)
        return TokenCutterModel(
            projection,
            first,
            underline,
            highlight,
            idf,
            idf_default,
            t_u,
            t_h,
            bool(int(arrays["iso_clauses"].reshape(-1)[0])) if "iso_clauses" in arrays else False,
        )
    except LOAD_ERRORS as exc:
        raise TokenWeightsError(f"cannot load the token cutter weights {path}: {exc}") from exc


def token_weights_present() -> bool:
    """Token weights ship only when they beat the older features on validation: their
    absence is no fault (the older features cut), a damaged file is."""
    return resource_path(*TOKEN_WEIGHTS_FILE).exists()


@functools.cache
def default_token_model() -> TokenCutterModel:
    """The shipped weights, loaded once per process (raises TokenWeightsError)."""
    return load_token_model(resource_path(*TOKEN_WEIGHTS_FILE))


def token_inputs(
    tag: str,
    words: list[Word],
    card: CardLayout,
    embedder: Embedder,
    source: WordVectorSource,
    model: TokenCutterModel,
) -> TokenInputs:
    """The card's token pass and the tag's embedding (with the clauses' when the model
    takes them embedded alone)."""
    word_vecs = np.asarray(source.word_vectors([w.text for w in words]), dtype=np.float32)
    if model.iso_clauses:
        vectors = np.asarray(embedder.embed(card.texts), dtype=np.float64)
        return TokenInputs(vectors[0], word_vecs, vectors)
    return TokenInputs(np.asarray(embedder.embed([tag])[0], dtype=np.float64), word_vecs)
