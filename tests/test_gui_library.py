"""The Library panel with real components: imports through the window (drop and queue),
per-file failures with the core's reasons, cancel and resume, remove, and the index status."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from app.context import AppContext
from desktop.jobs import JobRegistry
from desktop.library import library_panel as panel_module
from desktop.library.library_panel import LibraryPanel
from desktop.library.sources_model import SORT_ROLE
from evidence.importing.events import FileResult, FileStatus
from evidence.settings import Settings, save_settings
from tests.conftest import SAMPLES
from tests.gui_helpers import screenshot

WAIT_MS = 180_000  # embedding the samples on a busy 2-core machine


def idle(panel: LibraryPanel) -> bool:
    return not panel.is_importing() and panel._snapshot is None and panel._removing is None


def wait_idle(qtbot, panel: LibraryPanel, timeout: int = WAIT_MS) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: panel._ready and idle(panel), timeout=timeout)


def results(panel: LibraryPanel) -> list[FileResult]:
    return panel.results.model.results()


def drop(widget, paths: list[Path]) -> None:  # type: ignore[no-untyped-def]
    """Drag files over the widget and drop them: its own event handlers, as Qt calls them
    (QApplication filters drag events when no real drag is running, so they go to event())."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter = QDragEnterEvent(QPoint(200, 200), *args)  # QPoint here, QPointF for the drop
    widget.event(enter)
    assert enter.isAccepted()
    dropped = QDropEvent(QPointF(200, 200), *args)
    widget.event(dropped)
    assert dropped.isAccepted()


def text_files(folder: Path, n: int, stem: str = "note") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path = folder / f"{stem}-{i:04d}.txt"
        path.write_text(f"Evidence note {i}: sanctions fail because of {stem} reason {i}.\n")
        out.append(path)
    return out


def test_drop_samples_lists_sources_cites_and_status(qtbot, main_window, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    panel: LibraryPanel = main_window.library
    drop(main_window, [SAMPLES / "verbatim", SAMPLES / "pdf"])
    wait_idle(qtbot, panel)

    got = results(panel)
    assert sorted(Path(r.path).name for r in got) == [
        "1nc.docx",
        "debatesum-paper.pdf",
        "neg-2.docx",
        "neg.docx",
    ]
    assert {r.status for r in got} == {FileStatus.IMPORTED}
    model = panel.sources.model
    assert model.rowCount() == 4
    titles = [model.index(r, 0).data() for r in range(4)]
    assert any("DebateSum" in t for t in titles), titles  # the PDF's real title, not metadata
    rows = [model.source_at(r) for r in range(4)]
    assert all(r.passages > 0 and r.embedded == r.passages for r in rows)
    pdf_row = next(r for r in range(4) if model.source_at(r).kind == "pdf")
    assert model.index(pdf_row, 1).data()  # authors of the paper
    status = panel.snapshot.status  # type: ignore[union-attr]
    assert status.sources == 4 and status.pending_vectors == 0
    line = panel.status_label.text()
    assert f"4 sources · {status.passages:,} passages" in line
    assert "0 pending" in line and "all-MiniLM-L6-v2" in line
    assert "Done: 4 imported." in panel.results.summary.text()
    assert (
        main_window.status.index_label.text() == f"Index: 4 sources, {status.passages:,} passages"
    )
    # Sorting by passages puts the largest last.
    panel.sources.table.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    proxy = panel.sources.proxy
    counts = [proxy.index(r, 4).data(SORT_ROLE) for r in range(4)]
    assert counts == sorted(counts)
    qtmodeltester.check(model)
    qtmodeltester.check(panel.results.model)
    qtbot.wait(50)  # let the layout settle before grabbing (the dock at its default width)
    screenshot(main_window, "library-imported")
    screenshot(panel, "library-imported-panel")


@pytest.fixture
def bad_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "bad"
    folder.mkdir()
    pdf = SAMPLES / "pdf" / "debatesum-paper.pdf"
    (folder / "corrupt.pdf").write_bytes(pdf.read_bytes()[:3000])
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret evidence")
    doc.save(
        str(folder / "locked.pdf"),
        encryption=pymupdf.PDF_ENCRYPT_AES_256,
        user_pw="debate",
        owner_pw="owner",
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (folder / "good.txt").write_text("Sanctions fail: targets adapt and trade moves elsewhere.\n")
    return sorted(folder.iterdir())


REASONS = {
    "corrupt.pdf": "PDF is damaged",
    "locked.pdf": "PDF is password-protected",
    "empty.txt": "empty file (0 bytes)",
    "picture.png": "PNG image",
}


def test_failures_are_listed_with_reasons(qtbot, main_window, bad_files) -> None:  # type: ignore[no-untyped-def]
    panel: LibraryPanel = main_window.library
    panel.import_paths(bad_files)
    wait_idle(qtbot, panel)

    by_name = {Path(r.path).name: r for r in results(panel)}
    assert by_name["good.txt"].status == FileStatus.IMPORTED
    for name, reason in REASONS.items():
        assert by_name[name].status == FileStatus.FAILED, name
        assert reason in by_name[name].reason
    model = panel.results.model
    for row in range(model.rowCount()):
        failed = model.result_at(row).status == FileStatus.FAILED
        assert (model.index(row, 0).data() == "FAILED") == failed
        assert (model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is not None) == failed
        if failed:  # the reason is on screen, not only in a tooltip
            assert model.index(row, 2).data() == model.result_at(row).reason
    assert "Done: 4 failed, 1 imported." in panel.results.summary.text()
    panel.results.failures_only.setChecked(True)
    assert panel.results.proxy.rowCount() == 4
    panel.results.view.selectRow(0)  # the full reason under the table
    assert "PDF is damaged" in panel.results.detail.text()
    qtbot.wait(50)
    screenshot(panel, "library-failures")
    panel.results.failures_only.setChecked(False)
    assert panel.sources.model.rowCount() == 1


def test_failures_readable_in_dark_palette(qtbot, app_ctx, bad_files) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QPalette

    from desktop.app import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, True)
    try:
        jobs = JobRegistry()
        panel = LibraryPanel(app_ctx, jobs)
        qtbot.addWidget(panel)
        panel.resize(620, 700)
        panel.show()
        panel.import_paths(bad_files)
        wait_idle(qtbot, panel)
        row = next(r for r, res in enumerate(results(panel)) if res.status == FileStatus.FAILED)
        brush = panel.results.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole)
        base = app.palette().color(QPalette.ColorRole.Base)
        assert brush.color().lightness() - base.lightness() > 80  # light red on dark
        screenshot(panel, "library-failures-dark")
        jobs.cancel_all()
    finally:
        apply_theme(app, False)


