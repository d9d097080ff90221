"""The team a run works with, the budget one run shares, and how every run ends."""

from __future__ import annotations

import time
from collections.abc import Generator as Gen
from dataclasses import dataclass, field
from typing import TypeVar

from agents.runtime.generation import Generator
from agents.team.events import RunDone, StepEvent
from agents.team.web_research import WebResearch
from agents.team.writer import Draft, MarkCutter
from evidence.cards.card import Node
from evidence.index.embedding import Embedder
from evidence.library import Library

T = TypeVar("T")
Steps = Gen[StepEvent, None, T]  # a step of a run: yields its events, returns its result


@dataclass
class Team:
    library: Library
    generator: Generator
    embedder: Embedder
    cutter: MarkCutter
    web: WebResearch | None = None  # web search for what the library lacks (web access on)


@dataclass
class RunBudget:
    """Shared by every step of one run: its start, the tokens generated, the passages cut
    (by id and by text: the same card in two files is cut once) and the tags given (no two
    cards of one result carry the same tag)."""

    started: float = field(default_factory=time.monotonic)
    tokens: int = 0
    used: set[int] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    tags: list[str] = field(default_factory=list)


def run_done(
    drafts: list[Draft], objections: list[str], cancelled: bool, nodes: list[Node] | None = None
) -> RunDone:
    """The last event of every run; a cancelled run keeps no cards and no nodes."""
    if cancelled:
        return RunDone((), (), tuple(objections), cancelled=True)
    return RunDone(tuple(d.card for d in drafts), tuple(nodes or ()), tuple(objections))
