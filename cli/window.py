"""Where the command line hands over to the window: `debate-prep` with no subcommand, and the
installer's hidden `selftest`.

Qt is imported here only, and only when one of these is called, so no subcommand ever loads
Qt. This module is the one edge from `cli` into `desktop` that the layer contract allows
(pyproject.toml, [tool.importlinter]); the window never imports `cli`.
"""

from __future__ import annotations

from collections.abc import Sequence

from evidence.datadir import DataDir


def open_window(data_dir: DataDir) -> int:
    from desktop.app import run_app

    return run_app(data_dir)


def selftest(argv: Sequence[str]) -> int:
    from desktop.selftest import main as selftest_main

    return selftest_main(list(argv))
