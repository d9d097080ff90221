"""Entry point of the `debate-prep` command (pyproject's script and the frozen app's)."""

from __future__ import annotations

import multiprocessing
import os
import sys


def main() -> int:
    multiprocessing.freeze_support()  # a frozen build re-enters here in child processes
    if sys.argv[1:2] == ["selftest"]:  # hidden: the installer's smoke test (desktop/selftest.py)
        from cli.window import selftest

        return selftest(sys.argv[2:])
    from cli.exit_codes import ExitCode
    from cli.main import main as cli_main

    try:
        code = cli_main()
        sys.stdout.flush()  # a closed pipe shows here, not at exit as "Exception ignored"
    except KeyboardInterrupt:
        # A second Ctrl-C (cli/interrupt.py) aborts at once; the library is consistent at any
        # point (each file is one transaction) and the next `import` resumes the queue.
        print("\naborted", file=sys.stderr)
        return ExitCode.CANCELLED
    except BrokenPipeError:
        # The reader went away (`debate-prep sources | head`): end quietly, as Unix tools do.
        # stdout is pointed at /dev/null so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.BROKEN_PIPE
    return code


if __name__ == "__main__":
    raise SystemExit(main())
