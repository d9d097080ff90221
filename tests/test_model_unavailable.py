"""A model that cannot answer at all (a model server gone, its key refused) stops the run at
the first failure with the reason, keeping nothing, instead of failing every later step and
tagging the cards with fallbacks: the loop with a scripted model on the real library, and the
command line against a real refused port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.cutter.extractive import cut_marks
from agents.runtime.generation import GenerationRequest
from agents.runtime.openai_errors import ServerUnreachable
from agents.team.events import Role, RunDone, StepFailed
from agents.team.run import run_task
from agents.team.tasks import CutTask
from agents.team.team import Team
from cli.main import main
from evidence.cancel import CancelCheck
from evidence.datadir import DataDir
from evidence.library import Library
from evidence.settings import Settings, save_settings
from tests.conftest import SAMPLES
from tests.model_server import free_port
from tests.scripted_generator import ScriptedGenerator

pytest_plugins = ["tests.fixtures_models"]

GONE = "the model server at http://127.0.0.1:9/v1 does not answer (connection refused)"


class GoneServer(ScriptedGenerator):
    """Every request fails as a model server that is not running does."""

    def stream(
        self, request: GenerationRequest, cancel: CancelCheck = lambda: False
    ) -> Iterator[str]:
        self.requests.append(request)
        raise ServerUnreachable(GONE)
        yield ""  # a generator, as the real one is


def test_a_gone_model_stops_the_run_at_the_first_failure(sample_library: Library, embedder) -> None:  # type: ignore[no-untyped-def]
    gen = GoneServer([])
    team = Team(sample_library, gen, embedder, cut_marks)
    events = list(run_task(CutTask("UNCLOS requires states to conserve whales", 3), team))
    done = events[-1]
    assert isinstance(done, RunDone)
    assert done.failed == GONE and done.cancelled and done.cards == ()
    assert len(gen.requests) == 1  # not once more per card and per retry
    stops = [e for e in events if isinstance(e, StepFailed) and e.role is Role.TEAM]
    assert len(stops) == 1 and GONE in stops[0].text
    assert done.text == f"stopped: {GONE}"


def test_the_command_line_says_the_server_is_gone_and_stores_nothing(
    data_dir: DataDir, embedder_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(data_dir.root)]
    save_settings(data_dir.settings, Settings(embedding_model=str(embedder_path)))
    assert main([*args, "import", str(SAMPLES / "verbatim" / "1nc.docx")]) == 0
    save_settings(
        data_dir.settings,
        Settings(
            embedding_model=str(embedder_path), web_access=True, web_allow_private=True,
            web_search_provider="searxng", searxng_url=f"http://127.0.0.1:{free_port()}",
            generator_source="server", server_url=f"http://127.0.0.1:{free_port()}/v1",
            server_model="any",
        ),
    )  # fmt: skip
    capsys.readouterr()
    assert main([*args, "cut", "deterrence prevents war", "--cards", "2"]) == 1
    captured = capsys.readouterr()
    assert "error: the run stopped:" in captured.err and "Connection refused" in captured.err
    assert "stored" not in captured.out
    library = Library(data_dir, Settings())
    try:
        cut = [r for r in library.cards() if r.path and r.path[0][1].startswith("Cut:")]
        assert cut == []
    finally:
        library.close()
