"""The one cancel check every long operation takes: a plain callable, polled between steps.

The core never blocks on it; the CLI's Ctrl-C handler and the window's Stop button both set a
flag that the callable reads."""

from __future__ import annotations

from collections.abc import Callable

CancelCheck = Callable[[], bool]


def never() -> bool:
    """The default cancel check: nothing ever cancels."""
    return False
