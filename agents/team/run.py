"""The one entry point the CLI and the window use: run any task, as typed step events.

A cut task is one claim's cut rounds; blocks, answers and cases are built on those rounds.
With web research on, the pages the run imported but cut nothing from are removed when it
ends (all of them when it is cancelled or fails)."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator

from agents.team.builders import run_build
from agents.team.cut_rounds import run_cut
from agents.team.events import StepEvent
from agents.team.memo import MemoEmbedder
from agents.team.tasks import CutTask, Task
from agents.team.team import Team
from evidence.cancel import CancelCheck, never


def run_task(
    task: Task, team: Team, cancel: CancelCheck = never
) -> Generator[StepEvent, None, None]:
    """The task's steps, ending with exactly one RunDone (nothing runs until iterated;
    closing it early removes the web pages the run imported)."""
    # Each text embedded once per run (the library's passage vectors reused: searcher.py).
    team = dataclasses.replace(team, embedder=MemoEmbedder(team.embedder))
    if isinstance(task, CutTask):
        steps = run_cut(task, team, cancel)
    else:
        steps = run_build(task, team, cancel)
    if team.web is None:
        yield from steps
    else:
        yield from team.web.keep_used(steps, team.library)
