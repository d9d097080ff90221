"""Shared fixtures: a private data dir per test, real models prepared once per machine."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import loopback  # noqa: F401  (fixture: a web server on 127.0.0.1)
from tests.netguard import socket_guard  # noqa: F401  (fixture: no network connections)
from tests.team_fixtures import alice, bob, team_server  # noqa: F401  (fixtures: a Chroma team server, two debaters)

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"
ARTIFACTS = ROOT / "test-artifacts"


def model_cache_dir() -> Path:
    """Prepared GGUF files are cached across runs (conversion is the slow part)."""
    folder = Path(os.environ.get("DEBATE_PREP_TEST_CACHE", ROOT / ".pytest_cache" / "models"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True, scope="session")
def _private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # No test may touch the user's real library.
    old = os.environ.get("DEBATE_PREP_HOME")
    os.environ["DEBATE_PREP_HOME"] = str(tmp_path_factory.mktemp("home"))
    yield
    if old is None:
        os.environ.pop("DEBATE_PREP_HOME", None)
    else:
        os.environ["DEBATE_PREP_HOME"] = old


@pytest.fixture(scope="session")
def embedder_path() -> Path:
    from agents.models.bundled import default_embedder_path

    return default_embedder_path(model_cache_dir())


@pytest.fixture(scope="session")
def embedder(embedder_path: Path):  # type: ignore[no-untyped-def]
    from agents.runtime.embedder import LlamaEmbedder

    emb = LlamaEmbedder(embedder_path, n_threads=2)
    yield emb
    emb.close()


@pytest.fixture
def data_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    from evidence.datadir import DataDir

    return DataDir(tmp_path / "data").create()


@pytest.fixture(scope="session")
def sample_library(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """The shared samples imported and embedded once; tests must not modify it."""
    from evidence.datadir import DataDir
    from evidence.library import Library
    from evidence.settings import Settings

    lib = Library(DataDir(tmp_path_factory.mktemp("samples-lib")), Settings(), lambda: embedder)
    events = list(lib.import_paths([SAMPLES]))
    lib.import_events = events  # type: ignore[attr-defined]
    yield lib
    lib.close()


@pytest.fixture
def app_ctx(data_dir, embedder, embedder_path):  # type: ignore[no-untyped-def]
    """The window's context on a fresh data dir: the session's embedder, the default
    generator (cached), one thread for generation (the machine's other core stays free)."""
    from agents.models.bundled import default_generator_path
    from app.context import AppContext
    from evidence.settings import Settings, save_settings

    generator = default_generator_path(model_cache_dir())
    settings = Settings(
        embedding_model=str(embedder_path), generator_model=str(generator), threads=1
    )
    save_settings(data_dir.settings, settings)
    return AppContext.open(data_dir, embedder=embedder)


@pytest.fixture
def main_window(qtbot, app_ctx, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The real main window, shown offscreen; jobs are cancelled and joined afterwards."""
    from PySide6.QtCore import QSettings

    from desktop.main_window import MainWindow

    ini = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(app_ctx, ini)
    qtbot.addWidget(window, before_close_func=close_quietly)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.jobs.cancel_all()
    for tab in window.tabs.all():  # the test's documents: closing must not ask
        tab.editor.set_modified(False)
    window.close()


def close_quietly(window: Any) -> None:
    """Before pytest-qt closes a test's window (also after a failure): the documents the test
    left unsaved (cards the Assistant added) must not ask, and no job may be running."""
    window.jobs.cancel_all()
    for tab in window.tabs.all():
        tab.editor.set_modified(False)


@pytest.fixture(autouse=True)
def _no_modal_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document question a test did not answer gets the Escape answer (Cancel, Later)
    instead of a modal box nobody can click, which would hang the suite. Tests that expect a
    question patch `prompts.ask` themselves, after this."""
    prompts = sys.modules.get("desktop.documents.prompts")
    if prompts is not None:

        def escape(parent: Any, title: str, text: str, choices: list[str]) -> str:
            log.warning("unanswered question in a test: %s: %s -> %s", title, text, choices[-1])
            return choices[-1]

        monkeypatch.setattr(prompts, "ask", escape)


@pytest.fixture(autouse=True)
def _no_dangling_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    # Chroma and llama.cpp keep daemon pools; only non-daemon threads would block exit.
    leftover = [
        t for t in threading.enumerate() if t not in before and not t.daemon and t.is_alive()
    ]
    assert not leftover, f"test left threads running: {leftover}"
    jobs = sys.modules.get("desktop.jobs")
    if jobs is not None:  # Qt job threads are invisible to `threading`
        stuck = jobs.running_threads()
        assert not stuck, f"test left job threads running: {stuck}"
