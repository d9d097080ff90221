"""Features of the contradiction test set, with one embedding per distinct text cached on disk.

Shared by bench/train_contradiction.py and bench/contradiction_eval.py: both compute a
feature row per example exactly as the Reviewer's check does (agents/team/contradiction.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agents.team.contradiction import evidence, features, texts
from bench.contradiction_data import Example
from evidence.index.embedding import Embedder

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "results" / "contradiction-embeddings"


class TextVectors:
    """Unit vectors by text, kept in one .npz per embedding model between runs."""

    def __init__(self, embedder: Embedder, folder: Path = CACHE) -> None:
        self._embedder = embedder
        folder.mkdir(parents=True, exist_ok=True)
        self._path = folder / f"{embedder.model_id[:16]}.npz"
        self._known: dict[str, np.ndarray] = {}
        if self._path.exists():
            with np.load(self._path, allow_pickle=False) as data:
                self._known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
        self.embedded = 0  # texts embedded in this run (not from the cache)

    def get(self, items: Sequence[str], batch: int = 64) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in items if t not in self._known))
        for i in range(0, len(missing), batch):
            chunk = missing[i : i + batch]
            vecs = np.asarray(self._embedder.embed(chunk), dtype=np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-9
            self._known.update(zip(chunk, vecs, strict=True))
            self.embedded += len(chunk)
            if (i // batch) % 20 == 19:  # a killed run keeps most of its work
                self.save()
        return np.stack([self._known[t] for t in items])

    def save(self) -> None:
        keys = sorted(self._known)
        np.savez(
            self._path,
            texts=np.array(keys),
            vectors=np.stack([self._known[k] for k in keys]) if keys else np.zeros((0, 1)),
        )


def feature_rows(examples: Sequence[Example], vectors: TextVectors) -> np.ndarray:
    evs = [evidence(e.tag, e.card) for e in examples]
    vectors.get([t for ev in evs for t in texts(ev)])  # one pass, batched
    vectors.save()
    return np.stack([features(ev, vectors.get(texts(ev))) for ev in evs])
