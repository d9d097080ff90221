"""Turn a Verbatim .docx into a card source: the laid-out outline as text, a passage per card."""

from __future__ import annotations

import functools
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from evidence.cards.card import Card, CardDocument
from evidence.cards.store import (
    ExtraWriteFn,
    Layout,
    embed_text,
    layout,
    write_cards,
)
from evidence.errors import EvidenceError
from evidence.index.passages import PassageSpan
from evidence.parsers import parse_bytes
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.parsers.docx import package_metadata
from evidence.parsers.sniff import sniff_bytes
from evidence.verbatim.reader import is_verbatim, read_if_verbatim, read_verbatim


class ParseFn(Protocol):
    def __call__(self, data: bytes, *, file_name: str, max_bytes: int) -> ParsedDocument: ...


@dataclass
class CardSource:
    doc: ParsedDocument
    spans: list[PassageSpan]
    embed_texts: list[str | None]
    extra: ExtraWriteFn
    cards: int
    plan: Layout
    keys: list[str | None]  # each passage's card digest: a card the library holds is kept once
    # The cards the store inserted (not those it already held), with their ids: their
    # highlight is checked once the file is searchable (evidence/cards/flagged.py).
    inserted: list[tuple[int, Card]] = field(default_factory=list)
    # The file's parsed XML, kept alive until the importer has stored the file: freeing it
    # is then off the way to keyword search (read_if_verbatim's `hold`).
    held: list[object] = field(default_factory=list)

    def __getstate__(self) -> dict[str, object]:
        # Sent back from a child reader (importing/isolated.py): the XML stays behind there.
        return {**self.__dict__, "held": []}


def read_card_source(
    data: bytes, file_name: str, max_bytes: int, parse: ParseFn = parse_bytes
) -> tuple[ParsedDocument, CardSource | None]:
    """The file parsed, and its cards when it is a Verbatim file: what parse_bytes and then
    as_card_source give, but a Word file's body parsed once, not three times (the generic
    parser, is_verbatim, read_verbatim: 1.7 of 7.3 CPU seconds on a 3,000-card backfile).
    Any problem sends the file down the old path, which says why as it always did."""
    if sniff_bytes(data) is SourceKind.DOCX:
        held: list[object] = []
        try:
            cards_doc, article = _verbatim_and_metadata(data, file_name, max_bytes, held)
        except EvidenceError:
            pass  # the old path below reads it, failing as it always did
        else:
            source = None
            if cards_doc is not None and article is not None:
                source = _card_source(article, cards_doc)
            if source is not None:
                source.held.extend(held)
                return source.doc, source
            return parse(data, file_name=file_name, max_bytes=max_bytes), None  # an article
    doc = parse(data, file_name=file_name, max_bytes=max_bytes)
    return doc, as_card_source(data, doc, max_bytes)


def _verbatim_and_metadata(
    data: bytes, file_name: str, max_bytes: int, hold: list[object]
) -> tuple[CardDocument | None, ParsedDocument | None]:
    """The cards (None: not a Verbatim file) and the generic parser's checks and metadata,
    its body parse aside (None when not needed). The metadata is read in a thread while the
    body's inflate and XML parse run without the GIL (0.1 s of a 3,000-card backfile's way to
    keyword search), and only once the package has passed the zip-bomb check."""
    with ThreadPoolExecutor(1, thread_name_prefix="docx-metadata") as pool:
        metadata: list[Future[ParsedDocument]] = []

        def checked() -> None:
            metadata.append(pool.submit(package_metadata, data, file_name=file_name))

        cards_doc = read_if_verbatim(data, max_bytes=max_bytes, on_checked=checked, hold=hold)
        if cards_doc is None:
            return None, None
        return cards_doc, metadata[0].result()


def as_card_source(data: bytes, article: ParsedDocument, max_bytes: int) -> CardSource | None:
    """The file's cards, from the same bytes `article` was parsed from; None when the file has
    no Verbatim structure (it then imports as an article)."""
    if article.kind != SourceKind.DOCX or not is_verbatim(data):
        return None
    return _card_source(article, read_verbatim(data, max_bytes=max_bytes))


def _card_source(article: ParsedDocument, cards_doc: CardDocument) -> CardSource | None:
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
    inserted: list[tuple[int, Card]] = []
    return CardSource(
        doc=doc,
        spans=spans,
        embed_texts=[embed_text(p.node) for p in plan.placements],
        extra=functools.partial(_write_cards, plan=plan, inserted=inserted),
        cards=len(cards_doc.cards()),
        plan=plan,
        keys=list[str | None](plan.digests),
        inserted=inserted,
    )


def _write_cards(
    conn: sqlite3.Connection,
    source_id: int,
    passage_ids: list[int],
    *,
    plan: Layout,
    inserted: list[tuple[int, Card]],
) -> None:
    inserted[:] = write_cards(conn, source_id, passage_ids, plan)
