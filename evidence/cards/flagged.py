"""Imported cards whose highlight the checker flags (evidence/cards/highlight_check.py),
from the count stored with each card at import (cards.highlight_findings), so an import
summary or a listing reads a column instead of checking thousands of cards again.

A card stored before that column existed has no count (NULL): it is checked when asked, and
the count is kept then.
Cut cards (no digest) are the cutter's, not the debater's, and are left out.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence

from evidence.cards.card import Card
from evidence.cards.highlight_check import check_card
from evidence.cards.store import CardRow, load_cards_by_id

log = logging.getLogger(__name__)

# The cards a set of sources holds: those they own and those they share with another file.
_HELD = (
    "SELECT DISTINCT c.id, c.highlight_findings FROM cards c "
    "JOIN card_places pl ON pl.card_id = c.id "
    "WHERE c.kind = 'card' AND c.digest IS NOT NULL AND pl.source_id IN ({marks}) "
    "AND (c.highlight_findings IS NULL OR c.highlight_findings > 0)"
)


def store_counts(conn: sqlite3.Connection, cards: Sequence[tuple[int, Card]]) -> None:
    """Check the cards an import just stored and keep each one's count, in a transaction of
    its own after the file's: the file is searchable meanwhile (the check is most of a
    3,000-card import's time), and a card left NULL by a kill is checked when listed."""
    rows = [(len(check_card(card)), card_id) for card_id, card in cards]
    with conn:
        conn.executemany(
            "UPDATE cards SET highlight_findings = ? WHERE id = ? AND highlight_findings IS NULL",
            rows,
        )


def flagged_card_ids(conn: sqlite3.Connection, source_ids: Sequence[int] | None) -> list[int]:
    """Ids of the flagged cards these sources hold (every source's when None), in id order."""
    if source_ids is None:
        source_ids = [int(r[0]) for r in conn.execute("SELECT id FROM sources")]
    ids: list[int] = []
    unknown: list[int] = []
    # In chunks: SQLite caps the number of parameters of one statement.
    for at in range(0, len(source_ids), 500):
        chunk = list(source_ids[at : at + 500])
        sql = _HELD.format(marks=",".join("?" * len(chunk)))
        for card_id, count in conn.execute(sql, chunk):
            (unknown if count is None else ids).append(int(card_id))
    counted = [(_count(r), r.id) for r in load_cards_by_id(conn, sorted(set(unknown)))]
    _keep(conn, counted)
    ids += [card_id for count, card_id in counted if count]
    return sorted(set(ids))


def _keep(conn: sqlite3.Connection, counted: Sequence[tuple[int, int]]) -> None:
    """Store counts made while listing, so the next listing reads them: after a migration
    that sets them to NULL (a rule change), the library is checked once, not every time.
    Only a shortcut: left out inside the caller's transaction or when the library is busy."""
    if not counted or conn.in_transaction:
        return
    try:
        with conn:
            conn.executemany(
                "UPDATE cards SET highlight_findings = ? WHERE id = ? "
                "AND highlight_findings IS NULL",
                counted,
            )
    except sqlite3.OperationalError as exc:  # locked past the timeout, read-only, ...
        log.info("highlight counts not kept: %s", exc)


def flagged_cards(conn: sqlite3.Connection, source_ids: Sequence[int] | None) -> list[CardRow]:
    """The flagged cards themselves, in id order (their findings are for the caller to
    compute: a handful of cards, not the whole library)."""
    return load_cards_by_id(conn, flagged_card_ids(conn, source_ids))


def _count(row: CardRow) -> int:
    return len(check_card(row.node)) if isinstance(row.node, Card) else 0
