"""The agent team end to end with the real default model (Gemma 3 270M) on the samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main
from evidence.datadir import DataDir
from evidence.settings import Settings, save_settings
from evidence.verbatim import read_verbatim
from tests.conftest import SAMPLES


@pytest.fixture
def home(data_dir: DataDir, embedder_path: Path) -> DataDir:
    from agents.model_files import default_generator_path
    from tests.conftest import model_cache_dir

    generator = default_generator_path(model_cache_dir())
    save_settings(
        data_dir.settings,
        Settings(embedding_model=str(embedder_path), generator_model=str(generator)),
    )
    return data_dir


def test_cut_command_streams_stores_and_exports_verbatim_cards(
    home: DataDir, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(home.root)]
    assert main([*args, "import", str(SAMPLES)]) == 0
    capsys.readouterr()
    out = tmp_path / "cut.docx"
    assert main([*args, "cut", "deterrence prevents war with North Korea", "--cards", "2",
                 "--out", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    for role in ("[Searcher]", "[Analyzer]", "[Writer]", "[Reviewer]", "[Team]"):
        assert role in printed
    assert "stored 2 cards" in printed

    from evidence.library import Library

    lib = Library(home, Settings())
    cut = [r for r in lib.cards() if r.path and r.path[0][1].startswith("Cut:")]
    assert len(cut) == 2
    for row in cut:
        card = row.node
        source = lib.store.source(row.source_id)
        assert source is not None
        text = lib.store.source_text(row.source_id)
        off = card.source_offset  # type: ignore[union-attr]
        assert off is not None and text[off : off + len(card.body)] == card.body  # type: ignore[union-attr]
        assert card.short_cite and card.full_cite  # type: ignore[union-attr]
    back = read_verbatim(out.read_bytes()).cards()
    assert sorted(c.body for c in back) == sorted(r.node.body for r in cut)  # type: ignore[union-attr]
    lib.close()
