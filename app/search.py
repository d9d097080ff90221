"""One search, as the search panel's job and `debate-prep search` run it (Qt-free): the hits
above the relevance floor, and for each the card that Enter opens (with its tag, short cite
and place in its file), read in the same worker thread so opening a result needs no database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import PurePath

from agents.team.reviewer import cosine
from agents.team.searcher import MIN_RELEVANCE
from app.context import AppContext
from evidence.cards.card import Card
from evidence.cards.cite import build_cite
from evidence.cards.store import load_cards_for_passages
from evidence.errors import EvidenceError
from evidence.index.records import PassageRecord, SourceRecord
from evidence.index.search import SearchFilters, SearchHit
from evidence.index.snippets import make_snippet, matches_all, query_terms
from evidence.library import Library

DEFAULT_K = 25
PLACE_SEP = " ▸ "


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
    place: tuple[str, ...] = ()  # an imported card's pocket, hat and block titles
    analytic: bool = False  # the debater's own words under a tag, no cite

    @property
    def also_in(self) -> tuple[str, ...]:
        """Other files holding the same card (one card, one copy: the store's `also_in`)."""
        return tuple(getattr(self.hit, "also_in", ()) or ())

    def where(self) -> str:
        """file ▸ pocket ▸ hat ▸ block for a card; the source (and a PDF's page) otherwise.
        A .docx or web page has no pages: nothing is said about them."""
        if self.place:
            return PLACE_SEP.join((PurePath(self.hit.origin).name, *self.place))
        page = f", p. {self.hit.page}" if self.hit.page else ""
        return self.hit.source_title + page

    def also_text(self) -> str:
        n = len(self.also_in)
        return f"also in {n} file{'s' * (n != 1)}" if n else ""


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
        hits = search_floored(lib, request.query, request.k, request.filters, mode)
        return SearchResult(request, result_items(lib, hits, request.query), note)
    finally:
        lib.close()


def search_floored(
    lib: Library, query: str, k: int, filters: SearchFilters | None = None, mode: str = "hybrid"
) -> list[SearchHit]:
    """The library's search, without the hits that are not about the query at all.

    Fusion ranks whatever exists (nearest neighbours always do, and a passage holding one
    common query word ranks on it), so a query the library knows nothing about would list
    heading fragments. With meaning search on, a hit stays if it holds every content word of
    the query, or if its stored vector is at least the Searcher's floor (MIN_RELEVANCE,
    cosine with the query); a passage not embedded yet needs every word. Keyword mode is
    what the debater asked for: no floor. (bench/search_floor.py measures it.)"""
    hits = lib.search(query, k, filters, mode=mode)
    return hits if mode == "lexical" else above_floor(lib, query, hits)


def above_floor(
    lib: Library,
    query: str,
    hits: list[SearchHit],
    floor: float = MIN_RELEVANCE,
    *,
    every_word: bool = True,
) -> list[SearchHit]:
    """The hits that hold every query word (unless `every_word` is off: the bench's
    cosine-only variant) or whose stored vector is `floor` or nearer to the query's."""
    if not hits:
        return hits
    try:
        embedder, vectors = lib.embedder(), lib.vectors()
    except EvidenceError:  # keyword search only (no model): as the debater typed it
        return hits
    texts = lib.store.passages(h.passage_id for h in hits)
    worded = {
        h.passage_id
        for h in hits
        if every_word and h.passage_id in texts and matches_all(texts[h.passage_id].text, query)
    }
    rest = [h.passage_id for h in hits if h.passage_id not in worded]
    vectors_of = getattr(vectors, "vectors_of", None)
    stored = vectors_of(rest) if rest and vectors_of is not None else {}
    if stored:
        qvec = embedder.embed([query])[0]
        worded.update(p for p, vec in stored.items() if cosine(qvec, vec) >= floor)
    return [h for h in hits if h.passage_id in worded]


def list_sources(ctx: AppContext) -> list[SourceRecord]:
    """The library's sources for the filter (without loading a model)."""
    lib = ctx.open_library()
    try:
        return lib.store.sources()
    finally:
        lib.close()


def result_items(lib: Library, hits: list[SearchHit], query: str = "") -> list[ResultItem]:
    """Each hit with what opens it; a card's snippet is cut from its body (its tag and cite
    are shown beside it, not repeated in the snippet)."""
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
            place = tuple(title for _, title in row.path)
            if isinstance(node, Card) and query:
                snippet, marks = make_snippet(card.body, query_terms(query))
                hit = replace(hit, snippet=snippet, marks=marks)
            analytic = not isinstance(node, Card)
            items.append(ResultItem(hit, card, True, place=place, analytic=analytic))
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
