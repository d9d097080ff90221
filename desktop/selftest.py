"""`debate-prep selftest`: the app checks itself end to end (the installer's smoke test).

Hidden from --help; tests/test_installer_smoke.py runs it in the frozen build. It drives the
real window (offscreen under QT_QPA_PLATFORM=offscreen): the sample goes in through the
Library panel, a one-card cut runs through the Assistant panel with the configured model
(by default the one bundled with the app) into a new document, exported with File ▸ Export's
Verbatim writer, and the .docx is read back to check the card is in it. One JSON object per
line on stdout (steps and timings); exit 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_T0 = time.monotonic()
# Where the report lines go: a copy of stdout made at start. llama-cpp-python loading a model
# with verbose=False points fd 1 and sys.stdout at /dev/null for the whole process while it
# loads, so a line printed then from this thread would vanish (the window loads models in
# worker threads).
_report_to: Any = None


def since_launch() -> float:
    """Seconds since this process started (the OS's clock on Linux, else since import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            started_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
        return round(uptime - started_ticks / os.sysconf("SC_CLK_TCK"), 3)
    except (OSError, ValueError, IndexError):
        return round(time.monotonic() - _T0, 3)


def report(step: str, **fields: Any) -> None:
    global _report_to
    if _report_to is None:
        _report_to = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    line = json.dumps({"step": step, "t": since_launch(), **fields}, default=str)
    _report_to.write(line + "\n")
    _report_to.flush()


class SelftestError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="debate-prep selftest", description=__doc__)
    p.add_argument("--data-dir", required=True, help="a fresh folder for the library")
    p.add_argument("--out", required=True, type=Path, help="where the .docx and PNG go")
    p.add_argument("--sample", type=Path, help="a file to import (PDF, Word, text, HTML)")
    p.add_argument("--claim", default="", help="the claim to cut a card for")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds for each step")
    p.add_argument("--window-only", action="store_true", help="open the window, report, and quit")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.window_only and (args.sample is None or not args.claim):
        build_parser().error("--sample and --claim are needed unless --window-only")
    report("start", frozen=bool(getattr(sys, "frozen", False)), argv=list(argv or []))
    try:
        return _run(args)
    except SelftestError as exc:
        report("failed", reason=str(exc))
        return 1


def _run(args: argparse.Namespace) -> int:
    from app.context import AppContext
    from app.log_setup import setup_logging
    from desktop.app import apply_theme, make_app
    from desktop.main_window import MainWindow
    from evidence.datadir import resolve_data_dir

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    data_dir = resolve_data_dir(args.data_dir).create()
    setup_logging(data_dir.log_file)
    app = make_app()
    apply_theme(app)
    window = MainWindow(AppContext.open(data_dir))
    window.show()

    def exposed() -> bool:
        handle = window.windowHandle()
        return handle is not None and handle.isExposed()

    _wait(app, exposed, 60, "the window was never shown")
    report("window-shown", platform=app.platformName())
    if not window.grab().save(str(out / "window.png")):
        raise SelftestError("could not save a screenshot of the window")
    try:
        if not args.window_only:
            _import(app, window, Path(args.sample), args.timeout)
            cards = _cut(app, window, args.claim, args.timeout)
            _export(window, cards, out / "selftest.docx")
        _wait(app, lambda: not window.jobs.running(), args.timeout, "jobs still running")
    finally:
        for tab in window.tabs.all():  # the check's own document: closing must not ask
            tab.editor.set_modified(False)
        window.close()
        app.processEvents()
    report("done", ok=True)
    return 0


def _wait(app: Any, done: Callable[[], bool], timeout_s: float, what: str) -> None:
    from PySide6.QtCore import QEventLoop

    end = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > end:
            raise SelftestError(f"timed out after {timeout_s:.0f} s: {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)


def _import(app: Any, window: Any, sample: Path, timeout_s: float) -> None:
    if not sample.exists():
        raise SelftestError(f"no sample at {sample}")
    _wait(app, lambda: not window.jobs.running(), timeout_s, "start-up jobs")
    window.library.import_paths([sample])
    idle = lambda: not window.library.is_importing() and not window.jobs.running()  # noqa: E731
    _wait(app, idle, timeout_s, f"importing {sample.name}")
    library = window.ctx.open_library()
    try:
        status = library.status()
    finally:
        library.close()
    report(
        "imported",
        sample=str(sample),
        sources=status.sources,
        passages=status.passages,
        pending_vectors=status.pending_vectors,
    )
    if status.sources < 1 or status.passages < 1:
        raise SelftestError(f"{sample.name} was not imported (see the log)")
    if status.pending_vectors:
        raise SelftestError(f"{status.pending_vectors} passages have no vector")


def _cut(app: Any, window: Any, claim: str, timeout_s: float) -> list[Any]:
    import llama_cpp

    from agents.models.bundled import default_generator_path
    from desktop.assistant.assistant_panel import TaskKind

    settings = window.ctx.settings
    model = settings.generator_model or str(default_generator_path(window.ctx.data_dir.models))
    started = time.monotonic()
    window.assistant.set_task(TaskKind.CUT, claim, 1)
    if not window.assistant.run():
        raise SelftestError("the Assistant refused to run the cut task")
    _wait(app, lambda: not window.assistant.is_running(), timeout_s, "the cut task")
    cards: list[Any] = window.active_document().cards()
    report(
        "cut",
        seconds=round(time.monotonic() - started, 1),
        cards=len(cards),
        model=model,
        llama=llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip(),
    )
    if not cards:
        raise SelftestError(f"the agents cut no card for {claim!r} (see the log)")
    return cards


def _export(window: Any, cards: list[Any], path: Path) -> None:
    import docx

    from evidence.verbatim.writer import ExportOptions, write_docx

    write_docx(window.active_document(), path, ExportOptions())
    text = _squash(" ".join(p.text for p in docx.Document(str(path)).paragraphs))
    card = cards[0]
    body_start = _squash(card.body)[:60]
    found = {"tag": _squash(card.tag) in text, "body": body_start in text}
    report("exported", path=str(path), bytes=path.stat().st_size, tag=card.tag, found=found)
    if not all(found.values()):
        raise SelftestError(f"the exported .docx lacks the card's {found}")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
