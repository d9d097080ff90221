"""Long work off the GUI thread: a Job runs a plain core function in a QThread and turns its
callbacks into signals (progress / finished / failed), with cancel.

The core never sees Qt: `fn(report, cancelled)` gets a callback to report events and a
cancel check, and returns its result. Signals are emitted from the worker thread and
delivered to receivers in the GUI thread (queued connections).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import weakref

from PySide6.QtCore import QObject, QThread, Signal

from app.jobs import JobFn
from evidence.index.health import REPAIR_HINT

log = logging.getLogger(__name__)


class Job(QObject):
    progress = Signal(object)  # an event from the core (ImportEvent, StepEvent, ...)
    finished = Signal(object)  # the function's result
    failed = Signal(str)  # a message for the user (the traceback goes to the log)
    done = Signal()  # after finished, failed or cancel: the thread is over

    def __init__(
        self, name: str, fn: JobFn, parent: QObject | None = None, *, user_work: bool = False
    ) -> None:
        super().__init__(parent)
        self.name = name
        # Work the user started and would lose (import, agents, export): closing asks first.
        # Background reads (refresh, search) are just cancelled.
        self.user_work = user_work
        self._fn = fn
        self._cancel = threading.Event()
        self._thread = _Thread(self)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, ms: int = 30_000) -> bool:
        return self._thread.wait(ms)

    def _run(self) -> None:
        try:
            result = self._fn(self.progress.emit, self._cancel.is_set)
        except Exception as exc:  # every failure must reach the user
            log.exception("%s failed", self.name)
            self.failed.emit(_message(exc))
        else:
            self.finished.emit(result)
        finally:
            self.done.emit()


def _message(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, MemoryError):
        return "out of memory: close other programs or choose a smaller model"
    if isinstance(exc, sqlite3.DatabaseError):  # damage met while reading: say what to do
        return f"the library database is damaged ({text}); {REPAIR_HINT}"
    return text


_threads: weakref.WeakSet[_Thread] = weakref.WeakSet()


def running_threads() -> list[str]:
    """Names of job threads still running: tests fail when any is left behind."""
    return [t.objectName() for t in list(_threads) if t.isRunning()]


class _Thread(QThread):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self._job = job
        self.setObjectName(job.name)
        _threads.add(self)

    def run(self) -> None:
        self._job._run()


class JobRegistry(QObject):
    """The window's running jobs: for the close prompt and clean shutdown."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[Job] = []

    def start(self, job: Job) -> Job:
        self._jobs.append(job)
        # A bound method of a GUI-thread QObject, never a lambda: that makes the connection
        # queued, so the slot runs in the GUI thread.
        job.done.connect(self._on_done)
        job.start()
        self.changed.emit()
        return job

    def _on_done(self) -> None:
        job = self.sender()
        if not isinstance(job, Job):
            return
        job.wait()
        if job in self._jobs:
            self._jobs.remove(job)
        self.changed.emit()

    def running(self) -> list[Job]:
        return [j for j in self._jobs if j.is_running()]

    def cancel_all(self, wait_ms: int = 30_000) -> bool:
        """Cancel every job and wait for its thread; True when all stopped in time."""
        for job in self._jobs:
            job.cancel()
        ok = all(job.wait(wait_ms) for job in list(self._jobs))
        self._jobs = [j for j in self._jobs if j.is_running()]
        return ok
