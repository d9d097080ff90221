"""Per-word features from contextual word vectors (agents/runtime/word_vectors.py).

The embedding model run with pooling off gives each word a vector that knows its sentence.
The cutter uses a projection of it (PCA on the training words, stored with the weights) for
the word and its neighbours (WINDOW), and sentence-level figures made from the same vectors:
each sentence's similarity to the tag (the claim) and to the card's centroid, their rank and
z-score in the card, and where the sentence sits in the card. Clause vectors for the older
features (agents/cutter/word_features.py) are made from the word vectors too, so a card
needs one token pass and the tag's embedding, not a second pass over its clauses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.cutter.word_features import CardLayout

# Offsets of the neighbours whose projected vectors each row repeats.
WINDOW = (-2, -1, 1, 2)


@dataclass(frozen=True)
class Projection:
    mean: np.ndarray  # (dim,)
    basis: np.ndarray  # (dim, k)

    @property
    def size(self) -> int:
        return int(self.basis.shape[1])

    @classmethod
    def fit(cls, vectors: np.ndarray, k: int) -> Projection:
        """The first k principal directions of `vectors` (rows), scaled to unit variance."""
        x = np.asarray(vectors, dtype=np.float64)
        mean = x.mean(axis=0)
        _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
        scale = s[:k] / np.sqrt(max(len(x) - 1, 1))
        basis = vt[:k].T / np.maximum(scale, 1e-6)
        return cls(mean.astype(np.float32), basis.astype(np.float32))


def unit(x: np.ndarray) -> np.ndarray:
    return np.asarray(x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9))


def pooled(word_vectors: np.ndarray, ranges: Sequence[tuple[int, int]]) -> np.ndarray:
    """Unit mean vector of the words of each range (as the model pools a sentence)."""
    return unit(np.stack([word_vectors[a:b].mean(axis=0) for a, b in ranges]))


def clause_vectors(
    tag_vector: np.ndarray, word_vectors: np.ndarray, card: CardLayout
) -> np.ndarray:
    """What word_features takes as `vectors` (the tag, then each clause), from one token pass."""
    tag = np.asarray(tag_vector, dtype=np.float64).reshape(1, -1)
    return np.vstack([tag, pooled(np.asarray(word_vectors, dtype=np.float64), card.clauses)])


def _shift(x: np.ndarray, off: int) -> np.ndarray:
    s = np.zeros_like(x)
    if off < 0:
        s[-off:] = x[:off]
    else:
        s[:-off] = x[off:]
    return s


def _zscore(x: np.ndarray) -> np.ndarray:
    return np.asarray((x - x.mean()) / (x.std() + 1e-6))


def _rank(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.argsort(np.argsort(-x, kind="stable"), kind="stable") / max(len(x), 1))


def token_features(
    tag_vector: np.ndarray, word_vectors: np.ndarray, card: CardLayout, projection: Projection
) -> np.ndarray:
    """Rows of features, one per word."""
    w = np.asarray(word_vectors, dtype=np.float32)
    n = len(w)
    tag = unit(np.asarray(tag_vector, dtype=np.float64))
    z = (w - projection.mean) @ projection.basis
    word_tag = unit(w.astype(np.float64)) @ tag
    sentences = card.sentences
    sent_vecs = pooled(w.astype(np.float64), sentences)
    lengths = np.array([b - a for a, b in sentences], dtype=np.float64)
    centroid = unit((sent_vecs * lengths[:, None]).sum(axis=0))
    to_tag = sent_vecs @ tag
    to_centroid = sent_vecs @ centroid
    where = np.arange(len(sentences)) / max(len(sentences) - 1, 1)
    per_sentence = np.column_stack(
        [
            to_tag,
            _zscore(to_tag),
            _rank(to_tag),
            to_centroid,
            _zscore(to_centroid),
            where,
            np.full(len(sentences), float(centroid @ tag)),
        ]
    )
    index = np.zeros(n, dtype=int)
    for i, (a, b) in enumerate(sentences):
        index[a:b] = i
    return np.hstack(
        [
            z,
            *(_shift(z, off) for off in WINDOW),
            np.column_stack([word_tag, _zscore(word_tag)]),
            per_sentence[index],
        ]
    ).astype(np.float32)


def token_feature_count(k: int) -> int:
    return k * (1 + len(WINDOW)) + 2 + 7
