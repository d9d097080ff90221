"""The library database: sources, passages, the FTS5 index and the import queue, in SQLite.

SQLite is the source of truth. The vector index holds derived data only: it can always be
rebuilt from the passages here, which is what makes a kill at any moment recoverable.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from evidence.index.health import REPAIR_HINT, LibraryDamaged, closed, ensure_fit
from evidence.index.passages import PassageSpan
from evidence.index.records import IndexStatus, PassageRecord, SourceRecord
from evidence.index.schema import migrate
from evidence.index.shared_cards import passages_by_digest, rehome_cards
from evidence.parsers.document import ParsedDocument

_SOURCE_COLUMNS = (
    "s.id, s.origin, s.kind, s.title, s.authors, s.date, s.publication, s.url, "
    "s.word_count, s.imported_at, s.warnings, s.qualifications, s.accessed"
)
_N_SOURCE_COLUMNS = 13


# Bump when import reads files differently (2: Verbatim files become cards): unchanged files
# read by an older version are read again on the next import.
READER_VERSION = 2
# A kind of file whose reader changed since, alone: only its sources are read again
# (3: PDF review copies lose their margin line numbers, evidence/parsers/pdf_margins.py).
KIND_READER_VERSIONS: dict[str, int] = {"pdf": 3}


def reader_version(kind: str) -> int:
    """The version an import of this kind of source is read with today."""
    return max(READER_VERSION, KIND_READER_VERSIONS.get(kind, 0))


ExtraWrite = Callable[[sqlite3.Connection, int, list[int]], None]


class StoreError(Exception):
    """The database cannot be opened or is damaged; the message says what to do."""


class DamagedStoreError(StoreError, LibraryDamaged):
    """SQLite cannot open the file: damage, for `doctor --repair` (not a newer schema)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def word_count(text: str, chunk: int = 1 << 18) -> int:
    """len(text.split()), a piece at a time: a backfile's text is 16 MB and 2.5 M words,
    and one list of them all cost twice the time (memory) on the way to keyword search."""
    total, after_space = 0, True
    for at in range(0, len(text), chunk):
        piece = text[at : at + chunk]
        total += len(piece.split())
        if not after_space and not piece[0].isspace():
            total -= 1  # a word cut in two by the piece boundary
        after_space = piece[-1].isspace()
    return total


def _enable_wal(conn: sqlite3.Connection) -> None:
    # Switching a new database to WAL takes an exclusive lock and fails at once, without the
    # busy timeout, when another connection opens it at the same moment: retry briefly.
    for attempt in range(100):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.02)


