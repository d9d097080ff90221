"""Terminal output for the CLI: a progress bar on stderr and marked snippets."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """A one-line bar redrawn in place on a terminal; on a pipe, a line every few seconds."""

    def __init__(self, label: str, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.label, self.stream, self.width = label, stream, width
        self.tty = stream.isatty()
        self._last = 0.0
        self._tenth = -1
        self._shown = False

    def update(self, done: int, total: int, note: str = "") -> None:
        now = time.monotonic()
        final = done >= total
        tenth = int(10 * done / total) if total else 10
        # On a pipe (a log, CI) print each tenth of the way, and at least every 5 s.
        if not self.tty and not final and tenth == self._tenth and now - self._last < 5.0:
            return
        self._last, self._tenth = now, tenth
        frac = done / total if total else 1.0
        bar = "#" * int(frac * self.width)
        line = f"{self.label} [{bar:<{self.width}}] {done}/{total} {note}"[:120]
        if self.tty:
            self.stream.write("\r\x1b[2K" + line)
            self._shown = True
        else:
            self.stream.write(line + "\n")
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
