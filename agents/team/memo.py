"""One run's embeddings, each text embedded once: the claim is compared with every passage,
card and tag of the run, and a wider search, the next claim of a block or a case's impact
search meets the same passages again."""

from __future__ import annotations

from collections.abc import Sequence

from evidence.index.embedding import Embedder


class MemoEmbedder:
    """An Embedder that keeps every vector it made (a run embeds a few hundred texts)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self._vectors: dict[str, list[float]] = {}

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:  # one batch for all that are new
            self._vectors.update(zip(missing, self.inner.embed(missing), strict=True))
        return [self._vectors[t] for t in texts]
