"""Migration 5: one card, one copy (evidence/index/shared_cards.py).

Every imported card gets its identity (`digest`) and its place; copies of one card in
several files (or twice in one file) become one card with several places: the oldest row
stays, the outlines that named a copy name it instead, and the copies' passages go (their
vectors through `vector_deletes`, as for any deleted passage). Runs inside the migration's
transaction, so a library is converted whole or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from evidence.index.shared_cards import card_digest

DDL = [
    # Identity of an imported card; NULL for cut cards (stored beside their source).
    "ALTER TABLE cards ADD COLUMN digest TEXT",
    "CREATE INDEX cards_digest ON cards(digest)",
    "CREATE INDEX cards_passage ON cards(passage_id)",
    # Every place an imported card appears in: its file, position and offsets there.
    """CREATE TABLE card_places (
        id INTEGER PRIMARY KEY,
        card_id INTEGER NOT NULL REFERENCES cards(id) ON DELETE CASCADE,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        outline_path TEXT NOT NULL DEFAULT '[]',
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        body_offset INTEGER
    )""",
    "CREATE INDEX card_places_source ON card_places(source_id, ordinal)",
    "CREATE INDEX card_places_card ON card_places(card_id)",
    # A passage handed to another file keeps its vector; the vector's source is updated
    # after the commit (and at the next start if the process died in between).
    "CREATE TABLE vector_moves (passage_id INTEGER PRIMARY KEY)",
    """CREATE TRIGGER passages_au AFTER UPDATE OF text ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
    END""",
]


def migrate_shared_cards(conn: sqlite3.Connection) -> None:
    for statement in DDL:
        conn.execute(statement)
    rows = conn.execute(
        "SELECT c.id, c.source_id, c.passage_id, c.ordinal, c.kind, c.outline_path, c.tag, "
        "c.short_cite, c.full_cite, c.body, c.spans, c.body_offset, p.start, p.end "
        "FROM cards c JOIN passages p ON p.id = c.passage_id ORDER BY c.id"
    ).fetchall()
    keep: dict[str, int] = {}  # digest -> the card that stays
    copies: dict[int, tuple[int, int]] = {}  # copy's id -> (card that stays, copy's passage)
    for cid, sid, pid, ordinal, kind, path, tag, short, full, body, spans, offset, s, e in rows:
        marks = [(int(a), int(b), str(m)) for a, b, m, *_ in json.loads(spans)]
        digest = card_digest(kind, tag, short, full, body, marks)
        survivor = keep.setdefault(digest, cid)
        conn.execute(
            "INSERT INTO card_places (card_id, source_id, ordinal, outline_path, start, end, "
            "body_offset) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (survivor, sid, ordinal, path, s, e, offset),
        )
        if survivor == cid:
            conn.execute("UPDATE cards SET digest = ? WHERE id = ?", (digest, cid))
        else:
            copies[cid] = (survivor, pid)
    if not copies:
        return
    _rename_in_outlines(conn, {c: keep_id for c, (keep_id, _) in copies.items()})
    conn.executemany("DELETE FROM cards WHERE id = ?", ((c,) for c in copies))
    conn.executemany("DELETE FROM passages WHERE id = ?", ((p,) for _, p in copies.values()))


def _rename_in_outlines(conn: sqlite3.Connection, renamed: dict[int, int]) -> None:
    def walk(items: list[Any]) -> list[Any]:
        out: list[Any] = []
        for it in items:
            if "card" in it:
                out.append({"card": renamed.get(it["card"], it["card"])})
            else:
                out.append({**it, "children": walk(it["children"])})
        return out

    for sid, outline in conn.execute(
        "SELECT id, outline FROM sources WHERE outline IS NOT NULL"
    ).fetchall():
        conn.execute(
            "UPDATE sources SET outline = ? WHERE id = ?",
            (json.dumps(walk(json.loads(outline))), sid),
        )
