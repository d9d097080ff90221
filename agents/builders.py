"""Blocks, answers and cases: the team chains cut runs under the Analyzer's plan.
(Being built; see agents/loop.py for the cut run.)"""

from __future__ import annotations

from collections.abc import Iterator

from agents.generation import CancelCheck
from agents.steps import StepEvent
from agents.tasks import Task


def run_build(task: Task, team: object, cancel: CancelCheck) -> Iterator[StepEvent]:
    raise NotImplementedError(f"{type(task).__name__} arrives in the next commit")
    yield  # pragma: no cover
