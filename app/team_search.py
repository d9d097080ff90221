"""The search panel's scope: Mine, Team or Both (Qt-free, run in the panel's job).

Team hits become ResultItems marked with who shared them (passage id -1: they are not in this
library until pulled). Both merges the two rankings by reciprocal rank, and drops a team hit
whose file this library already holds. A team failure in Both leaves the local results and
says why; the local library never waits on the server for more than its timeout."""

from __future__ import annotations

from enum import StrEnum

from app.context import AppContext
from app.search import ResultItem, SearchRequest, SearchResult, run_search
from app.team import search_team
from evidence.cards.card import Card, Mark, Span
from evidence.errors import EvidenceError
from evidence.index.search import RRF_K, SearchHit
from evidence.index.snippets import make_snippet, query_terms
from evidence.team.search import TeamHit

TEAM_PASSAGE_ID = -1  # not a passage of this library


class Scope(StrEnum):
    MINE = "mine"
    TEAM = "team"
    BOTH = "both"


def run_scoped_search(ctx: AppContext, request: SearchRequest, scope: Scope) -> SearchResult:
    mine = run_search(ctx, request) if scope != Scope.TEAM else None
    if scope == Scope.MINE:
        assert mine is not None
        return mine
    try:
        team = search_team(ctx, request.query, request.k)
    except EvidenceError as exc:
        note = f"team library unavailable: {exc}"
        if mine is None:
            return SearchResult(request, [], note)
        return SearchResult(request, mine.items, "; ".join(x for x in (mine.note, note) if x))
    team_items = [team_item(h, request.query) for h in _not_mine(ctx, team)]
    if mine is None:
        return SearchResult(request, team_items, "team library (meaning only)")
    return SearchResult(request, merge(mine.items, team_items, request.k), mine.note)


def _not_mine(ctx: AppContext, hits: list[TeamHit]) -> list[TeamHit]:
    lib = ctx.open_library()
    try:
        return [h for h in hits if lib.store.source_by_hash(h.source_hash) is None]
    finally:
        lib.close()


def merge(mine: list[ResultItem], team: list[ResultItem], k: int) -> list[ResultItem]:
    """Both rankings by reciprocal rank (k = 60), the library's first on a tie."""
    ranked = [(1 / (RRF_K + r), 0, r, it) for r, it in enumerate(mine, 1)]
    ranked += [(1 / (RRF_K + r), 1, r, it) for r, it in enumerate(team, 1)]
    ranked.sort(key=lambda x: (-x[0], x[1], x[2]))
    return [it for *_, it in ranked[:k]]


def team_item(hit: TeamHit, query: str) -> ResultItem:
    snippet, marks = make_snippet(hit.text, query_terms(query))
    as_hit = SearchHit(
        TEAM_PASSAGE_ID, -1, hit.source, f"team://{hit.source_hash[:16]}", hit.page, 0,
        len(hit.text), 1.0 - hit.distance, None, None, snippet, marks,
    )  # fmt: skip
    warnings = ["from the team library: pull it to keep it offline"]
    if hit.kind == "card":
        spans = [Span(int(s), int(e), Mark(m), c) for s, e, m, c in hit.spans]
        card = Card(hit.tag, hit.short_cite, hit.full_cite, hit.body, spans, warnings)
    else:
        card = Card(hit.tag, "", "", hit.body, [], [*warnings, "cite: pull the source first"])
    return ResultItem(as_hit, card, hit.kind == "card", hit.shared_by)
