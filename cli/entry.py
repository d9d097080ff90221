"""Entry point of the `debate-prep` command."""

from __future__ import annotations

import multiprocessing
import sys


def main() -> int:
    multiprocessing.freeze_support()  # a frozen build re-enters here in child processes
    if sys.argv[1:2] == ["selftest"]:  # hidden: the installer's smoke test (desktop/selftest.py)
        from cli.window import selftest

        return selftest(sys.argv[2:])
    from cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