class Store:
    def __init__(self, path: Path) -> None:
        """Open (creating a new library); LibraryDamaged when the file must not be opened
        (health.py: missing or empty beside vectors or backups, or failed its check after an
        unclean close), StoreError when SQLite cannot open it."""
        self.path = path
        self._closed = True
        ensure_fit(path)
        self._closed = False
        try:
            self.conn = sqlite3.connect(path, timeout=30.0)
            _enable_wal(self.conn)
            self.conn.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe in WAL
            self.conn.execute("PRAGMA foreign_keys=ON")
            migrate(self.conn)
        except RuntimeError as exc:  # a newer schema
            self.close()
            raise StoreError(f"the library database {path} cannot be opened ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            self.close()
            raise DamagedStoreError(
                f"the library database {path} cannot be opened ({exc}); it was left untouched. "
                f"{REPAIR_HINT[0].upper()}{REPAIR_HINT[1:]} from a backup."
            ) from exc

    def close(self) -> None:
        if hasattr(self, "conn"):
            self.conn.close()
        if not self._closed:  # the last close of the process marks a clean close
            self._closed = True
            closed(self.path)

    # -- sources ---------------------------------------------------------------------------

    def source_id_by_origin(self, origin: str) -> tuple[int, str, bool] | None:
        """(id, content hash, read by today's reader for its kind) of the source imported
        from `origin`."""
        row = self.conn.execute(
            "SELECT id, content_hash, reader_version, kind FROM sources WHERE origin = ?",
            (origin,),
        ).fetchone()
        return (row[0], row[1], row[2] >= reader_version(row[3])) if row else None

    def source_by_hash(self, content_hash: str) -> SourceRecord | None:
        row = self.conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE content_hash = ? LIMIT 1",
            (content_hash,),
        ).fetchone()
        return _source(row) if row else None

    def add_source(
        self,
        origin: str,
        content_hash: str,
        doc: ParsedDocument,
        spans: Sequence[PassageSpan],
        *,
        done_queue_path: str | None = None,
        embed_texts: Sequence[str | None] | None = None,
        extra: ExtraWrite | None = None,
        keys: Sequence[str | None] | None = None,
    ) -> int:
        """Store a source and its passages in one transaction, replacing an older version
        from the same origin, and take its path off the import queue in the same commit.

        `embed_texts[i]` replaces passage i's text for embedding; `extra(conn, source_id,
        passage_ids)` writes more rows (cards) inside the same transaction. `keys[i]` is
        passage i's card digest (shared_cards.py): a card the library already holds, in
        another file, the older version of this one or earlier in it, is not stored again,
        and `passage_ids[i]` is then its stored passage."""
        with self.conn:
            self._begin()
            old = self.conn.execute("SELECT id FROM sources WHERE origin = ?", (origin,)).fetchone()
            # The new version goes in beside the old one (under a name no path can have), so
            # the cards both hold move over with their passages and vectors before it goes.
            temp = origin if old is None else f"{origin}\0new"
            source_id = self._insert_source(temp, content_hash, doc)
            ids = self._insert_passages(source_id, doc.text, spans, embed_texts, keys)
            if extra is not None:
                extra(self.conn, source_id, ids)
            if old is not None:
                self._drop_source(int(old[0]), prefer=source_id)
                self.conn.execute("UPDATE sources SET origin = ? WHERE id = ?", (origin, source_id))
            if done_queue_path is not None:
                self.conn.execute("DELETE FROM import_queue WHERE path = ?", (done_queue_path,))
        return source_id

    def _insert_source(self, origin: str, content_hash: str, doc: ParsedDocument) -> int:
        cur = self.conn.execute(
            "INSERT INTO sources (origin, content_hash, kind, title, authors, date, "
            "publication, url, text, page_starts, word_count, warnings, imported_at, "
            "reader_version, qualifications, accessed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                origin,
                content_hash,
                str(doc.kind),
                doc.title,
                json.dumps(doc.authors),
                doc.date,
                doc.publication,
                doc.url,
                doc.text,
                json.dumps(doc.page_starts),
                word_count(doc.text),
                json.dumps(doc.warnings),
                _now(),
                reader_version(str(doc.kind)),
                doc.qualifications,
                doc.accessed,
            ),
        )
        return int(cur.lastrowid or 0)

    def _insert_passages(
        self,
        source_id: int,
        text: str,
        spans: Sequence[PassageSpan],
        embed_texts: Sequence[str | None] | None,
        keys: Sequence[str | None] | None,
    ) -> list[int]:
        """Passage ids in span order; a span whose key is already stored gets that passage."""
        embeds = list(embed_texts) if embed_texts is not None else [None] * len(spans)
        if keys is None:  # nothing to share (an article, a web page): all in one go
            self.conn.executemany(
                "INSERT INTO passages (source_id, ordinal, start, end, page, text, embed_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (source_id, i, s.start, s.end, s.page, text[s.start : s.end], e)
                    for i, (s, e) in enumerate(zip(spans, embeds, strict=True))
                ),
            )
            rows = self.conn.execute(
                "SELECT id FROM passages WHERE source_id = ? ORDER BY ordinal", (source_id,)
            )
            return [int(r[0]) for r in rows]
        digests = list(keys)
        held = passages_by_digest(self.conn, [k for k in digests if k is not None])
        ids: list[int] = []
        for i, (s, e, key) in enumerate(zip(spans, embeds, digests, strict=True)):
            if key is not None and key in held:
                ids.append(held[key])
                continue
            cur = self.conn.execute(
                "INSERT INTO passages (source_id, ordinal, start, end, page, text, embed_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (source_id, i, s.start, s.end, s.page, text[s.start : s.end], e),
            )
            ids.append(int(cur.lastrowid or 0))
            if key is not None:
                held[key] = ids[-1]
        return ids

    def _drop_source(self, source_id: int, prefer: int | None = None) -> bool:
        """Inside a transaction: the source goes, and with it every card no other source
        holds; a card another source holds moves there (shared_cards.rehome_cards)."""
        rehome_cards(self.conn, source_id, prefer)
        self.conn.execute("DELETE FROM passages WHERE source_id = ?", (source_id,))
        cur = self.conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return cur.rowcount > 0

    def remove_source(self, source_id: int) -> bool:
        with self.conn:
            self._begin()
            return self._drop_source(source_id)

    def _begin(self) -> None:
        """The write lock before the first read: which cards another file holds must not
        change between reading it and deleting (another process may be importing)."""
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")

    def sources(self, model_id: str | None = None) -> list[SourceRecord]:
        # A file's passages include the cards it shares with the file that owns them.
        rows = self.conn.execute(
            f"SELECT {_SOURCE_COLUMNS}, COUNT(p.id), "
            "COALESCE(SUM(p.embedded_with IS ? AND p.embedded_with IS NOT NULL), 0) "
            "FROM sources s LEFT JOIN ("
            "SELECT source_id AS sid, id FROM passages UNION ALL "
            "SELECT DISTINCT pl.source_id, c.passage_id FROM card_places pl "
            "JOIN cards c ON c.id = pl.card_id "
            "WHERE c.passage_id IS NOT NULL AND pl.source_id != c.source_id"
            ") held ON held.sid = s.id LEFT JOIN passages p ON p.id = held.id "
            "GROUP BY s.id ORDER BY s.id",
            (model_id,),
        ).fetchall()
        n = _N_SOURCE_COLUMNS
        return [_source(r[:n], passages=r[n], embedded=r[n + 1]) for r in rows]

    def source(self, source_id: int) -> SourceRecord | None:
        row = self.conn.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources s WHERE id = ?", (source_id,)
        ).fetchone()
        return _source(row) if row else None

    def source_text(self, source_id: int) -> str:
        row = self.conn.execute("SELECT text FROM sources WHERE id = ?", (source_id,)).fetchone()
        return str(row[0]) if row else ""

    def source_ids_where(self, date_from: str = "", date_to: str = "") -> list[int]:
        """Sources whose date lies in [date_from, date_to] (ISO prefixes; "" = open end)."""
        sql = "SELECT id FROM sources WHERE date != ''"
        args: list[object] = []
        if date_from:
            sql += " AND date >= ?"
            args.append(date_from)
        if date_to:
            # "2020" as an upper bound must admit "2020-12-31": compare against the prefix.
            sql += " AND substr(date, 1, ?) <= ?"
            args += [len(date_to), date_to]
        return [r[0] for r in self.conn.execute(sql, args)]

    # -- passages --------------------------------------------------------------------------

    def passages(self, ids: Iterable[int]) -> dict[int, PassageRecord]:
        id_list = list(ids)
        if not id_list:
            return {}
        marks = ",".join("?" * len(id_list))
        rows = self.conn.execute(
            "SELECT id, source_id, ordinal, start, end, page, text FROM passages "
            f"WHERE id IN ({marks})",
            id_list,
        ).fetchall()
        return {r[0]: PassageRecord(*r) for r in rows}

    def pending_passages(self, model_id: str, limit: int) -> list[PassageRecord]:
        """Passages without a vector from `model_id`; `text` is what to embed."""
        rows = self.conn.execute(
            "SELECT id, source_id, ordinal, start, end, page, COALESCE(embed_text, text) "
            "FROM passages "
            "WHERE embedded_with IS NULL OR embedded_with != ? ORDER BY id LIMIT ?",
            (model_id, limit),
        ).fetchall()
        return [PassageRecord(*r) for r in rows]

    def mark_embedded(self, ids: Sequence[int], model_id: str) -> None:
        with self.conn:
            self.conn.executemany(
                "UPDATE passages SET embedded_with = ? WHERE id = ?", ((model_id, i) for i in ids)
            )

    def unmark_embedded(self, ids: Sequence[int]) -> None:
        with self.conn:
            self.conn.executemany(
                "UPDATE passages SET embedded_with = NULL WHERE id = ?", ((i,) for i in ids)
            )

    def forget_embeddings(self) -> None:
        """Every passage needs a new vector (reindex, or the vector index was rebuilt)."""
        with self.conn:
            self.conn.execute("UPDATE passages SET embedded_with = NULL")

    def embedded_ids(self, model_id: str) -> set[int]:
        rows = self.conn.execute("SELECT id FROM passages WHERE embedded_with = ?", (model_id,))
        return {r[0] for r in rows}

    def lexical(
        self,
        match: str,
        limit: int,
        source_ids: Sequence[int] | None = None,
        *,
        scan_cap: int | None = None,
    ) -> list[tuple[int, float]]:
        """(passage id, bm25) best first; bm25 is negative, lower is better (FTS5's sign).

        With `scan_cap`, only the first `scan_cap` matches (in rowid order) are scored: a
        bounded-cost approximation for words so common that scoring every match is slow.
        """
        sql = "SELECT rowid, bm25(passages_fts) AS r FROM passages_fts WHERE passages_fts MATCH ?"
        args: list[object] = [match]
        if source_ids is not None:
            marks = ",".join("?" * len(source_ids))
            # A source's passages, and the cards it shares with a source that owns them.
            sql += (
                f" AND rowid IN (SELECT id FROM passages WHERE source_id IN ({marks}) "
                "UNION SELECT c.passage_id FROM card_places pl JOIN cards c ON c.id = pl.card_id "
                f"WHERE pl.source_id IN ({marks}))"
            )
            args += [*source_ids, *source_ids]
        if scan_cap is None:
            rows = self.conn.execute(sql + " ORDER BY r LIMIT ?", [*args, limit]).fetchall()
        else:
            rows = self.conn.execute(sql + " LIMIT ?", [*args, scan_cap]).fetchall()
            rows = sorted(rows, key=lambda r: r[1])[:limit]
        return [(r[0], r[1]) for r in rows]

    def match_count(self, match: str, cap: int) -> int:
        """How many passages match, counting no further than `cap` (cheap for any word)."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)",
            (match, cap),
        ).fetchone()
        return int(row[0])

    # -- vector deletes and the import queue ----------------------------------------------

    def vector_moves(self) -> list[tuple[int, int]]:
        """(passage id, its source now) of vectors whose passage moved to another file."""
        rows = self.conn.execute(
            "SELECT m.passage_id, p.source_id FROM vector_moves m "
            "JOIN passages p ON p.id = m.passage_id"
        )
        return [(r[0], r[1]) for r in rows]

    def clear_vector_moves(self, ids: Sequence[int]) -> None:
        """Moves done, and those of passages deleted since (their vector goes anyway)."""
        with self.conn:
            self.conn.executemany(
                "DELETE FROM vector_moves WHERE passage_id = ?", ((i,) for i in ids)
            )
            self.conn.execute(
                "DELETE FROM vector_moves WHERE passage_id NOT IN (SELECT id FROM passages)"
            )

    def vector_deletes(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT passage_id FROM vector_deletes")]

    def clear_vector_deletes(self, ids: Sequence[int]) -> None:
        with self.conn:
            self.conn.executemany(
                "DELETE FROM vector_deletes WHERE passage_id = ?", ((i,) for i in ids)
            )

    def enqueue(self, paths: Iterable[str]) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR IGNORE INTO import_queue (path, queued_at) VALUES (?, ?)",
                ((p, _now()) for p in paths),
            )

    def queued(self) -> list[tuple[str, int]]:
        """(path, attempts so far) in the order they were queued."""
        rows = self.conn.execute("SELECT path, attempts FROM import_queue ORDER BY rowid")
        return [(r[0], r[1]) for r in rows]

    def note_attempt(self, path: str, delta: int = 1) -> None:
        """Count a start on `path` (-1 takes back one that ended without a crash)."""
        with self.conn:
            self.conn.execute(
                "UPDATE import_queue SET attempts = MAX(0, attempts + ?) WHERE path = ?",
                (delta, path),
            )

    def dequeue(self, path: str) -> None:
        with self.conn:
            self.conn.execute("DELETE FROM import_queue WHERE path = ?", (path,))

    def status(self, model_id: str | None) -> IndexStatus:
        sources, passages, queued = self.conn.execute(
            "SELECT (SELECT COUNT(*) FROM sources), (SELECT COUNT(*) FROM passages), "
            "(SELECT COUNT(*) FROM import_queue)"
        ).fetchone()
        embedded = 0
        if model_id is not None:
            embedded = self.conn.execute(
                "SELECT COUNT(*) FROM passages WHERE embedded_with = ?", (model_id,)
            ).fetchone()[0]
        return IndexStatus(sources, passages, embedded, queued)


def _source(row: Sequence[object], passages: object = 0, embedded: object = 0) -> SourceRecord:
    return SourceRecord(
        id=int(str(row[0])),
        origin=str(row[1]),
        kind=str(row[2]),
        title=str(row[3]),
        authors=json.loads(str(row[4])),
        date=str(row[5]),
        publication=str(row[6]),
        url=str(row[7]),
        word_count=int(str(row[8])),
        imported_at=str(row[9]),
        warnings=json.loads(str(row[10])),
        qualifications=str(row[11]),
        accessed=str(row[12]),
        passages=int(str(passages)),
        embedded=int(str(embedded)),
    )
