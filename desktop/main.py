"""Entry point of the `debate-prep` command."""

from __future__ import annotations

import multiprocessing


def main() -> int:
    multiprocessing.freeze_support()  # a frozen build re-enters here in child processes
    from desktop.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
