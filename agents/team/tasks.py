"""What a debater can ask the team for, and the bounds every run stays inside."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Bounds:
    max_rounds: int = 2  # Reviewer "revise" → Writer/Searcher round trips
    max_generated_tokens: int = 2000
    max_seconds: float = 600.0


class Side(StrEnum):
    AFF = "aff"
    NEG = "neg"


@dataclass(frozen=True)
class CutTask:
    """Cut cards that prove `claim`, from the whole library, from one source, or from one
    passage (Ctrl+K on a search result: one card from it as chosen, no search)."""

    claim: str
    cards: int = 3
    source_id: int | None = None
    passage_id: int | None = None
    bounds: Bounds = Bounds()


@dataclass(frozen=True)
class BlockTask:
    """Research a block for `claim`: the claim's reasons, each with its card."""

    claim: str
    answers: int = 3
    bounds: Bounds = Bounds()


@dataclass(frozen=True)
class AnswerTask:
    """Answer an opponent's card: a block of responses to `card` (its tag and text)."""

    card: str
    answers: int = 3
    bounds: Bounds = Bounds()


@dataclass(frozen=True)
class CaseTask:
    """Build a case for `resolution` on `side`: contentions, each a chain of cards from the
    start claim through its link to its impact."""

    resolution: str
    side: Side = Side.AFF
    contentions: int = 2
    bounds: Bounds = Bounds()


BuildTask = BlockTask | AnswerTask | CaseTask  # the Analyzer plans these first
Task = CutTask | BuildTask
