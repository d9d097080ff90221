"""`team share`: a local source's passages, cards and vectors to the squad's server.

Resumable: after each batch the next ordinal is written to a local progress file, and records
are upserted by stable ids, so an interrupted share (Ctrl-C, the server gone) continues where
it stopped. The source record is written last and marks the share complete; a complete
source (same content hash, shared by anyone) is not sent again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.atomic import atomic_write_text
from evidence.cancel import CancelCheck, never
from evidence.index.embedding import Embedder
from evidence.library import Library
from evidence.team.records import (
    LocalPassage,
    LocalSource,
    Metadata,
    passage_id,
    read_passages,
    read_source,
)
from evidence.team.server import (
    PASSAGES,
    SCHEMA,
    SOURCES,
    TeamError,
    TeamServer,
    as_team_error,
)

log = logging.getLogger(__name__)

BATCH = 128  # passages per upsert: the progress and cancel granularity
SOURCE_VECTOR = [1.0]  # source records are looked up by id, never by similarity


@dataclass(frozen=True)
class ShareResult:
    source_id: int
    title: str
    status: str  # "shared", "already shared", "interrupted"
    sent: int  # passages sent in this run
    total: int
    resumed_from: int  # the ordinal this run started at (0: a fresh share)
    shared_by: str


def passages_collection(server: TeamServer, embedder: Embedder, *, create: bool) -> Any | None:
    """The team's passage collection, refused when another embedder made it."""
    meta = {"debate_prep_schema": SCHEMA, "embedder": embedder.model_id, "dim": embedder.dim}
    col = server.collection(PASSAGES, create_with=meta if create else None)
    if col is not None:
        theirs = (col.metadata or {}).get("embedder")
        if theirs != embedder.model_id:
            raise TeamError(
                f"the team library was made with the embedding model {theirs}, and yours is "
                f"{embedder.model_id}: vectors of two models cannot be searched together. "
                "Use the squad's embedding model (Settings > Models)."
            )
    return col


def sources_collection(server: TeamServer, *, create: bool) -> Any | None:
    return server.collection(
        SOURCES, create_with={"debate_prep_schema": SCHEMA} if create else None
    )


class Progress:
    """Where each unfinished share stopped, per server and content hash, in a local file."""

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            self._done: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._done = {}

    def get(self, key: str) -> int:
        return int(self._done.get(key, 0))

    def set(self, key: str, ordinal: int | None) -> None:
        if ordinal is None:
            self._done.pop(key, None)
        else:
            self._done[key] = ordinal
        atomic_write_text(self._path, json.dumps(self._done, indent=1))


def share_sources(
    library: Library,
    server: TeamServer,
    source_ids: Iterable[int],
    shared_by: str,
    progress_file: Path,
    cancel: CancelCheck = never,
    on_batch: Callable[[int, int], None] | None = None,
) -> Iterator[ShareResult]:
    """Share each source; yields one result per source. Raises TeamError on a server failure
    (what was sent stays sent, and the next share resumes)."""
    embedder = library.embedder()
    try:
        passages_col = passages_collection(server, embedder, create=True)
        sources_col = sources_collection(server, create=True)
    except TeamError:
        raise
    except Exception as exc:
        raise as_team_error(exc, server.endpoint.url) from exc
    progress = Progress(progress_file)
    for source_id in source_ids:
        if cancel():
            return
        source = read_source(library.store.conn, source_id)
        if source is None:
            continue
        try:
            yield _share_one(
                library, server, passages_col, sources_col, source, shared_by, progress, cancel,
                on_batch,
            )  # fmt: skip
        except TeamError:
            raise
        except Exception as exc:  # the server went away or answered garbage mid-share
            raise as_team_error(exc, server.endpoint.url) from exc


def _share_one(
    library: Library,
    server: TeamServer,
    passages_col: Any,
    sources_col: Any,
    source: LocalSource,
    shared_by: str,
    progress: Progress,
    cancel: CancelCheck,
    on_batch: Callable[[int, int], None] | None,
) -> ShareResult:
    title = str(source.meta["title"]) or str(source.meta["origin_name"])
    known = sources_col.get(ids=[source.content_hash], include=["metadatas"])
    if known["ids"] and (known["metadatas"][0] or {}).get("complete"):
        who = str(known["metadatas"][0].get("shared_by", "?"))
        return ShareResult(source.id, title, "already shared", 0, 0, 0, who)
    passages = read_passages(library.store.conn, source.id)
    key = f"{server.endpoint.url}|{source.content_hash}"
    start = min(progress.get(key), len(passages))
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    common: Metadata = {"source_hash": source.content_hash, "title": title}
    common.update(shared_by=shared_by, origin_name=source.meta["origin_name"], shared_at=now)
    marked = library.store.embedded_ids(library.embedder().model_id)
    sent = 0
    for at in range(start, len(passages), BATCH):
        if cancel():
            return ShareResult(
                source.id, title, "interrupted", sent, len(passages), start, shared_by
            )
        batch = passages[at : at + BATCH]
        passages_col.upsert(
            ids=[passage_id(source.content_hash, p.ordinal) for p in batch],
            embeddings=_vectors(library, batch, marked),
            documents=[p.text for p in batch],
            metadatas=[{**p.meta, **common} for p in batch],
        )
        sent += len(batch)
        progress.set(key, at + len(batch))
        if on_batch is not None:
            on_batch(at + len(batch), len(passages))
    sources_col.upsert(
        ids=[source.content_hash],
        embeddings=[SOURCE_VECTOR],
        documents=[source.text],
        metadatas=[{**source.meta, **common, "passages": len(passages), "complete": True}],
    )
    progress.set(key, None)
    return ShareResult(source.id, title, "shared", sent, len(passages), start, shared_by)


def _vectors(
    library: Library, batch: Sequence[LocalPassage], marked: set[int]
) -> list[list[float]]:
    """The passages' vectors: the local index's when it has them (same embedder: the team
    collection was checked), else embedded now."""
    stored: dict[int, list[float]] = {}
    index = library.vectors()
    vectors_of = getattr(index, "vectors_of", None)
    if vectors_of is not None:
        stored = vectors_of([p.id for p in batch if p.id in marked])
    missing = [p for p in batch if p.id not in stored]
    if missing:
        for p, vec in zip(
            missing, library.embedder().embed([p.embed_text for p in missing]), strict=True
        ):
            stored[p.id] = vec
    return [stored[p.id] for p in batch]
