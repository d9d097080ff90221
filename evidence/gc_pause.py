"""Pausing the cyclic garbage collector around a burst of allocation.

Reading a 3,000-card backfile allocates a few hundred thousand small objects (paragraphs,
segments, spans) that all survive to the end of the read, none of them in a cycle. Each
allocation burst lets the collector run, and its older generations rescan every one of
them: a third of a big read's CPU time went there. Paused, the collector runs once after.
Reference counting still frees everything as usual; only cycles wait.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0  # reads in progress, in any thread
_resume = False  # whether the collector was on when the first of them began


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Collector off for the block; back as it was when the last overlapping block ends
    (a counter, so two threads reading at once do not turn it on under each other)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
