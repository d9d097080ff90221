"""Typed step events of the agent loop: what the CLI streams and the window shows live."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    SEARCHER = "Searcher"
    ANALYZER = "Analyzer"
    WRITER = "Writer"
    REVIEWER = "Reviewer"
    TEAM = "Team"  # the loop itself: start, hand-offs, the end


class StepKind(StrEnum):
    START = "start"  # a role begins a step (text says what it is doing)
    TOKEN = "token"  # a piece of streamed model text
    MESSAGE = "message"  # a finished message of a role
    EVIDENCE = "evidence"  # Searcher results (data: hits)
    PLAN = "plan"  # Analyzer's plan (data: claims, evidence, missing)
    CARD = "card"  # Writer cut a card (data: card)
    REVIEW = "review"  # Reviewer verdict (data: verdict, objections)
    ERROR = "error"  # a step failed; text says why
    DONE = "done"  # the run ended (data: cards, objections, cancelled)


@dataclass(frozen=True)
class StepEvent:
    role: Role
    kind: StepKind
    text: str = ""
    data: dict[str, Any] = field(default_factory=dict)
