"""The model manager window with real components: the shipped catalog with fit verdicts, a
download from a loopback server with progress, cancel and resume (a Range request), the web
switch asked for first, switching the active model, and importing a GGUF file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from agents.models import DownloadProgress, load_catalog
from agents.models import catalog as catalog_module
from desktop.main_window import MainWindow
from desktop.models.models_window import ModelManagerDialog, progress_text
from tests.fake_gguf import catalog_entry, sha256_of, tiny_gguf, write_catalog
from tests.gui_helpers import screenshot
from tests.loopback import LoopbackServer, Response

WAIT_MS = 60_000


def table_ready(dialog: ModelManagerDialog) -> bool:
    return dialog._lister is None and dialog.model.rowCount() > 0


def test_progress_text() -> None:
    p = DownloadProgress("m", "downloading", 312_000_000, 1_117_320_736, 4_200_000, 190.0)
    assert progress_text(p) == "312 MB of 1.12 GB · 4.2 MB/s · 3 min left"
    assert "Checking" in progress_text(DownloadProgress("m", "checking", 5_000, 9, 0, None))


def test_catalog_rows_with_fit(qtbot, main_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = main_window.open_models()
    qtbot.waitUntil(lambda: table_ready(dialog), timeout=WAIT_MS)
    names = [r.name for r in dialog.model.rows()]
    assert names[: len(load_catalog().entries)] == [e.name for e in load_catalog().entries]
    active = [r for r in dialog.model.rows() if r.active]
    assert len(active) == 1  # the test context's generator (the bundled Gemma file)
    downloadable = [r for r in dialog.model.rows() if r.downloadable]
    assert downloadable and all(r.fit is not None for r in downloadable)
    assert "RAM available" in dialog.machine.text()
    dialog.select(downloadable[0].name)
    assert dialog.download_button.isEnabled() and not dialog.use_button.isEnabled()
    assert downloadable[0].entry is not None
    assert downloadable[0].entry.page_url in dialog.details.text()
    screenshot(dialog, "models-dialog")
    dialog.close()


@pytest.fixture
def served_model(tmp_path: Path, loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    body = tiny_gguf(tmp_path / "src" / "tiny.gguf")
    url = loopback.add(
        "/tiny.gguf",
        Response(
            body.read_bytes(),
            content_type="application/octet-stream",
            ranges=True,
            chunk_delay_s=0.002,
        ),
    )
    catalog = write_catalog(
        tmp_path / "catalog.json",
        catalog_entry("tiny-model", "tiny.gguf", url, sha256=sha256_of(body)),
    )
    monkeypatch.setattr(catalog_module, "default_catalog_path", lambda: catalog)
    return body


def test_download_asks_for_web_cancels_resumes_and_uses(
    qtbot,
    main_window: MainWindow,
    served_model: Path,
    loopback: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    ctx = main_window.ctx
    asked: list[str] = []

    def yes(parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(title)
        ctx.settings.web_allow_private = True  # the server is on 127.0.0.1
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    dialog = main_window.open_models()
    qtbot.waitUntil(lambda: table_ready(dialog), timeout=WAIT_MS)
    dialog.select("tiny-model")
    assert not ctx.settings.web_access
    dialog.download_button.click()
    assert asked == ["Web access is off"] and ctx.settings.web_access
    assert main_window.web_switch.isChecked()
    qtbot.waitUntil(lambda: "kB" in dialog.progress_label.text(), timeout=WAIT_MS)
    screenshot(dialog, "models-downloading")
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog._work is None and table_ready(dialog), timeout=WAIT_MS)
    assert "Download stopped" in dialog.message.text()
    row = dialog.model.rows()[dialog.model.row_of("tiny-model")]
    assert row.status.startswith("paused at") and not row.usable
    dialog.select("tiny-model")
    assert dialog.download_button.text() == "Resume download"

    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog._work is None and table_ready(dialog), timeout=WAIT_MS)
    assert "ready" in dialog.message.text(), dialog.message.text()
    assert any("Range" in headers for _path, headers in loopback.requests[1:])
    final = ctx.data_dir.models / "tiny.gguf"
    assert final.read_bytes() == served_model.read_bytes()

    dialog.select("tiny-model")
    assert dialog.use_button.isEnabled()
    dialog.use_button.click()  # the check (it may hash the file) runs in a job
    qtbot.waitUntil(lambda: dialog._work is None, timeout=WAIT_MS)
    assert Path(ctx.settings.generator_model) == final
    assert "tiny" in main_window.status.model_label.text().lower()
    qtbot.waitUntil(lambda: table_ready(dialog), timeout=WAIT_MS)
    screenshot(dialog, "models-switched")
    dialog.close()


def test_import_a_gguf_file(qtbot, main_window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = main_window.open_models()
    qtbot.waitUntil(lambda: table_ready(dialog), timeout=WAIT_MS)
    mine = tiny_gguf(tmp_path / "my-debate-model.gguf", seed=3)
    dialog.import_file(mine)
    qtbot.waitUntil(lambda: dialog._work is None and table_ready(dialog), timeout=WAIT_MS)
    imported = [r for r in dialog.model.rows() if r.installed and r.installed.kind == "imported"]
    assert [r.installed.path.name for r in imported if r.installed] == ["my-debate-model.gguf"]
    assert imported[0].usable
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("not a model")
    dialog.import_file(not_gguf)
    qtbot.waitUntil(lambda: dialog._work is None, timeout=WAIT_MS)
    assert dialog.message.text().startswith("Failed:")
    screenshot(dialog, "models-import-refused")
    dialog.close()
