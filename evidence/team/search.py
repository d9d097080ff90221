"""`team search`: the squad's shared passages nearest a query, each with who shared it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from evidence.index.embedding import Embedder
from evidence.team.server import TeamError, TeamServer, as_team_error
from evidence.team.share import passages_collection


@dataclass(frozen=True)
class TeamHit:
    id: str  # `hash:ordinal`, what `team pull` takes
    text: str
    source: str  # the shared source's title (or file name)
    shared_by: str
    source_hash: str
    ordinal: int
    kind: str  # "card", "analytic" or "passage"
    tag: str
    short_cite: str
    full_cite: str
    page: int | None
    distance: float  # cosine distance, nearest first
    body: str  # a card's body (its words in `text`), else the passage text
    spans: list[list[Any]]  # a card's marks on `body`: [start, end, mark, colour]


def team_search(server: TeamServer, embedder: Embedder, query: str, k: int = 10) -> list[TeamHit]:
    """Nearest shared passages; [] when nobody has shared anything yet."""
    if k <= 0 or not query.strip():
        return []
    try:
        col = passages_collection(server, embedder, create=False)
        if col is None:
            return []
        vector = embedder.embed([query])[0]
        res = col.query(
            query_embeddings=[vector],
            n_results=k,
            include=["documents", "metadatas", "distances"],
        )
    except TeamError:
        raise
    except Exception as exc:
        raise as_team_error(exc, server.endpoint.url) from exc
    if not res["ids"]:
        return []
    hits: list[TeamHit] = []
    rows = zip(
        res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
    )
    for rid, text, meta, dist in rows:
        m = meta or {}
        page = int(m.get("page") or 0)
        body, spans = _card_body(str(text or ""), m)
        hits.append(
            TeamHit(
                str(rid),
                str(text or ""),
                str(m.get("title") or m.get("origin_name") or "?"),
                str(m.get("shared_by") or "?"),
                str(m.get("source_hash") or ""),
                int(m.get("ordinal") or 0),
                str(m.get("kind") or "passage"),
                str(m.get("tag") or ""),
                str(m.get("short_cite") or ""),
                str(m.get("full_cite") or ""),
                page or None,
                float(dist),
                body,
                spans,
            )
        )
    return hits


def _card_body(text: str, meta: dict[str, Any]) -> tuple[str, list[list[Any]]]:
    """The body inside a card passage's text (it starts at `body_offset` in the source)."""
    if meta.get("kind") != "card":
        return text, []
    at = int(meta.get("body_offset") or 0) - int(meta.get("start") or 0)
    body = text[at : at + int(meta.get("body_len") or 0)]
    return body, json.loads(str(meta.get("spans") or "[]"))
