"""The exit status of every `debate-prep` command (README: Command line)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    SOME_FAILED = 2  # some files failed to import; the rest were imported
    DAMAGED = 3  # the library is damaged: `debate-prep doctor --repair` (README: Repair)
    CANCELLED = 130  # Ctrl-C: 128 + SIGINT, as shells report it
    BROKEN_PIPE = 141  # the reader went away (`| head`): 128 + SIGPIPE, as shells report it
