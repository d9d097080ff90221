"""With web access off (the default), the app opens no network connection at all: importing
(files and addresses), searching, the agents' tasks with the real model, the model manager
and the window itself, each run under a socket guard that fails on any connect or lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.models.bundled import default_generator_path
from cli.main import main
from evidence.datadir import DataDir
from evidence.settings import Settings, load_settings, save_settings
from tests.conftest import SAMPLES, model_cache_dir
from tests.netguard import SocketGuard

SAMPLE = SAMPLES / "verbatim" / "1nc.docx"
URL = "https://example.org/water-treaties"


@pytest.fixture
def offline_home(data_dir: DataDir, embedder_path: Path) -> DataDir:
    generator = default_generator_path(model_cache_dir())
    save_settings(
        data_dir.settings,
        Settings(embedding_model=str(embedder_path), generator_model=str(generator), threads=1),
    )
    assert load_settings(data_dir.settings).web_access is False  # the default
    return data_dir


def run(home: DataDir, *args: str) -> int:
    return main(["--data-dir", str(home.root), *args])


@pytest.mark.slow
def test_import_search_agents_and_models_open_no_connection(
    offline_home: DataDir, socket_guard: SocketGuard, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(offline_home, "import", str(SAMPLE), URL) != 0  # the address failed
    out = capsys.readouterr()
    assert "web access is off" in out.out + out.err
    assert run(offline_home, "search", "UNCLOS duty to conserve whales") == 0
    assert "1nc.docx" in capsys.readouterr().out
    # The real model and the full agent team: web research is not even built.
    out_docx = offline_home.root / "cut.docx"
    code = run(offline_home, "cut", "UNCLOS requires states to conserve whales",
               "--cards", "1", "--out", str(out_docx))  # fmt: skip
    assert code == 0 and out_docx.is_file()
    assert "searching the web" not in capsys.readouterr().out
    assert run(offline_home, "models", "list") == 0
    assert run(offline_home, "models", "fit", "qwen2.5-1.5b-instruct") == 0
    capsys.readouterr()
    assert run(offline_home, "models", "download", "qwen2.5-1.5b-instruct") != 0
    assert "web access is off" in capsys.readouterr().err
    assert socket_guard.attempts == []


def test_window_starts_without_a_connection(
    socket_guard: SocketGuard,
    main_window,
    qtbot,  # type: ignore[no-untyped-def]
) -> None:
    dialog = main_window.open_models()  # the model manager reads the catalog and the GPU
    qtbot.waitUntil(lambda: dialog._lister is None and dialog.model.rowCount() > 0,
                    timeout=60_000)  # fmt: skip
    qtbot.waitUntil(lambda: main_window.status.gpu is not None, timeout=60_000)
    qtbot.wait(500)
    dialog.close()
    assert socket_guard.attempts == []
