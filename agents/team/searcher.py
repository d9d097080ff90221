"""The Searcher's library side: hybrid search for a claim, kept only where the passage is
about the claim at all, best first, never a passage the run already cut."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from agents.team.reviewer import cosine
from agents.team.tasks import CutTask
from agents.team.team import RunBudget, Team
from evidence.cards.card import Card, Mark
from evidence.cards.store import analytic_passage_ids, load_cards_for_passages
from evidence.index.embedding import Embedder
from evidence.index.search import SearchFilters, SearchHit
from evidence.library import Library

MIN_RELEVANCE = 0.25  # cosine(claim, passage) below which a passage is not evidence for it
# cosine(claim, the card's read text) below which the card is no evidence for the claim:
# bench/relevance_floor.py fits 0.274 on real tag/card pairs (held out: precision 84.6,
# recall 80.7); a little lower so a debater's own card at the edge (0.270) is not refused.
CARD_FLOOR = 0.26
Bonus = Callable[[str], float]  # extra relevance for a passage's text (e.g. answer cues)


def find_passages(
    team: Team, queries: list[str], task: CutTask, run: RunBudget, bonus: Bonus | None
) -> list[SearchHit]:
    """Relevant passages for the task's claim that the run has not cut, best first; a card
    that two files hold (a team copies cards between its files) comes back once, and never
    again once the run has cut it."""
    hits = _search(team.library, queries, task)
    unused = [h for h in hits if h.passage_id not in run.used]
    return _once_each(team.library, relevant(team, task.claim, unused, bonus), run.texts)


def text_key(text: str) -> str:
    """What makes two passages the same evidence: their words, whatever the spacing and case."""
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def passage_keys(library: Library, passage_ids: list[int]) -> dict[int, str]:
    """Each passage's `text_key`: an imported card's body (its tag and cite differ between
    files), else the passage's text."""
    bodies = {
        row.passage_id: row.node.body
        for row in load_cards_for_passages(library.store.conn, passage_ids)
        if row.passage_id is not None and isinstance(row.node, Card)
    }
    texts = library.store.passages(passage_ids)
    return {
        pid: text_key(bodies.get(pid) or texts[pid].text) for pid in passage_ids if pid in texts
    }


def _once_each(library: Library, hits: list[SearchHit], seen: set[str]) -> list[SearchHit]:
    keys = passage_keys(library, [h.passage_id for h in hits])
    out: list[SearchHit] = []
    taken = set(seen)
    for hit in hits:
        key = keys.get(hit.passage_id, "")
        if key in taken:
            continue
        taken.add(key)
        out.append(hit)
    return out


def lacking(task: CutTask, found: int, have: int) -> bool:
    """Too few passages for the cards still needed: then the web may fill the gap."""
    # A task tied to one source never goes to the web: the user chose the text. (A task tied
    # to one passage never searches at all: cut_rounds.cut_passage.)
    return task.source_id is None and found < task.cards - have


def _search(library: Library, queries: list[str], task: CutTask) -> list[SearchHit]:
    filters = SearchFilters(source_ids=[task.source_id]) if task.source_id is not None else None
    best: dict[int, SearchHit] = {}
    for q in queries:
        for hit in library.search(q, k=max(10, 3 * task.cards), filters=filters):
            if hit.passage_id not in best or hit.score > best[hit.passage_id].score:
                best[hit.passage_id] = hit
    return sorted(best.values(), key=lambda h: -h.score)


def relevant(
    team: Team, claim: str, hits: list[SearchHit], bonus: Bonus | None = None
) -> list[SearchHit]:
    """Hits whose text is about the claim at all: nearest neighbours always exist, so without
    this a claim the library knows nothing about would still get (invented-looking) cards."""
    analytics = analytic_passage_ids(team.library.store.conn, [h.passage_id for h in hits])
    hits = [h for h in hits if h.passage_id not in analytics]
    if not hits:
        return []
    passages = team.library.store.passages([h.passage_id for h in hits])
    texts = [passages[h.passage_id].text for h in hits]
    # The passage's own text, embedded here (once per run: the team's MemoEmbedder), not the
    # library's stored vector: that one is of the card's tag, read text and first words
    # (evidence.cards.store.embed_text), made to find the card, and a debater's punchy tag
    # let off-topic cards through this floor (an antitrust card for a baseball salary cap).
    claim_vec, *vecs = team.embedder.embed([claim, *texts])
    scored = [(cosine(claim_vec, v), h) for v, h in zip(vecs, hits, strict=True)]
    kept = [(score, h) for score, h in scored if score >= MIN_RELEVANCE]
    if bonus is not None:  # a negative bonus excludes (e.g. the opponent's own card)
        kept = [(score + bonus(passages[h.passage_id].text), h) for score, h in kept]
        kept = [(score, h) for score, h in kept if score >= MIN_RELEVANCE]
    return [h for _, h in sorted(kept, key=lambda x: -x[0])]


def card_relevance(claim: str, card: Card, embedder: Embedder) -> float:
    """How much the card, as it would be read (highlight, else underline, else body), is
    about the claim: what the judge hears, not the passage the search matched."""
    read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body
    claim_vec, read_vec = embedder.embed([claim, read])
    return cosine(claim_vec, read_vec)


def broaden(claim: str, queries: list[str]) -> list[str]:
    """The queries plus a wider one, when there is one to add."""
    # Without a capable model, a broader query is the claim's content words, fewer of them.
    words = [w for w in claim.split() if len(w) > 3]
    shorter = " ".join(words[: max(2, len(words) // 2)])
    return [*queries, shorter] if shorter and shorter not in queries else queries
