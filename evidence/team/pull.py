"""`team pull`: a shared source (with its cards and vectors) into the local library, so it
is searchable and citable offline, at a tournament with no server in reach."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from evidence.index.passages import PassageSpan
from evidence.library import Library
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.team.records import metadata_json
from evidence.team.server import TeamError, TeamServer, as_team_error
from evidence.team.share import passages_collection, sources_collection


@dataclass(frozen=True)
class PullResult:
    source_id: int
    title: str
    passages: int
    cards: int
    shared_by: str
    already: bool  # the library had this file already (same content hash)


def source_hash_of(ref: str) -> str:
    """A hit id (`hash:ordinal`) or a source hash, as the source's content hash."""
    return ref.strip().split(":", 1)[0].lower()


def pull(library: Library, server: TeamServer, ref: str) -> PullResult:
    content_hash = source_hash_of(ref)
    local = library.store.source_by_hash(content_hash)
    embedder = library.embedder()
    try:
        sources_col = sources_collection(server, create=False)
        passages_col = passages_collection(server, embedder, create=False)
        if sources_col is None or passages_col is None:
            raise TeamError("nothing has been shared to the team library yet")
        got = sources_col.get(ids=[content_hash], include=["documents", "metadatas"])
        if not got["ids"] or not (got["metadatas"][0] or {}).get("complete"):
            raise TeamError(f"no complete shared source {content_hash[:12]} on the team server")
        meta, text = got["metadatas"][0], str(got["documents"][0])
        if local is not None:
            return PullResult(local.id, local.display_name, 0, 0, str(meta["shared_by"]), True)
        rows = passages_col.get(
            where={"source_hash": content_hash},
            include=["documents", "metadatas", "embeddings"],
            limit=int(meta["passages"]) + 1,
        )
    except TeamError:
        raise
    except Exception as exc:
        raise as_team_error(exc, server.endpoint.url) from exc
    passages = sorted(
        zip(rows["documents"], rows["metadatas"], rows["embeddings"], strict=True),
        key=lambda r: int(r[1]["ordinal"]),
    )
    if len(passages) != int(meta["passages"]):
        raise TeamError(f"the shared source {content_hash[:12]} is incomplete on the server")
    return _store(library, content_hash, text, meta, passages)


def _store(
    library: Library,
    content_hash: str,
    text: str,
    meta: dict[str, Any],
    passages: list[tuple[Any, dict[str, Any], Any]],
) -> PullResult:
    doc = ParsedDocument(
        SourceKind(str(meta["kind"])),
        text,
        title=str(meta["title"]),
        authors=metadata_json(meta, "authors"),
        date=str(meta["date"]),
        publication=str(meta["publication"]),
        url=str(meta["url"]),
        qualifications=str(meta["qualifications"]),
        accessed=str(meta["accessed"]),
        page_starts=metadata_json(meta, "page_starts"),
        warnings=metadata_json(meta, "warnings"),
    )
    spans, embeds = [], []
    for body, m, _vec in passages:
        start, end = int(m["start"]), int(m["end"])
        if text[start:end] != body:  # the server's copy does not match its own source text
            raise TeamError(f"the shared source {content_hash[:12]} is damaged on the server")
        spans.append(PassageSpan(start, end, int(m["page"]) or None))
        embeds.append(str(m["embed_text"]) or None)
    cards = [m for _b, m, _v in passages if m.get("kind") in ("card", "analytic")]

    def write_cards(conn: sqlite3.Connection, source_id: int, passage_ids: list[int]) -> None:
        _write_cards(conn, text, source_id, passage_ids, [m for _b, m, _v in passages])

    origin = f"team://{content_hash[:16]}/{meta['origin_name']}"
    source_id = library.store.add_source(
        origin, content_hash, doc, spans, embed_texts=embeds, extra=write_cards if cards else None
    )
    # The team's vectors come from this same embedder (checked): stored as they are.
    ids = _passage_ids(library, source_id)
    vectors = [[float(x) for x in vec] for _b, _m, vec in passages]
    library.vectors().upsert(ids, vectors, [source_id] * len(ids))
    library.store.mark_embedded(ids, library.embedder().model_id)
    title = doc.title or str(meta["origin_name"])
    return PullResult(source_id, title, len(ids), len(cards), str(meta["shared_by"]), False)


def _passage_ids(library: Library, source_id: int) -> list[int]:
    rows = library.store.conn.execute(
        "SELECT id FROM passages WHERE source_id = ? ORDER BY ordinal", (source_id,)
    )
    return [int(r[0]) for r in rows]


def _write_cards(
    conn: sqlite3.Connection,
    text: str,
    source_id: int,
    passage_ids: list[int],
    metas: list[dict[str, Any]],
) -> None:
    """The cards as the sharer's library held them, and the outline rebuilt from their
    headings (consecutive cards under the same headings share them)."""
    outline: list[Any] = []
    for ordinal, (pid, m) in enumerate(zip(passage_ids, metas, strict=True)):
        if m.get("kind") not in ("card", "analytic"):
            continue
        offset, length = int(m["body_offset"]), int(m["body_len"])
        cur = conn.execute(
            "INSERT INTO cards (source_id, passage_id, ordinal, kind, outline_path, tag, "
            "short_cite, full_cite, body, spans, warnings, body_offset) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                source_id, pid, ordinal, m["kind"], m["outline_path"], m["tag"],
                m["short_cite"], m["full_cite"], text[offset : offset + length], m["spans"],
                m["card_warnings"], offset,
            ),
        )  # fmt: skip
        _place(outline, json.loads(str(m["outline_path"])), int(cur.lastrowid or 0))
    conn.execute("UPDATE sources SET outline = ? WHERE id = ?", (json.dumps(outline), source_id))


def _place(outline: list[Any], path: list[list[Any]], card_id: int) -> None:
    level_items = outline
    for level, title in path:
        last = level_items[-1] if level_items else None
        if not (last and "children" in last and (last["level"], last["title"]) == (level, title)):
            last = {"level": int(level), "title": str(title), "children": []}
            level_items.append(last)
        level_items = last["children"]
    level_items.append({"card": card_id})
