"""Typed step events of the agent loop: what the CLI streams and the window shows live.

One frozen dataclass per kind of step; `StepEvent` is their union, so consumers switch with
`isinstance` or `match` and every field they read is typed. Each has a `role` (an instance
field where several roles send it, a class constant where only one does) and the `text`
shown for it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, TypeAlias

from evidence.cards.card import Card, Node
from evidence.index.search import SearchHit
from evidence.web.search_base import WebResult


class Role(StrEnum):
    SEARCHER = "Searcher"
    ANALYZER = "Analyzer"
    WRITER = "Writer"
    REVIEWER = "Reviewer"
    TEAM = "Team"  # the loop itself: start, hand-offs, the end


@dataclass(frozen=True)
class Started:
    """A role begins a step; the text says what it is doing."""

    role: Role
    text: str


@dataclass(frozen=True)
class TokenStreamed:
    """A piece of streamed model text (the Writer's tag, the Analyzer's plan)."""

    role: Role
    text: str


@dataclass(frozen=True)
class Message:
    """A finished message of a role."""

    role: Role
    text: str


@dataclass(frozen=True)
class StepFailed:
    """A step failed; the text says why (the run goes on without it)."""

    role: Role
    text: str


@dataclass(frozen=True)
class Searched:
    """The Searcher's library results for the claim, best first."""

    role: ClassVar[Role] = Role.SEARCHER
    text: str
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class WebSearched:
    """The web's results for a query (not yet imported)."""

    role: ClassVar[Role] = Role.SEARCHER
    text: str
    query: str
    results: tuple[WebResult, ...]


@dataclass(frozen=True)
class WebPage:
    """What became of one web result: imported (source_id set), already in the library, or
    not imported (reason set)."""

    role: ClassVar[Role] = Role.SEARCHER
    text: str
    url: str
    title: str
    source_id: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class WebPagesRemoved:
    """Pages this run imported but cut no card from, removed again when it ended."""

    role: ClassVar[Role] = Role.SEARCHER
    text: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class Planned:
    """The Analyzer's claims for a block, an answer or a case; `missing` are left to the
    evidence."""

    role: ClassVar[Role] = Role.ANALYZER
    text: str
    claims: tuple[str, ...]
    missing: int


@dataclass(frozen=True)
class PassagesChosen:
    """The Analyzer's choice of passages to cut for one claim; `missing` more are needed."""

    role: ClassVar[Role] = Role.ANALYZER
    text: str
    claim: str
    passages: tuple[int, ...]
    missing: int


@dataclass(frozen=True)
class CardCut:
    """The Writer cut a card from a passage. `web`: the source is a web page (its URL is the
    source's origin and is in the cite)."""

    role: ClassVar[Role] = Role.WRITER
    text: str
    card: Card
    passage_id: int
    web: bool = False


@dataclass(frozen=True)
class CardReviewed:
    """The Reviewer's check of one card: its problems and how well the read text supports
    the tag (cosine)."""

    role: ClassVar[Role] = Role.REVIEWER
    text: str
    card: Card
    problems: tuple[str, ...]
    support: float


@dataclass(frozen=True)
class Reviewed:
    """The Reviewer's verdict on a round or the whole argument: "finished" or "revise"."""

    role: ClassVar[Role] = Role.REVIEWER
    text: str
    verdict: str
    objections: tuple[str, ...]


@dataclass(frozen=True)
class RunDone:
    """The last event of every run. cards: all cut cards; nodes: the outline to add
    (headings holding the cards and analytics); objections: the Reviewer's remaining ones;
    cancelled: then cards and nodes are empty (nothing half-made is kept)."""

    role: ClassVar[Role] = Role.TEAM
    cards: tuple[Card, ...]
    nodes: tuple[Node, ...]
    objections: tuple[str, ...]
    cancelled: bool = False
    # Why the run stopped early because the model cannot answer at all (a model server gone,
    # its key refused): then it ends as a cancelled run does, keeping nothing; "" otherwise.
    failed: str = ""

    @property
    def text(self) -> str:
        if self.failed:
            return f"stopped: {self.failed}"
        summary = "cancelled" if self.cancelled else f"{len(self.cards)} cards"
        if self.objections:
            summary += f"; {len(self.objections)} objections remain"
        return summary


StepEvent: TypeAlias = (
    Started
    | TokenStreamed
    | Message
    | StepFailed
    | Searched
    | WebSearched
    | WebPage
    | WebPagesRemoved
    | Planned
    | PassagesChosen
    | CardCut
    | CardReviewed
    | Reviewed
    | RunDone
)
