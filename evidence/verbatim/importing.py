"""Turn a Verbatim .docx into a card source: the laid-out outline as text, a passage per card."""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass

from evidence.cards.store import (
    ExtraWriteFn,
    Layout,
    embed_text,
    layout,
    write_cards,
)
from evidence.index.passages import PassageSpan
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.verbatim.reader import is_verbatim, read_verbatim


@dataclass
class CardSource:
    doc: ParsedDocument
    spans: list[PassageSpan]
    embed_texts: list[str | None]
    extra: ExtraWriteFn
    cards: int
    plan: Layout
    keys: list[str | None]  # each passage's card digest: a card the library holds is kept once


def as_card_source(data: bytes, article: ParsedDocument, max_bytes: int) -> CardSource | None:
    """The file's cards, from the same bytes `article` was parsed from; None when the file has
    no Verbatim structure (it then imports as an article)."""
    if article.kind != SourceKind.DOCX or not is_verbatim(data):
        return None
    cards_doc = read_verbatim(data, max_bytes=max_bytes)
    plan = layout(cards_doc)
    if not plan.placements:
        return None
    doc = ParsedDocument(
        kind=SourceKind.DOCX,
        text=plan.text,
        title=article.title or cards_doc.title,
        authors=article.authors,
        date=article.date,
        publication=article.publication,
        url=article.url,
        warnings=[*article.warnings, *cards_doc.warnings],
        extra={**article.extra, "format": "verbatim"},
    )
    spans = [PassageSpan(p.start, p.end, None) for p in plan.placements]
    return CardSource(
        doc=doc,
        spans=spans,
        embed_texts=[embed_text(p.node) for p in plan.placements],
        extra=functools.partial(_write_cards, plan=plan),
        cards=len(cards_doc.cards()),
        plan=plan,
        keys=list[str | None](plan.digests),
    )


def _write_cards(
    conn: sqlite3.Connection, source_id: int, passage_ids: list[int], *, plan: Layout
) -> None:
    write_cards(conn, source_id, passage_ids, plan)
