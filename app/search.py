"""One search, as the search panel's job runs it (Qt-free): the hits, and for each the card
that Enter opens, read in the same worker thread so opening a result needs no database."""

from __future__ import annotations

from dataclasses import dataclass

from app.context import AppContext
from evidence.cards.card import Card
from evidence.cards.cite import build_cite
from evidence.cards.store import load_cards_for_passages
from evidence.errors import EvidenceError
from evidence.index.records import PassageRecord, SourceRecord
from evidence.index.search import SearchFilters, SearchHit
from evidence.library import Library

DEFAULT_K = 25


@dataclass(frozen=True)
class SearchRequest:
    seq: int  # newer requests have larger numbers; the panel drops older answers
    query: str
    filters: SearchFilters
    k: int = DEFAULT_K


@dataclass(frozen=True)
class ResultItem:
    hit: SearchHit
    card: Card  # an imported card with its marks, or the passage as a new card
    imported: bool
    shared_by: str = ""  # a team hit: who shared it (it is not in this library)


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    items: list[ResultItem]
    note: str  # why the search is keyword-only, or ""


def run_search(ctx: AppContext, request: SearchRequest) -> SearchResult:
    lib = ctx.open_library()
    try:
        mode, note = "hybrid", ""
        try:
            lib.vectors()  # loads the embedder too
        except EvidenceError as exc:
            mode, note = "lexical", f"keyword search only (no embedding model: {exc})"
        hits = lib.search(request.query, request.k, request.filters, mode=mode)
        return SearchResult(request, result_items(lib, hits), note)
    finally:
        lib.close()


def list_sources(ctx: AppContext) -> list[SourceRecord]:
    """The library's sources for the filter (without loading a model)."""
    lib = ctx.open_library()
    try:
        return lib.store.sources()
    finally:
        lib.close()


def result_items(lib: Library, hits: list[SearchHit]) -> list[ResultItem]:
    rows = {
        r.passage_id: r
        for r in load_cards_for_passages(lib.store.conn, [h.passage_id for h in hits])
    }
    passages = lib.store.passages(h.passage_id for h in hits if h.passage_id not in rows)
    sources: dict[int, SourceRecord | None] = {}
    items: list[ResultItem] = []
    for hit in hits:
        row = rows.get(hit.passage_id)
        if row is not None:
            node = row.node
            if isinstance(node, Card):
                card = node
            else:  # an analytic: the debater's own words, opened as a card without a cite
                card = Card(node.tag, "", "", node.text, warnings=["analytic: no cite"])
                card.source_id = row.source_id
            items.append(ResultItem(hit, card, True))
            continue
        passage = passages.get(hit.passage_id)
        if passage is None:
            continue
        if hit.source_id not in sources:
            sources[hit.source_id] = lib.store.source(hit.source_id)
        items.append(ResultItem(hit, passage_card(sources[hit.source_id], passage), False))
    return items


def passage_card(source: SourceRecord | None, passage: PassageRecord) -> Card:
    """A new card from a passage: its words verbatim, the cite from the source, no tag yet."""
    short, full, warnings = "", "", []
    if source is not None:
        cite = build_cite(source, passage.page)
        short, full = cite.short, cite.full
        if cite.missing:
            warnings.append("cite incomplete: no " + ", ".join(cite.missing))
    return Card("", short, full, passage.text, [], warnings, passage.source_id, passage.start)
