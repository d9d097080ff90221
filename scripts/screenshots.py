"""Screenshots of the real window in its main states, on the shared samples, for the README.

Runs the real app (real library, models and agents) on a fresh data folder, drives it like a
user (import, open a backfile as a document, search, open a card, cut cards into it), and
saves PNGs. Remake them after any change to the window: `make screenshots` (offscreen; no
display needed).

Usage: python scripts/screenshots.py [--samples DIR] [--out DIR] [--size 1600x1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.context import AppContext  # noqa: E402
from desktop.app import apply_theme, make_app  # noqa: E402
from desktop.assistant.assistant_panel import TaskKind  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from evidence.datadir import DataDir  # noqa: E402
from evidence.settings import Settings, save_settings  # noqa: E402


def wait_until(app: QApplication, done: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise SystemExit(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)
    settle(app)


def settle(app: QApplication, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def shoot(widget: QWidget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not save {path}")
    print(f"saved {path}")


def cached_models() -> Settings:
    """Reuse the test suite's prepared models when they exist (conversion takes a while)."""
    cache = Path(os.environ.get("DEBATE_PREP_TEST_CACHE", ROOT / ".pytest_cache" / "models"))
    from agents.models.bundled import default_embedder_path, default_generator_path

    return Settings(
        embedding_model=str(default_embedder_path(cache)),
        generator_model=str(default_generator_path(cache)),
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "samples")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    ap.add_argument("--size", default="1600x1000")
    args = ap.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    apply_theme(app, dark=False)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = DataDir(Path(tmp) / "data").create()
        save_settings(data_dir.settings, cached_models())
        ini = QSettings(str(Path(tmp) / "window.ini"), QSettings.Format.IniFormat)
        window = MainWindow(AppContext.open(data_dir), ini)
        window.resize(width, height)
        window.show()
        settle(app)

        window.library.import_paths([args.samples])
        wait_until(app, lambda: not window.library.is_importing(), 600, "the import")
        wait_until(app, lambda: window.library.sources.table.model().rowCount() > 0, 30, "sources")
        window.library_dock.raise_()
        settle(app)
        shoot(window, args.out, "1-library")

        # A backfile open as a document (a copy: the screenshots never write to the samples).
        backfile = Path(tmp) / "neg.docx"
        shutil.copyfile(args.samples / "verbatim" / "neg.docx", backfile)
        window.files.open_path(backfile)
        window.search_dock.raise_()
        window.search.query.setText("UNCLOS duty to conserve whales")
        wait_until(app, lambda: window.search.results.rowCount() > 0, 60, "results")
        window.search.view.setCurrentIndex(window.search.results.index(0))
        window.search.open_current()
        settle(app)
        shoot(window, args.out, "2-search-and-card")

        window.assistant_dock.raise_()
        window.assistant.set_task(TaskKind.CUT, "UNCLOS requires states to conserve whales", 2)
        window.assistant.run()
        wait_until(app, lambda: not window.assistant.is_running(), 600, "the agents")
        shoot(window, args.out, "3-assistant-and-document")

        apply_theme(app, dark=True)
        settle(app)
        shoot(window, args.out, "4-dark")
        apply_theme(app, dark=False)

        window.jobs.cancel_all()
        for tab in window.tabs.all():  # the copies are thrown away: closing must not ask
            tab.editor.set_modified(False)
        window.close()
        settle(app)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