def test_second_drop_is_queued_and_unchanged(qtbot, main_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    panel: LibraryPanel = main_window.library
    (path,) = text_files(tmp_path / "twice", 1)
    overlap: list[int] = []

    def count_imports() -> None:
        overlap.append(sum(1 for j in main_window.jobs.running() if j.name == "import"))

    main_window.jobs.changed.connect(count_imports)
    drop(main_window, [path])
    drop(main_window, [path])
    assert panel.is_importing()
    wait_idle(qtbot, panel)
    assert [r.status for r in results(panel)] == [FileStatus.IMPORTED, FileStatus.UNCHANGED]
    assert max(overlap) == 1  # the second import waited for the first
    assert panel.sources.model.rowCount() == 1


def test_cancel_mid_import_then_resume(qtbot, main_window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    panel: LibraryPanel = main_window.library
    text_files(tmp_path / "many", 30)
    gate, reached = threading.Event(), threading.Event()
    real_job = panel_module.import_job

    def gated(ctx, paths):  # type: ignore[no-untyped-def]
        run = real_job(ctx, paths)

        def held(report, cancelled):  # type: ignore[no-untyped-def]
            def report_then_hold(event: object) -> None:
                report(event)
                if isinstance(event, FileResult) and event.index == 5 and not gate.is_set():
                    reached.set()
                    gate.wait(30)  # the worker stops here until the user has pressed Cancel

            return run(report_then_hold, cancelled)

        return held

    monkeypatch.setattr(panel_module, "import_job", gated)
    wait_idle(qtbot, panel)
    panel.import_paths([tmp_path / "many"])
    qtbot.waitUntil(reached.is_set, timeout=30_000)
    qtbot.waitUntil(lambda: len(results(panel)) == 5, timeout=10_000)
    assert panel.progress.isVisible() and panel.progress.bar.format() == "5 / 30 files"
    screenshot(panel, "library-importing")
    qtbot.mouseClick(panel.progress.cancel_button, Qt.MouseButton.LeftButton)
    gate.set()
    wait_idle(qtbot, panel)

    assert len(results(panel)) == 5
    assert panel.results.summary.text().startswith("Cancelled: 5 imported.")
    status = panel.snapshot.status  # type: ignore[union-attr]
    assert (status.sources, status.queued_files) == (5, 25)
    assert "25 files left from an unfinished import" in panel.status_label.text()
    assert panel.resume_button.isVisible() and panel.resume_button.text() == "Resume import"
    db = sqlite3.connect(main_window.ctx.data_dir.database)
    try:  # whole sources only: every stored source has its passages
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute(
            "SELECT COUNT(*) FROM sources s WHERE NOT EXISTS "
            "(SELECT 1 FROM passages p WHERE p.source_id = s.id)"
        ).fetchone() == (0,)
    finally:
        db.close()

    qtbot.mouseClick(panel.resume_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel)
    status = panel.snapshot.status  # type: ignore[union-attr]
    assert (status.sources, status.queued_files, status.pending_vectors) == (30, 0, 0)
    assert panel.sources.model.rowCount() == 30
    assert not panel.resume_button.isVisible()


def test_window_closing_starts_no_new_work(qtbot, main_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    panel: LibraryPanel = main_window.library
    wait_idle(qtbot, panel)
    panel.import_paths([tmp_path / "many"] if text_files(tmp_path / "many", 200) else [])
    panel.import_paths(text_files(tmp_path / "more", 2))  # queued behind the first
    assert main_window.jobs.cancel_all()
    qtbot.wait(300)  # deliver the jobs' queued "done" signals
    assert panel._closing and not main_window.jobs.running()
    assert panel._import is None and panel._snapshot is None


def test_remove_asks_first(qtbot, main_window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    panel: LibraryPanel = main_window.library
    text_files(tmp_path / "two", 2)
    panel.import_paths([tmp_path / "two"])
    wait_idle(qtbot, panel)
    before = panel.snapshot.status  # type: ignore[union-attr]
    assert before.sources == 2
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    table = panel.sources.table
    doomed = panel.sources.model.source_at(0)
    panel.sources.select_ids({doomed.id})
    assert panel.sources.remove_button.isEnabled()
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Delete)  # "No": nothing happens
    assert asked and doomed.display_name in asked[0]
    assert panel._removing is None and panel.sources.model.rowCount() == 2

    with qtbot.waitSignal(panel.library_changed, timeout=30_000):
        qtbot.mouseClick(panel.sources.remove_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, panel)
    after = panel.snapshot.status  # type: ignore[union-attr]
    assert after.sources == 1 and after.passages == before.passages - doomed.passages
    assert after.embedded == after.passages  # the removed passages' vectors went with them
    assert panel.sources.model.source_at(0).id != doomed.id


def test_embedder_unavailable_stores_text_and_says_why(qtbot, data_dir, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "no-such-model.gguf"
    save_settings(data_dir.settings, Settings(embedding_model=str(missing), threads=1))
    ctx = AppContext.open(data_dir)
    jobs = JobRegistry()
    panel = LibraryPanel(ctx, jobs)
    qtbot.addWidget(panel)
    panel.import_paths(text_files(tmp_path / "plain", 3))
    wait_idle(qtbot, panel, 60_000)
    status = panel.snapshot.status  # type: ignore[union-attr]
    assert (status.sources, status.embedded) == (3, 0) and status.pending_vectors == 3
    line = panel.status_label.text()
    assert "3 pending" in line and "Vectors pending:" in line and str(missing) in line
    assert "Vectors not computed:" in panel.results.summary.text()
    assert not panel.resume_button.isVisible()  # it would fail the same way
    jobs.cancel_all()


def test_thousands_of_files_stay_responsive(qtbot, data_dir, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # No embedder (vectors are not the point): phase 1 only, as fast as the core goes.
    save_settings(data_dir.settings, Settings(embedding_model=str(tmp_path / "none.gguf")))
    ctx = AppContext.open(data_dir)
    jobs = JobRegistry()
    panel = LibraryPanel(ctx, jobs)
    qtbot.addWidget(panel)
    panel.show()
    wait_idle(qtbot, panel, 30_000)
    n = 1500
    text_files(tmp_path / "big", n)
    model = panel.results.model
    inserts: list[int] = []
    resets: list[int] = []
    model.rowsInserted.connect(lambda *_: inserts.append(1))
    model.modelReset.connect(lambda *_: resets.append(1))
    gaps: list[float] = []
    import time

    from PySide6.QtCore import QTimer

    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    panel.import_paths([tmp_path / "big"])
    wait_idle(qtbot, panel, 180_000)
    timer.stop()
    assert model.rowCount() == n
    assert not resets  # rows were inserted, never reset while streaming
    assert len(inserts) < n / 5  # in batches, not one insert per file
    assert max(gaps) < 0.5, f"GUI thread blocked for {max(gaps):.2f} s"
    jobs.cancel_all()


def test_models_pass_qtmodeltester(qtmodeltester, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop.library.import_results_model import ImportResultsModel
    from desktop.library.sources_model import SourcesModel
    from evidence.index.records import SourceRecord

    sources = SourcesModel()
    qtmodeltester.check(sources)
    records = [
        SourceRecord(i, f"/x/{i}.pdf", "pdf", f"T{i}", ["A", "B", "C"][:i], "", "", "", 9, "", i)
        for i in range(4)
    ]
    sources.set_sources(records)
    qtmodeltester.check(sources)
    assert sources.index(3, 1).data() == "A et al." and sources.index(0, 2).data() == "n.d."
    res = ImportResultsModel()
    qtmodeltester.check(res)
    events = [
        FileResult(f"/x/{i}", FileStatus.FAILED if i % 2 else FileStatus.IMPORTED, i + 1, 6)
        for i in range(6)
    ]
    res.append(events[:2])
    res.append(events[2:])
    qtmodeltester.check(res)
    res.clear()
    qtmodeltester.check(res)
