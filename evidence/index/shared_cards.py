"""One card, one copy: an imported card found in several files is stored once.

A card row (with its passage, FTS row and vector) belongs to one source, its owner; every
place it appears in, the owner's included, is a row of `card_places` (source, ordinal,
outline path and offsets in that source's laid-out text). Removing or replacing the owner
hands the card to another place ("rehoming") instead of deleting it; the last place going
takes the card with it. Plain SQL over the schema, so the store can use it without knowing
the card types (evidence/cards imports the index, never the other way).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# SQLite's default limit on bound variables is 32766; stay well below it.
CHUNK = 900


def _norm(text: str) -> str:
    # The same as re.sub(r"\s+", " ", text).strip() (both split on str.isspace), about 5x
    # faster: a 3,000-card import normalises 320k marked spans. Most spans are normal
    # already: every whitespace character but " " is unprintable (categories Cc and Z), so
    # a printable text without doubled, leading or trailing spaces is returned as it is.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def card_digest(
    kind: str,
    tag: str,
    short_cite: str,
    full_cite: str,
    body: str,
    spans: Iterable[tuple[int, int, str]],
) -> str:
    """What makes two imported cards the same card, whitespace aside: the tag (what is read
    and searched first), the cite, the body and the words each mark covers. A copy retagged
    or cut differently is a different card to a debater, and one stored passage could not
    hold both tags."""
    marks: dict[str, list[str]] = {}
    for start, end, mark in sorted(spans):
        marks.setdefault(str(mark), []).append(_norm(body[start:end]))
    fields = [kind, _norm(tag), _norm(short_cite), _norm(full_cite), _norm(body)]
    fields += [f"{m}:{' | '.join(marks[m])}" for m in sorted(marks)]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def passages_by_digest(conn: sqlite3.Connection, digests: Iterable[str]) -> dict[str, int]:
    """The stored passage of each digest the library already holds."""
    keys = list(dict.fromkeys(digests))
    out: dict[str, int] = {}
    for i in range(0, len(keys), CHUNK):
        part = keys[i : i + CHUNK]
        rows = conn.execute(
            "SELECT digest, passage_id FROM cards WHERE passage_id IS NOT NULL "
            f"AND digest IN ({','.join('?' * len(part))})",
            part,
        )
        out.update((str(r[0]), int(r[1])) for r in rows)
    return out


def rehome_cards(conn: sqlite3.Connection, source_id: int, prefer: int | None = None) -> int:
    """Before `source_id` goes: each card it owns that another source also holds moves to
    that source (`prefer` first, e.g. the new version of the same file), with its passage,
    so the passage keeps its id, FTS row and vector. Returns how many moved. Runs inside the
    caller's transaction; a moved passage's vector is queued in `vector_moves`."""
    rows = conn.execute(
        "SELECT c.id, c.passage_id, pl.source_id, pl.ordinal, pl.outline_path, pl.start, "
        "pl.end, pl.body_offset FROM cards c JOIN card_places pl ON pl.card_id = c.id "
        "WHERE c.source_id = ? AND pl.source_id != ? "
        "ORDER BY c.id, pl.source_id != ?, pl.source_id, pl.ordinal",
        (source_id, source_id, prefer if prefer is not None else -1),
    ).fetchall()
    texts: dict[int, str] = {}
    moved: set[int] = set()
    for card_id, pid, target, ordinal, path, start, end, body_offset in rows:
        if card_id in moved:
            continue
        moved.add(card_id)
        conn.execute(
            "UPDATE cards SET source_id = ?, ordinal = ?, outline_path = ?, body_offset = ? "
            "WHERE id = ?",
            (target, ordinal, path, body_offset, card_id),
        )
        if pid is None:
            continue
        if target not in texts:
            texts[target] = str(
                conn.execute("SELECT text FROM sources WHERE id = ?", (target,)).fetchone()[0]
            )
        # The text is the same but for whitespace; the target's own slice keeps a passage
        # equal to its source's text at its offsets (passages_au keeps FTS in step).
        conn.execute(
            "UPDATE passages SET source_id = ?, ordinal = ?, start = ?, end = ?, text = ? "
            "WHERE id = ?",
            (target, ordinal, start, end, texts[target][start:end], pid),
        )
        conn.execute(
            "INSERT OR IGNORE INTO vector_moves(passage_id) SELECT id FROM passages "
            "WHERE id = ? AND embedded_with IS NOT NULL",
            (pid,),
        )
    return len(moved)


@dataclass(frozen=True)
class Place:
    """Where a card appears: a file and its pocket ▸ hat ▸ block path there."""

    source_id: int
    title: str  # the source's title, or its file name
    origin: str
    path: list[tuple[int, str]]
    ordinal: int


def places_for_passages(
    conn: sqlite3.Connection, passage_ids: Sequence[int]
) -> dict[int, list[Place]]:
    """Every place of the cards these passages are, the owner's first, in file order."""
    out: dict[int, list[Place]] = {}
    ids = list(dict.fromkeys(passage_ids))
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        rows = conn.execute(
            "SELECT c.passage_id, pl.source_id, s.title, s.origin, pl.outline_path, pl.ordinal "
            "FROM cards c JOIN card_places pl ON pl.card_id = c.id "
            "JOIN sources s ON s.id = pl.source_id "
            f"WHERE c.passage_id IN ({','.join('?' * len(part))}) "
            "ORDER BY c.passage_id, pl.source_id != c.source_id, pl.source_id, pl.ordinal",
            part,
        )
        for pid, sid, title, origin, path, ordinal in rows:
            name = str(title) or str(origin).replace("\\", "/").rsplit("/", 1)[-1]
            steps = [(int(level), str(t)) for level, t in json.loads(path)]
            out.setdefault(int(pid), []).append(Place(sid, name, origin, steps, ordinal))
    return out


def owners_placed_in(conn: sqlite3.Connection, source_ids: Sequence[int]) -> set[int]:
    """Sources owning a card that one of `source_ids` also holds (for filtered searches)."""
    out: set[int] = set()
    ids = list(source_ids)
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        rows = conn.execute(
            "SELECT DISTINCT c.source_id FROM card_places pl JOIN cards c ON c.id = pl.card_id "
            f"WHERE pl.source_id IN ({','.join('?' * len(part))}) AND c.source_id != pl.source_id",
            part,
        )
        out.update(int(r[0]) for r in rows)
    return out


def passages_held_by(
    conn: sqlite3.Connection, passage_ids: Sequence[int], source_ids: Sequence[int]
) -> set[int]:
    """Those passages that belong to, or are a card placed in, one of `source_ids`."""
    if not passage_ids or not source_ids:
        return set()
    pm, sm = ",".join("?" * len(passage_ids)), ",".join("?" * len(source_ids))
    rows = conn.execute(
        f"SELECT id FROM passages WHERE id IN ({pm}) AND source_id IN ({sm}) "
        "UNION SELECT c.passage_id FROM cards c JOIN card_places pl ON pl.card_id = c.id "
        f"WHERE c.passage_id IN ({pm}) AND pl.source_id IN ({sm})",
        [*passage_ids, *source_ids, *passage_ids, *source_ids],
    )
    return {int(r[0]) for r in rows}
