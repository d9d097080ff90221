"""Hybrid search: FTS5 BM25 and vector results merged by reciprocal-rank fusion (k = 60)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from evidence.index.embedding import Embedder
from evidence.index.lexical import LexicalRanking, lexical_ranking
from evidence.index.shared_cards import (
    Place,
    owners_placed_in,
    passages_held_by,
    places_for_passages,
)
from evidence.index.snippets import make_snippet, query_terms
from evidence.index.store import Store
from evidence.index.vectors import VectorIndex

RRF_K = 60
# A passage with only some of the query's words is weaker lexical evidence than one with all
# of them: its reciprocal rank counts half, so a close semantic match can outrank it.
PARTIAL_MATCH_WEIGHT = 0.5


@dataclass(frozen=True)
class SearchFilters:
    source_ids: Sequence[int] | None = None
    date_from: str = ""  # ISO prefix, inclusive
    date_to: str = ""

    @property
    def active(self) -> bool:
        return self.source_ids is not None or bool(self.date_from or self.date_to)


@dataclass(frozen=True)
class SearchHit:
    passage_id: int
    source_id: int
    source_title: str
    origin: str
    page: int | None
    start: int  # offsets into the source's text
    end: int
    score: float
    lexical_rank: int | None
    vector_rank: int | None
    snippet: str
    marks: list[tuple[int, int]] = field(default_factory=list)  # spans of snippet to mark
    # A card stored once for several files: the other files' names (the card's places, with
    # their outline paths: shared_cards.places_for_passages).
    also_in: tuple[str, ...] = ()


def search(
    store: Store,
    query: str,
    *,
    k: int = 10,
    filters: SearchFilters | None = None,
    vectors: VectorIndex | None = None,
    embedder: Embedder | None = None,
    mode: str = "hybrid",
) -> list[SearchHit]:
    """Best `k` passages. Lexical only when no vectors exist yet (or mode="lexical")."""
    filters = filters or SearchFilters()
    allowed = _allowed_sources(store, filters)
    if allowed is not None and not allowed:
        return []
    depth = max(50, 5 * k)
    lexical = LexicalRanking([], 0)
    if mode in ("hybrid", "lexical"):
        lexical = lexical_ranking(store, query, depth, allowed)
    dense: list[int] = []
    wants_dense = mode in ("hybrid", "vector") and query.strip()
    if wants_dense and vectors is not None and embedder is not None:
        qvec = embedder.embed([query])[0]
        dense = _dense(store, vectors, qvec, depth, allowed)
    return _hits(store, query, lexical, dense, k)


def _dense(
    store: Store,
    vectors: VectorIndex,
    qvec: list[float],
    depth: int,
    allowed: list[int] | None,
) -> list[int]:
    """Nearest passages; within `allowed`, the cards those files share with another file
    (whose vectors carry the owner's source) count too."""
    owners = owners_placed_in(store.conn, allowed) if allowed is not None else set()
    if not owners:
        return [pid for pid, _ in vectors.query(qvec, depth, allowed)]
    assert allowed is not None
    found = [pid for pid, _ in vectors.query(qvec, depth, sorted({*allowed, *owners}))]
    held = passages_held_by(store.conn, found, allowed)
    return [pid for pid in found if pid in held]


def _allowed_sources(store: Store, filters: SearchFilters) -> list[int] | None:
    allowed = list(filters.source_ids) if filters.source_ids is not None else None
    if filters.date_from or filters.date_to:
        dated = set(store.source_ids_where(filters.date_from, filters.date_to))
        allowed = sorted(dated if allowed is None else dated.intersection(allowed))
    return allowed


def fuse(lexical: LexicalRanking, dense: list[int]) -> dict[int, float]:
    """Reciprocal-rank fusion (k = 60), partial lexical matches weighted down."""
    scores: dict[int, float] = {}
    for rank, pid in enumerate(lexical.ids, start=1):
        weight = 1.0 if rank <= lexical.full else PARTIAL_MATCH_WEIGHT
        scores[pid] = scores.get(pid, 0.0) + weight / (RRF_K + rank)
    for rank, pid in enumerate(dense, start=1):
        scores[pid] = scores.get(pid, 0.0) + 1.0 / (RRF_K + rank)
    return scores


def passage_hits(store: Store, passage_ids: list[int], query: str = "") -> list[SearchHit]:
    """Chosen passages as hits (score 1), e.g. "cut a card from this passage"."""
    return _hits(store, query, LexicalRanking([], 0), [], 0, dict.fromkeys(passage_ids, 1.0))


def _hits(
    store: Store,
    query: str,
    lexical: LexicalRanking,
    dense: list[int],
    k: int,
    scores: dict[int, float] | None = None,
) -> list[SearchHit]:
    fused = scores if scores is not None else fuse(lexical, dense)
    best = sorted(fused, key=lambda p: -fused[p])[: k or None]
    passages = store.passages(best)
    lex_rank = {pid: r for r, pid in enumerate(lexical.ids, start=1)}
    vec_rank = {pid: r for r, pid in enumerate(dense, start=1)}
    terms = query_terms(query)
    sources: dict[int, tuple[str, str]] = {}
    hits: list[SearchHit] = []
    places = places_for_passages(store.conn, [pid for pid in best if pid in passages])
    for pid in best:
        p = passages.get(pid)
        if p is None:  # vector of a passage removed since; reconciled on next start
            continue
        if p.source_id not in sources:
            rec = store.source(p.source_id)
            sources[p.source_id] = (rec.display_name, rec.origin) if rec else ("?", "?")
        title, origin = sources[p.source_id]
        snippet, marks = make_snippet(p.text, terms)
        hits.append(
            SearchHit(
                pid,
                p.source_id,
                title,
                origin,
                p.page,
                p.start,
                p.end,
                fused[pid],
                lex_rank.get(pid),
                vec_rank.get(pid),
                snippet,
                marks,
                _elsewhere(places.get(pid, []), p.source_id),
            )
        )
    return hits


def _elsewhere(places: list[Place], source_id: int) -> tuple[str, ...]:
    """The other files a card is in, each named once."""
    return tuple(dict.fromkeys(pl.title for pl in places if pl.source_id != source_id))
