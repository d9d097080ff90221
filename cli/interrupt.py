"""The command line's one Ctrl-C path.

The first Ctrl-C sets a flag that the running job polls between steps (files, batches,
download chunks, agent steps and streamed tokens), so it stops at a clean point and keeps
what is finished; a second Ctrl-C raises KeyboardInterrupt at once. The previous handler
comes back when the block ends.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class StopFlag:
    """A cancel check (`evidence.cancel.CancelCheck`) that Ctrl-C sets."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def __call__(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        self._event.set()


@contextmanager
def ctrl_c(what: str) -> Iterator[StopFlag]:
    """Within the block, Ctrl-C asks the job to stop; `what` says where it will stop
    ("after the current file", ...). Off the main thread (tests), signals cannot be caught:
    the flag is returned and only set by hand."""
    stop = StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(_sig: int, _frame: FrameType | None) -> None:
        if stop():
            raise KeyboardInterrupt
        stop.set()
        print(f"\nstopping {what}… (Ctrl-C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
