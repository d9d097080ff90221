"""The one entry point the CLI and the window use: run any task, as typed step events.

A cut task is one claim's cut rounds; blocks, answers and cases are built on those rounds.
With web research on, the pages the run imported but cut nothing from are removed when it
ends (all of them when it is cancelled or fails)."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterator

from agents.team.availability import WatchedGenerator
from agents.team.builders import run_build
from agents.team.cut_rounds import run_cut
from agents.team.events import Role, RunDone, StepEvent, StepFailed
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
    watched = WatchedGenerator(team.generator)
    team = dataclasses.replace(team, embedder=MemoEmbedder(team.embedder), generator=watched)

    def stop() -> bool:  # a model that cannot answer stops the run as a Stop does
        return cancel() or bool(watched.down)

    if isinstance(task, CutTask):
        steps = _ending(run_cut(task, team, stop), watched)
    else:
        steps = _ending(run_build(task, team, stop), watched)
    if team.web is None:
        yield from steps
    else:
        yield from team.web.keep_used(steps, team.library)


def _ending(steps: Iterator[StepEvent], watched: WatchedGenerator) -> Iterator[StepEvent]:
    """The steps; a run the model stopped ends saying why, keeping nothing (as a Stop)."""
    try:
        for event in steps:
            if isinstance(event, RunDone) and watched.down:
                yield StepFailed(Role.TEAM, f"the run stopped: {watched.down}")
                event = dataclasses.replace(
                    event, cards=(), nodes=(), cancelled=True, failed=watched.down
                )
            yield event
    finally:  # closing this closes the run where it stands
        close = getattr(steps, "close", None)
        if close is not None:
            close()
