"""Storing cards the agents cut: all of a run's cards in one transaction, so a cancelled or
killed run leaves either whole cards or none."""

from __future__ import annotations

import json
from collections.abc import Sequence

from evidence.cards.card import Card
from evidence.index.store import Store


def store_cut_cards(store: Store, cards: Sequence[Card], heading: str) -> list[int]:
    """Each card is filed under its own source (the one its body came from), in a Block
    named `heading`. Returns the cards' ids: a card an earlier cut already stored (the same
    source, body and cite, e.g. the same cut run again) keeps its id and is not stored twice.
    A debater's own imported card (a passage of its own) that a cut reuses is still filed
    under the cut's heading, so the run's result can be found as one block."""
    ids: list[int] = []
    path = json.dumps([[3, heading]])
    with store.conn:
        for card in cards:
            if card.source_id is None or card.source_offset is None:
                raise ValueError("a cut card must name its source and body offset")
            same = store.conn.execute(
                "SELECT id FROM cards WHERE source_id = ? AND kind = 'card' AND body = ? "
                "AND full_cite = ? AND short_cite = ? AND passage_id IS NULL ORDER BY id LIMIT 1",
                (card.source_id, card.body, card.full_cite, card.short_cite),
            ).fetchone()
            if same is not None:
                ids.append(int(same[0]))
                continue
            ordinal = store.conn.execute(
                "SELECT COALESCE(MAX(ordinal), -1) + 1 FROM cards WHERE source_id = ?",
                (card.source_id,),
            ).fetchone()[0]
            cur = store.conn.execute(
                "INSERT INTO cards (source_id, passage_id, ordinal, kind, outline_path, tag, "
                "short_cite, full_cite, body, spans, warnings, body_offset) "
                "VALUES (?, NULL, ?, 'card', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    card.source_id, ordinal, path, card.tag,
                    card.short_cite, card.full_cite, card.body,
                    json.dumps([[s.start, s.end, str(s.mark), s.color] for s in card.spans]),
                    json.dumps(card.warnings), card.source_offset,
                ),
            )  # fmt: skip
            ids.append(int(cur.lastrowid or 0))
    return ids
