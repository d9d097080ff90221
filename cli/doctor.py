"""`debate-prep doctor [--repair] [--json]`: what app/doctor.py found, and did, in lines."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from app.context import AppContext
from app.doctor import run_doctor
from cli.exit_codes import ExitCode
from cli.interrupt import ctrl_c


def add_doctor_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    d = sub.add_parser(
        "doctor", help="check the library (database, full-text index, vectors, settings)"
    )
    d.add_argument(
        "--repair",
        action="store_true",
        help="fix what is found: restore a damaged database from its newest good backup, "
        "rebuild the full-text index, compute missing vectors",
    )


def run_doctor_command(ctx: AppContext, args: argparse.Namespace) -> int:
    def say(line: str) -> None:
        if not args.json:
            print(line, file=sys.stderr, flush=True)

    with ctrl_c("after the current step") as stop:
        report = run_doctor(ctx, repair=args.repair, say=say, cancel=stop)
    if args.json:
        print(
            json.dumps(
                {"healthy": report.healthy, "findings": [asdict(f) for f in report.findings]},
                indent=1,
            )
        )
    else:
        for f in report.findings:
            print(f"{f.area:<9} {'ok     ' if f.ok else 'PROBLEM'}  {f.found}")
            if f.done:
                print(f"{'':<9} repaired {f.done}")
        if not report.healthy:
            print("run `debate-prep doctor --repair` to fix what was found")
    return ExitCode.OK if report.healthy else ExitCode.DAMAGED
