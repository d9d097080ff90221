"""The window on a damaged library: it says so once, touches nothing, and Repair restores it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from app.context import AppContext
from desktop.jobs import Job
from desktop.main_window import MainWindow
from evidence.datadir import DataDir
from evidence.index import health
from evidence.index.store import Store
from evidence.library import Library
from evidence.settings import Settings
from tests.conftest import ARTIFACTS
from tests.reliability_helpers import evidence_file


def test_window_offers_repair_of_an_empty_database_and_repairs_it(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, embedder
) -> None:
    data = DataDir(tmp_path / "data").create()
    a = evidence_file(tmp_path / "docs", "a.txt", 5)
    with Library(data, Settings()) as lib:
        list(lib.import_paths([a], embed=False))  # makes the first backup
    data.database.write_bytes(b"")
    health.forget(data.database)  # as a new process would: nothing cached

    window = MainWindow(
        AppContext.open(data, embedder=embedder),
        QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat),
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        messages = window.notices.messages()
        assert len(messages) == 1 and "is empty (0 bytes)" in messages[0]
        assert window.notices.action.isVisible()
        ARTIFACTS.mkdir(exist_ok=True)
        window.grab().save(str(ARTIFACTS / "window-library-damaged.png"))
        qtbot.wait(300)
        assert data.database.stat().st_size == 0  # nothing touched before the user chose

        qtbot.mouseClick(window.notices.action, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.repair.report is not None, timeout=180_000)
        assert window.repair.report is not None and window.repair.report.healthy
        assert "Library repaired" in window.notices.messages()[0]
        qtbot.waitUntil(lambda: not window.jobs.running(), timeout=60_000)  # panels refreshed
        assert window.library.sources.model.rowCount() == 1
        window.grab().save(str(ARTIFACTS / "window-library-repaired.png"))
    finally:
        window.jobs.cancel_all()
        window.close()
    store = Store(data.database)
    try:
        assert [s.origin for s in store.sources()] == [str(a)]
    finally:
        store.close()


def test_a_database_error_in_a_job_is_a_message_saying_what_to_do(qtbot) -> None:  # type: ignore[no-untyped-def]
    def damaged(report: object, cancelled: object) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")

    job = Job("read", damaged)
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        job.start()
    job.wait()
    message = failed.args[0]
    assert "library database is damaged" in message and "doctor --repair" in message
