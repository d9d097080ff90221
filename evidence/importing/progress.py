"""Progress a person can trust for a long import: files done of total, passages stored,
vectors done of total, the rate, and the time left.

Both faces feed the import's events (events.py) to an `ImportMeter` and show its snapshot.
The time left is honest: the rate is a moving one over the last `window_s` seconds of work
(a season of backfiles embeds at a steady pace, but the first batch pays for loading the
model and a busy machine slows down), and nothing is promised until there is enough work
behind the estimate: `min_span_s` seconds and `min_steps` reports in the current phase.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from evidence.importing.events import EmbedProgress, FileResult, FilesFound

Clock = Callable[[], float]


class RateMeter:
    """Units per second over recent work, and the seconds left for the rest."""

    def __init__(self, window_s: float = 30.0, min_span_s: float = 5.0, min_steps: int = 3) -> None:
        self.window_s, self.min_span_s, self.min_steps = window_s, min_span_s, min_steps
        self._samples: deque[tuple[float, int]] = deque()
        self._steps = 0

    def add(self, now: float, done: int) -> None:
        if self._samples and done < self._samples[-1][1]:  # counted again from the start
            self._samples.clear()
            self._steps = 0
        self._samples.append((now, done))
        self._steps += 1
        # Forget work older than the window, keeping two samples to measure between.
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window_s:
            self._samples.popleft()

    def rate(self) -> float | None:
        """Units per second over the window; None until enough work to say."""
        if self._steps < self.min_steps or len(self._samples) < 2:
            return None
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        if t1 - t0 < self.min_span_s or d1 <= d0:
            return None
        return (d1 - d0) / (t1 - t0)

    def seconds_left(self, done: int, total: int) -> float | None:
        rate = self.rate()
        if rate is None:
            return None
        return max(0, total - done) / rate


@dataclass(frozen=True)
class ImportSnapshot:
    phase: str  # "files" or "vectors" (or "" before the first event)
    files_done: int = 0
    files_total: int = 0
    passages: int = 0  # stored by this import so far (keyword-searchable already)
    vectors_done: int = 0
    vectors_total: int = 0
    rate: float | None = None  # files or passages per second, of the current phase
    seconds_left: float | None = None  # of the current phase; None: not enough work yet

    @property
    def finished(self) -> bool:
        """The current phase has done all its work."""
        if self.phase == "vectors":
            return self.vectors_done >= self.vectors_total
        return self.phase == "files" and self.files_done >= self.files_total > 0

    def text(self) -> str:
        """One line for a status bar: what is done, then `detail()`."""
        if self.phase == "vectors":
            head = f"vectors {self.vectors_done:,}/{self.vectors_total:,}"
        else:
            head = f"files {self.files_done:,}/{self.files_total:,} · {self.passages:,} passages"
        detail = self.detail() if self.phase else ""
        return f"{head} · {detail}" if detail else head

    def detail(self) -> str:
        """The rate and the time left, or that the time left is not known yet."""
        unit = "passages/s" if self.phase == "vectors" else "files/s"
        parts = []
        if self.rate is not None:
            parts.append(
                f"{self.rate:,.1f} {unit}" if self.rate < 100 else f"{self.rate:,.0f} {unit}"
            )
        if self.finished:  # nothing is left to estimate
            pass
        elif self.seconds_left is None:
            parts.append("estimating time left…")
        elif self.seconds_left > 0:
            parts.append(f"about {duration(self.seconds_left)} left")
        return " · ".join(parts)


class ImportMeter:
    """Turns the import's events into snapshots (one clock, so tests can drive time)."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        window_s: float = 30.0,
        min_span_s: float = 5.0,
        min_steps: int = 3,
    ) -> None:
        self.clock = clock
        self._files = RateMeter(window_s, min_span_s, min_steps)
        self._vectors = RateMeter(window_s, min_span_s, min_steps)
        self.snapshot = ImportSnapshot("")

    def feed(self, event: object) -> ImportSnapshot:
        now, s = self.clock(), self.snapshot
        if isinstance(event, FilesFound):
            self._files.add(now, 0)
            s = ImportSnapshot("files", 0, event.total, s.passages)
        elif isinstance(event, FileResult):
            self._files.add(now, event.index)
            s = ImportSnapshot(
                "files",
                event.index,
                event.total,
                s.passages + event.passages,
                rate=self._files.rate(),
                seconds_left=self._files.seconds_left(event.index, event.total),
            )
        elif isinstance(event, EmbedProgress):
            self._vectors.add(now, event.done)
            s = ImportSnapshot(
                "vectors",
                s.files_done,
                s.files_total,
                s.passages,
                event.done,
                event.total,
                self._vectors.rate(),
                self._vectors.seconds_left(event.done, event.total),
            )
        self.snapshot = s
        return s


def duration(seconds: float) -> str:
    """'45 s', '4 min 30 s', '25 min', '2 h 05 min': as precise as an estimate can be."""
    s = round(seconds)
    if s < 60:
        return f"{max(s, 1)} s"
    if s < 600:
        minutes, rest = divmod(round(s / 10) * 10, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if s < 3600:
        return f"{round(s / 60)} min"
    hours, rest = divmod(round(s / 60), 60)
    return f"{hours} h {rest:02d} min"
