"""The dense side of search behind a small interface, with Chroma as the implementation.

`ChromaVectorIndex` takes any Chroma client, so a team's Chroma server
(`chromadb.HttpClient`) can replace the embedded `PersistentClient` without touching callers.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class VectorIndex(Protocol):
    """Passage vectors keyed by passage id, for one embedding model."""

    def upsert(
        self, ids: Sequence[int], vectors: Sequence[Sequence[float]], source_ids: Sequence[int]
    ) -> None: ...

    def delete(self, ids: Sequence[int]) -> None: ...

    def query(
        self, vector: Sequence[float], k: int, source_ids: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """(passage id, cosine distance) nearest first."""
        ...

    def count(self) -> int: ...

    def all_ids(self) -> set[int]: ...

    def clear(self) -> None: ...


def collection_name(model_id: str) -> str:
    # Chroma names: 3-512 chars of [a-zA-Z0-9._-], starting and ending alphanumeric.
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", model_id).strip("-._")[:200] or "model"
    return f"passages-{slug}"


class ChromaVectorIndex:
    def __init__(self, client: Any, model_id: str) -> None:
        self._client = client
        self._name = collection_name(model_id)
        self._collection = self._open()

    def _open(self) -> Any:
        return self._client.get_or_create_collection(
            self._name,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,  # we always pass vectors; Chroma's default would download
        )

    @property
    def _batch(self) -> int:
        return int(self._client.get_max_batch_size())

    def upsert(
        self, ids: Sequence[int], vectors: Sequence[Sequence[float]], source_ids: Sequence[int]
    ) -> None:
        for i in range(0, len(ids), self._batch):
            sl = slice(i, i + self._batch)
            self._collection.upsert(
                ids=[str(x) for x in ids[sl]],
                embeddings=[list(v) for v in vectors[sl]],
                metadatas=[{"source_id": int(s)} for s in source_ids[sl]],
            )

    def move(self, ids: Sequence[int], source_ids: Sequence[int]) -> None:
        """Vectors whose passage now belongs to another source (a card shared by several
        files whose owner went): the same vectors, filed under their new source."""
        for i in range(0, len(ids), self._batch):
            sl = slice(i, i + self._batch)
            self._collection.update(
                ids=[str(x) for x in ids[sl]],
                metadatas=[{"source_id": int(s)} for s in source_ids[sl]],
            )

    def delete(self, ids: Sequence[int]) -> None:
        for i in range(0, len(ids), self._batch):
            self._collection.delete(ids=[str(x) for x in ids[i : i + self._batch]])

    def query(
        self, vector: Sequence[float], k: int, source_ids: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        where: dict[str, Any] | None = None
        if source_ids is not None:
            if not source_ids:
                return []
            where = {"source_id": {"$in": [int(s) for s in source_ids]}}
        res = self._collection.query(
            query_embeddings=[list(vector)], n_results=k, where=where, include=["distances"]
        )
        if not res["ids"]:  # an empty collection
            return []
        ids, dists = res["ids"][0], res["distances"][0]
        return [(int(i), float(d)) for i, d in zip(ids, dists, strict=True)]

    def count(self) -> int:
        return int(self._collection.count())

    def vectors_of(self, ids: Sequence[int]) -> dict[int, list[float]]:
        """The stored vectors of `ids` (those that have one), e.g. to share without
        embedding again."""
        out: dict[int, list[float]] = {}
        for i in range(0, len(ids), self._batch):
            got = self._collection.get(
                ids=[str(x) for x in ids[i : i + self._batch]], include=["embeddings"]
            )
            for key, vec in zip(got["ids"], got["embeddings"], strict=True):
                out[int(key)] = [float(x) for x in vec]
        return out

    def all_ids(self) -> set[int]:
        out: set[int] = set()
        total, page = self.count(), 10_000
        for offset in range(0, total, page):
            got = self._collection.get(include=[], limit=page, offset=offset)
            out.update(int(i) for i in got["ids"])
        return out

    def clear(self) -> None:
        self._client.delete_collection(self._name)
        self._collection = self._open()


def open_persistent_client(
    folder: Path, on_damage: Callable[[Exception, Path], None] | None = None
) -> Any:
    """An embedded Chroma client with telemetry off. A damaged index folder is moved aside
    (vectors are derived data, rebuilt from SQLite) rather than blocking the app;
    `on_damage(error, where it was kept)` lets the caller tell the user."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    try:
        client = chromadb.PersistentClient(path=str(folder), settings=settings)
        client.list_collections()
        return client
    except Exception as exc:  # Chroma raises many types for a damaged folder
        aside = set_aside_damaged(folder)
        log.error(
            "vector index at %s cannot be opened (%s); moved to %s and rebuilt", folder, exc, aside
        )
        if on_damage is not None:
            on_damage(exc, aside)
        return chromadb.PersistentClient(path=str(folder), settings=settings)


def set_aside_damaged(folder: Path) -> Path:
    """Move a damaged index folder aside (kept, never deleted) and drop Chroma's cached
    system for it, so the next client starts a new, empty index there. Connections other
    threads hold keep their open files until they close."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(folder), None)
    SharedSystemClient._identifier_to_refcount.pop(str(folder), None)
    aside = folder.with_name(f"{folder.name}.damaged-{int(time.time())}")
    shutil.move(str(folder), str(aside))
    folder.mkdir(parents=True, exist_ok=True)
    return aside
