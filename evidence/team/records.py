"""A local source, its passages and cards as team records, and back.

Ids are stable: a source is its content hash, a passage `hash:ordinal`; so sharing the same
file twice (by anyone) writes the same records, and a resumed share upserts over itself.
A card's body is not copied into the metadata: it is the source text at `body_offset`, for
`body_len` characters, so a pulled card body is the source's own words by construction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

Metadata = dict[str, str | int | float | bool]


@dataclass(frozen=True)
class LocalSource:
    id: int
    content_hash: str
    origin: str
    meta: Metadata  # the source's columns a pull restores
    text: str


@dataclass(frozen=True)
class LocalPassage:
    id: int
    ordinal: int
    text: str
    embed_text: str  # what its vector means (a card's tag and read text first)
    meta: Metadata


def passage_id(content_hash: str, ordinal: int) -> str:
    return f"{content_hash}:{ordinal}"


def read_source(conn: sqlite3.Connection, source_id: int) -> LocalSource | None:
    row = conn.execute(
        "SELECT id, content_hash, origin, kind, title, authors, date, publication, url, "
        "page_starts, warnings, qualifications, accessed, text FROM sources WHERE id = ?",
        (source_id,),
    ).fetchone()
    if row is None:
        return None
    keys = ("kind", "title", "authors", "date", "publication", "url", "page_starts")
    meta: Metadata = dict(zip(keys, (str(v) for v in row[3:10]), strict=True))
    meta.update(warnings=str(row[10]), qualifications=str(row[11]), accessed=str(row[12]))
    meta["origin_name"] = PurePath(str(row[2])).name if not _is_url(row[2]) else str(row[2])
    return LocalSource(int(row[0]), str(row[1]), str(row[2]), meta, str(row[13]))


def read_passages(conn: sqlite3.Connection, source_id: int) -> list[LocalPassage]:
    """The source's passages in order, each with its card's fields when it is one."""
    rows = conn.execute(
        "SELECT p.id, p.ordinal, p.start, p.end, p.page, p.text, COALESCE(p.embed_text, ''), "
        "c.kind, c.outline_path, c.tag, c.short_cite, c.full_cite, c.body, c.spans, "
        "c.warnings, c.body_offset "
        "FROM passages p LEFT JOIN cards c ON c.passage_id = p.id "
        "WHERE p.source_id = ?",
        (source_id,),
    ).fetchall()
    # A card stored once for several files (evidence/index/shared_cards.py) is shared with
    # each of them: at its place here, with this file's own text at that place.
    rows += conn.execute(
        "SELECT p.id, pl.ordinal, pl.start, pl.end, p.page, "
        "substr(s.text, pl.start + 1, pl.end - pl.start), COALESCE(p.embed_text, ''), "
        "c.kind, pl.outline_path, c.tag, c.short_cite, c.full_cite, c.body, c.spans, "
        "c.warnings, pl.body_offset "
        "FROM card_places pl JOIN cards c ON c.id = pl.card_id "
        "JOIN passages p ON p.id = c.passage_id JOIN sources s ON s.id = pl.source_id "
        "WHERE pl.source_id = ? AND NOT (c.source_id = pl.source_id AND c.ordinal = pl.ordinal)",
        (source_id,),
    ).fetchall()
    out: list[LocalPassage] = []
    for r in sorted(rows, key=lambda r: int(r[1])):
        meta: Metadata = {"ordinal": r[1], "start": r[2], "end": r[3], "page": r[4] or 0}
        meta["embed_text"] = r[6]
        meta["kind"] = r[7] or "passage"
        if r[7] is not None:
            meta.update(
                outline_path=r[8], tag=r[9], short_cite=r[10], full_cite=r[11],
                spans=r[13], card_warnings=r[14], body_offset=int(r[15] or 0),
                body_len=len(r[12]),
            )  # fmt: skip
        out.append(LocalPassage(int(r[0]), int(r[1]), str(r[5]), str(r[6] or r[5]), meta))
    return out


def _is_url(origin: object) -> bool:
    return str(origin).startswith(("http://", "https://"))


def metadata_json(meta: dict[str, Any], key: str, default: str = "[]") -> Any:
    """A JSON-valued field of a record's metadata (lists are stored as JSON text)."""
    return json.loads(str(meta.get(key) or default))
