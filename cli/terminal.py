"""The command line's progress bar, on stderr: redrawn in place on a terminal, and on a pipe
(a log, CI) a line each tenth of the way and at least every few seconds."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_TTY_INTERVAL_S = 0.1  # at most ten redraws a second on a terminal
_PIPE_INTERVAL_S = 5.0  # on a pipe, a line at least this often while the tenth is the same


class ProgressBar:
    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30) -> None:
        self.label, self.width = label, width
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last = 0.0
        self._tenth = -1
        self._shown = False

    def update(self, done: int, total: int, note: str = "") -> None:
        """Counted work: a bar, `done/total` and a note."""
        frac = done / total if total else 1.0
        bar = "#" * int(min(frac, 1.0) * self.width)
        self.show(f"{self.label} [{bar:<{self.width}}] {done}/{total} {note}", frac)

    def show(self, text: str, frac: float | None) -> None:
        """Any one-line status; `frac` (None when unknown) paces the lines on a pipe."""
        now = time.monotonic()
        final = frac is not None and frac >= 1.0
        tenth = int(10 * frac) if frac is not None else -1
        if self.tty:
            if not final and now - self._last < _TTY_INTERVAL_S:
                return
            self.stream.write("\r\x1b[2K" + text[:120])
            self._shown = True
        else:
            if not final and tenth == self._tenth and now - self._last < _PIPE_INTERVAL_S:
                return
            self._tenth = tenth
            self.stream.write(text[:120] + "\n")
        self._last = now
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar so a result line can be printed in its place."""
        if self.tty and self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

    def finish(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
