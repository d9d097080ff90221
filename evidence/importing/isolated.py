"""Run one call in a child process, so that a crash (a segfault in a C parser, an abort, the
memory killer) is known to be the call's own and not a kill of the app from outside."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from evidence.errors import EvidenceError

T = TypeVar("T")


class ReaderCrashed(EvidenceError):
    """The file made the reader's process die while it was read on its own."""


def run_isolated(fn: Callable[..., T], *args: Any) -> T:
    """fn(*args) in a fresh ("spawn") child: its result or its exception, or ReaderCrashed
    when the child dies first. `fn`, its arguments and its result must pickle."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    child.start()
    send.close()  # else recv() would wait for ever on our own copy of the write end
    try:
        ok, value = receive.recv()
    except EOFError:
        child.join()
        raise ReaderCrashed(_death(child.exitcode)) from None
    finally:
        receive.close()
    child.join()
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _child(send: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # sent back whole when it pickles
        result = (False, exc if isinstance(exc, EvidenceError) else _plain(exc))
    try:
        send.send(result)
    except Exception as exc:  # an unpicklable result or exception
        send.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
    send.close()


def _plain(exc: BaseException) -> BaseException:
    if isinstance(exc, MemoryError):
        return exc
    return RuntimeError(f"{type(exc).__name__}: {exc}")


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        how = f"was ended by {name}"
        if -exitcode == getattr(signal, "SIGKILL", 9):
            how += " (out of memory?)"
    else:
        how = f"exited with code {exitcode}"
    return f"reading this file crashed the reader (its process {how}); skipped"
