"""The SQLite schema, applied by numbered migrations so later issues (cards) can add tables."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from evidence.index.schema_v5 import migrate_shared_cards

# Each entry upgrades the database from version i to i+1, inside one transaction: a script,
# or a function for a conversion SQL alone cannot do (it runs in the transaction it is given).
MIGRATIONS: list[str | Callable[[sqlite3.Connection], None]] = [
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        origin TEXT NOT NULL UNIQUE,        -- absolute path, or URL for web sources
        content_hash TEXT NOT NULL,         -- sha256 of the file's bytes
        kind TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        authors TEXT NOT NULL DEFAULT '[]', -- JSON list
        date TEXT NOT NULL DEFAULT '',      -- ISO 8601 prefix: YYYY[-MM[-DD]]
        publication TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL,
        page_starts TEXT NOT NULL DEFAULT '[]',
        word_count INTEGER NOT NULL,
        warnings TEXT NOT NULL DEFAULT '[]',
        imported_at TEXT NOT NULL
    );
    CREATE INDEX sources_hash ON sources(content_hash);
    CREATE INDEX sources_date ON sources(date);

    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        page INTEGER,
        text TEXT NOT NULL,
        embedded_with TEXT                  -- embedder model id once its vector is stored
    );
    CREATE INDEX passages_source ON passages(source_id, ordinal);
    CREATE INDEX passages_embedded ON passages(embedded_with);

    -- BM25 side of hybrid search; kept in step with passages by the triggers below.
    CREATE VIRTUAL TABLE passages_fts USING fts5(
        text, content='passages', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT OR IGNORE INTO vector_deletes(passage_id) SELECT old.id
            WHERE old.embedded_with IS NOT NULL;
    END;

    -- Vectors whose passage is gone: removed from the vector index after the SQLite commit,
    -- and again at the next start if the process died in between.
    CREATE TABLE vector_deletes (passage_id INTEGER PRIMARY KEY);

    -- Files an import still has to do; each row goes in the same transaction as its source,
    -- so an import killed half-way resumes where it stopped.
    CREATE TABLE import_queue (
        path TEXT PRIMARY KEY,
        queued_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0  -- a file that kills the process is not retried forever
    );
    """,
    # 2: cards from Verbatim files. A card is also a passage (tag + cite + body), so search,
    # FTS and vectors cover it; the passage embeds `embed_text` (tag + read text) instead.
    """
    ALTER TABLE passages ADD COLUMN embed_text TEXT;
    ALTER TABLE sources ADD COLUMN outline TEXT;    -- JSON: headings and card ids, in order
    -- Which importer read the file: an unchanged file read by an older one is read again.
    ALTER TABLE sources ADD COLUMN reader_version INTEGER NOT NULL DEFAULT 1;

    CREATE TABLE cards (
        id INTEGER PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        passage_id INTEGER REFERENCES passages(id) ON DELETE SET NULL,
        ordinal INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('card', 'analytic')),
        outline_path TEXT NOT NULL DEFAULT '[]',   -- JSON [[level, title], ...] above it
        tag TEXT NOT NULL DEFAULT '',
        short_cite TEXT NOT NULL DEFAULT '',
        full_cite TEXT NOT NULL DEFAULT '',
        body TEXT NOT NULL DEFAULT '',
        spans TEXT NOT NULL DEFAULT '[]',           -- JSON [[start, end, mark, colour], ...]
        warnings TEXT NOT NULL DEFAULT '[]',
        body_offset INTEGER                         -- where the body sits in the source text
    );
    CREATE INDEX cards_source ON cards(source_id, ordinal);
    """,
    # 3: web sources. Their cites name the authors' stated qualifications and the day the page
    # was fetched (a cite's access date is when it was read, not when the cite is printed).
    """
    ALTER TABLE sources ADD COLUMN qualifications TEXT NOT NULL DEFAULT '';
    ALTER TABLE sources ADD COLUMN accessed TEXT NOT NULL DEFAULT '';  -- ISO date, web only
    """,
    # 4: the import queue is shared by processes: a row belongs to the import working on it
    # (evidence/importing/queue.py); NULL or a dead owner's rows are left over for any import.
    """
    ALTER TABLE import_queue ADD COLUMN owner TEXT;
    """,
    # 5: one card, one copy: copies of a card in several files become one card with places.
    migrate_shared_cards,
    # 6: how many highlight findings (evidence/cards/highlight_check.py) an imported card has,
    # counted once at import so summaries and listings do not re-check every card. NULL: not
    # counted (analytics, cut cards, cards imported before this version).
    """
    ALTER TABLE cards ADD COLUMN highlight_findings INTEGER;
    """,
]


def migrate(conn: sqlite3.Connection) -> None:
    while True:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise RuntimeError(
                f"library database is version {version}, newer than this app "
                f"({len(MIGRATIONS)}): update Debate Prep"
            )
        if version == len(MIGRATIONS):
            return
        step = MIGRATIONS[version]
        try:
            if isinstance(step, str):
                conn.executescript(f"BEGIN;{step}PRAGMA user_version={version + 1};COMMIT;")
            else:
                _run_function(conn, step, version)
        except sqlite3.Error:
            if conn.in_transaction:
                conn.rollback()
            # Two connections opening a new library at once (the window's panels do): the
            # other one migrated while this one waited for the lock. Go on from its version.
            if conn.execute("PRAGMA user_version").fetchone()[0] > version:
                continue
            raise


def _run_function(
    conn: sqlite3.Connection, step: Callable[[sqlite3.Connection], None], version: int
) -> None:
    conn.execute("BEGIN IMMEDIATE")  # the write lock first: no other migration runs meanwhile
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == version:  # not done meanwhile
            step(conn)
            conn.execute(f"PRAGMA user_version={version + 1}")
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
