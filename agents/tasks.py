"""What a debater can ask the team for, and the bounds every run stays inside."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bounds:
    max_rounds: int = 2  # Reviewer "revise" → Writer/Searcher round trips
    max_generated_tokens: int = 2000
    max_seconds: float = 600.0


@dataclass(frozen=True)
class CutTask:
    """Cut cards that prove `claim`, from the whole library or from one source."""

    claim: str
    cards: int = 3
    source_id: int | None = None
    bounds: Bounds = Bounds()
