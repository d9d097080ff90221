"""The window while vectors fill in (issue 16, part 5): the import shows files, passages,
vectors, and the rate and time left as they become known; a search typed during the
embedding phase answers at once (keyword matches of passages without vectors yet), and the
card editor takes typing. Real window, real import, real embedder and Chroma; the embedding
of the import's batches is only held at a gate, so the phase lasts as long as the test needs."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from app.context import AppContext
from desktop.main_window import MainWindow
from evidence.datadir import DataDir
from evidence.settings import Settings, save_settings
from tests.conftest import close_quietly
from tests.gui_helpers import screenshot

WAIT_MS = 120_000


class GatedEmbedder:
    """The real embedder; batches of more than one text (the import's) wait at the gate
    after the first `free` of them, a search's single query never does."""

    def __init__(self, inner: Any, free: int) -> None:
        self.inner, self.free = inner, free
        self.gate = threading.Event()
        self.held = threading.Event()

    @property
    def model_id(self) -> str:
        return str(self.inner.model_id)

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if len(texts) > 1:
            if self.free <= 0:
                self.held.set()
                self.gate.wait(timeout=WAIT_MS / 1000)
            self.free -= 1
        return list(self.inner.embed(texts))


def test_search_works_while_vectors_fill_in(
    qtbot: Any, data_dir: DataDir, embedder: Any, embedder_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backfiles"
    folder.mkdir()
    topics = ["whaling treaty", "carbon tax", "nuclear deterrence", "water scarcity"]
    for i, topic in enumerate(topics):
        paragraphs = [
            f"Paragraph {j} on the {topic}: the {topic} fails for reason {j}. " * 12
            for j in range(6)
        ]
        (folder / f"file{i}.txt").write_text("\n\n".join(paragraphs))
    save_settings(data_dir.settings, Settings(embedding_model=str(embedder_path), embed_batch=4))
    gated = GatedEmbedder(embedder, free=2)
    ctx = AppContext.open(data_dir, embedder=gated)
    window = MainWindow(ctx, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window, before_close_func=close_quietly)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    panel, progress, search = window.library, window.library.progress, window.search
    summaries: list[str] = []
    progress.summary_changed.connect(summaries.append)
    try:
        qtbot.waitUntil(lambda: panel._ready, timeout=WAIT_MS)
        panel.import_paths([folder])
        qtbot.waitUntil(gated.held.is_set, timeout=WAIT_MS)  # the embedding phase, held
        # Two batches were let through; their reports reach the window, then nothing moves.
        qtbot.waitUntil(lambda: progress.snapshot.vectors_done == 8, timeout=10_000)
        assert progress.bar.format().startswith("8 / ")
        snap = progress.snapshot
        assert snap.phase == "vectors" and snap.files_done == snap.files_total == 4
        assert snap.passages == snap.vectors_total > 8
        assert "Computing vectors" in progress.label.text()
        # Two batches: too little work to promise a time unless they took 5 s (a busy machine).
        assert progress.detail.text() == "estimating time left…" or snap.seconds_left
        assert progress.detail.text().endswith(" left…" if snap.seconds_left is None else " left")
        assert any(s.startswith("Import: files 4/4 · 24 passages") for s in summaries), summaries
        assert summaries[-1].startswith(f"Import: vectors 8/{snap.vectors_total} · ")
        assert window.statusBar().currentMessage() == summaries[-1]

        # Search while the import's job is still embedding: the answer comes now.
        search.query.setText("carbon tax fails")
        qtbot.waitUntil(
            lambda: search.shown_query == "carbon tax fails" and search._job is None,
            timeout=30_000,
        )
        assert panel.is_importing() and not gated.gate.is_set()
        items = search.results._items
        assert items and Path(items[0].hit.origin).name == "file1.txt"
        assert "carbon tax" in items[0].hit.snippet
        embedded = _embedded(ctx)
        assert any(i.hit.passage_id not in embedded for i in items)  # by its words alone
        # The editor takes typing too (the GUI thread is free).
        window.editor.tag.setText("Carbon tax fails")
        assert window.editor.tag.text() == "Carbon tax fails"
        screenshot(window, "import-embedding-search")
        panel.resize(420, 500)
        screenshot(panel, "import-embedding-progress")
        gated.gate.set()
        qtbot.waitUntil(lambda: not panel.is_importing(), timeout=WAIT_MS)
        assert progress.snapshot.vectors_done == progress.snapshot.vectors_total
    finally:
        gated.gate.set()
        window.jobs.cancel_all()
        window.close()


def _embedded(ctx: AppContext) -> set[int]:
    lib = ctx.open_library()
    try:
        return lib.store.embedded_ids(lib.embedder().model_id)
    finally:
        lib.close()
