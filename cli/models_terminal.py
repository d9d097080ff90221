"""What the `models` commands share on the terminal: exit codes, the web-off hint, a
progress line on stderr, and Ctrl+C that stops a download between chunks."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # the model manager loads llama.cpp: import it only when a command runs
    from agents.models import DownloadProgress

EXIT_OK, EXIT_ERROR, EXIT_CANCELLED = 0, 1, 130
WEB_OFF_HINT = (
    "downloads need web access: turn it on with `debate-prep settings web_access=on` "
    "(or the web switch in the window)"
)


class ProgressLine:
    """One status line on stderr: redrawn in place on a terminal, every 10% on a pipe."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last, self._tenth, self._shown = 0.0, -1, False

    def update(self, p: DownloadProgress) -> None:
        if p.phase == "done":
            return
        from agents.runtime.gpu import gb

        if p.phase == "checking":
            self.update_bytes("checking the part kept from last time", p.done, p.total)
            return
        pct = f"{p.fraction:6.1%}" if p.fraction is not None else "   ?  "
        size = f"{p.done / 1e6:,.0f}/{p.total / 1e6:,.0f} MB" if p.total else gb(p.done)
        left = _clock(p.seconds_left) + " left" if p.seconds_left is not None else ""
        self._show(
            f"{self.label}  {pct}  {size}  {p.bytes_per_s / 1e6:.1f} MB/s  {left}",
            p.fraction,
        )

    def update_bytes(self, what: str, done: int, total: int | None) -> None:
        frac = done / total if total else None
        pct = f"{frac:.0%}" if frac is not None else f"{done / 1e6:,.0f} MB"
        self._show(f"{self.label}: {what} {pct}", frac)

    def _show(self, text: str, frac: float | None) -> None:
        now = time.monotonic()
        tenth = int(10 * frac) if frac is not None else -1
        if self.tty:
            if now - self._last < 0.2 and frac != 1.0:
                return
            self.stream.write("\r\x1b[2K" + text[:120])
            self._shown = True
        else:
            if tenth == self._tenth and now - self._last < 10.0:
                return
            self._tenth = tenth
            self.stream.write(text + "\n")
        self._last = now
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


@contextmanager
def ctrl_c() -> Iterator[threading.Event]:
    """Ctrl+C sets the event (the download stops between chunks, keeping what it has); a
    second Ctrl+C aborts at once. The previous handler comes back afterwards."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(_sig: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nstopping… (the download can resume later; Ctrl+C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
