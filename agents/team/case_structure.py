"""A case's plan from the debater's own files: before the Analyzer invents contentions, the
library is asked for a case file on the resolution (a 1AC's advantages, a 1NC's positions).

Verbatim headings are stored with each card (its outline path: pocket, hat, block titles).
A speech's parts are the headings that directly hold cards under a heading naming the speech
("Antitrust---1AC", "1NC"), or, for the aff, headings named as advantages or contentions
("Adv 1", "Equitable Apportionment ADV", "Contention 2"). The file chosen is the one whose
passages rank first for the resolution among those with such parts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agents.team.searcher import relevant
from agents.team.tasks import Side
from agents.team.team import Team
from evidence.cards.card import Card
from evidence.cards.store import CardRow, load_cards

SPEECH = {Side.AFF: re.compile(r"\b1AC\b", re.I), Side.NEG: re.compile(r"\b1NC\b", re.I)}
ADVANTAGE = re.compile(r"\b(adv|advantage|contention)\b", re.I)
# A neg file names the aff's advantages too ("Equitable Apportionment ADV" over its answers).
NEG_FILE = re.compile(r"\b([12]N[CR]|neg|negative)\b", re.I)
# Parts of a case file that are not arguments: the team's notes, tools, cross-ex.
NOT_A_PART = re.compile(r"\b(notes?|toolbox|cx|cross[- ]?ex|table of contents|tt)\b", re.I)
# The speech's name and separators around a part's title: "Cartelization---1AC", "1NC – DA".
_DECOR = re.compile(r"(\s*(-{2,}|–|—|:)\s*)?\b(1AC|1NC)\b(\s*(-{2,}|–|—|:)\s*)?", re.I)


@dataclass(frozen=True)
class CasePart:
    title: str  # the heading, without the speech's name
    claim: str  # its first card's tag: the debater's own words for what the part proves


@dataclass(frozen=True)
class CaseFile:
    source_name: str
    parts: tuple[CasePart, ...]


def find_case_file(team: Team, resolution: str, side: Side, limit: int) -> CaseFile | None:
    """The library's case file for the resolution and side, with up to `limit` parts; None
    when no relevant file has one."""
    lib = team.library
    hits = relevant(team, resolution, lib.search(resolution, k=30))
    seen: set[int] = set()
    for hit in hits:
        if hit.source_id in seen:
            continue
        seen.add(hit.source_id)
        parts = case_parts(load_cards(lib.store.conn, [hit.source_id]), side)
        if parts:
            source = lib.store.source(hit.source_id)
            name = source.display_name if source is not None else hit.source_title
            return CaseFile(name, tuple(parts[:limit]))
    return None


def case_parts(rows: list[CardRow], side: Side) -> list[CasePart]:
    """The speech's parts in file order, each once (a file may repeat a part's heading)."""
    parts: list[CasePart] = []
    titles: set[str] = set()
    for row in rows:
        if not row.path or not isinstance(row.node, Card) or not row.node.tag.strip():
            continue
        heading = row.path[-1][1]
        names = [title for _, title in row.path]
        in_speech = any(SPEECH[side].search(t) for t in names)
        named = (
            side == Side.AFF
            and bool(ADVANTAGE.search(heading))
            and not any(NEG_FILE.search(t) for t in names)
        )
        if not (in_speech or named) or NOT_A_PART.search(heading):
            continue
        title = _DECOR.sub(" ", heading).strip(" -–—:")
        if not title or title.lower() in titles:
            continue
        titles.add(title.lower())
        parts.append(CasePart(title, " ".join(row.node.tag.split())))
    return parts
