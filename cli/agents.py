"""`debate-prep cut | block | answer | case`: the agent team at work in the terminal, step
by step; the cards go into the library and, with --out, into a Verbatim .docx.

The run itself is the app's (app.assistant.run_team, as in the window): this module parses
the arguments, prints each step as it streams and writes the .docx."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agents.team.events import Role, Started, StepEvent, TokenStreamed
from agents.team.tasks import AnswerTask, BlockTask, CaseTask, CutTask, Side, Task
from app.context import AppContext
from cli.exit_codes import ExitCode
from cli.interrupt import ctrl_c
from evidence.cards.card import CardDocument
from evidence.errors import EvidenceError
from evidence.library import Library

AGENT_COMMANDS = ("cut", "block", "answer", "case")


def add_agent_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cut = sub.add_parser("cut", help="the agents cut cards that prove a claim")
    cut.add_argument("claim")
    cut.add_argument("--cards", type=int, default=3, help="how many cards (default 3)")
    cut.add_argument("--source", help="cut only from this source (id, path or title)")
    block = sub.add_parser("block", help="the agents research a block for a claim")
    block.add_argument("claim")
    block.add_argument("--cards", type=int, default=3, help="how many reasons (default 3)")
    answer = sub.add_parser("answer", help="the agents write a block answering a card")
    answer.add_argument("card", help="the opponent's card: its tag, then its text ('-' = stdin)")
    answer.add_argument("--cards", type=int, default=3, help="how many answers (default 3)")
    case = sub.add_parser("case", help="the agents build a case for a resolution and side")
    case.add_argument("resolution")
    case.add_argument("--side", choices=[s.value for s in Side], default=Side.AFF.value)
    case.add_argument("--contentions", type=int, default=2, help="how many (default 2)")
    for parser in (cut, block, answer, case):
        parser.add_argument("--out", type=Path, help="also write the result to this .docx")


def build_task(args: argparse.Namespace) -> Task:
    """The task the command line asks for (a cut's --source is resolved by the run)."""
    if args.command == "cut":
        return CutTask(args.claim, cards=args.cards)
    if args.command == "block":
        return BlockTask(args.claim, answers=args.cards)
    if args.command == "answer":
        card = sys.stdin.read() if args.card == "-" else args.card
        return AnswerTask(card, answers=args.cards)
    return CaseTask(args.resolution, side=Side(args.side), contentions=args.contentions)


def run_agent_command(ctx: AppContext, library: Library, args: argparse.Namespace) -> ExitCode:
    # Imported here: llama.cpp and the team load only for the agent commands.
    from app.assistant import RunRequest, run_team, task_for

    request = RunRequest(build_task(args), getattr(args, "source", None) or "")
    try:
        task = task_for(library, request)  # a wrong --source fails before the model loads
        embedder = ctx.embedder()
        generator = ctx.generator()
    except EvidenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.ERROR
    printer = StepPrinter()
    with ctrl_c("after the current step") as stop:
        try:
            result = run_team(library, generator, embedder, task, printer, stop)
        except KeyboardInterrupt:  # a second Ctrl-C: abandoned where it stood, nothing kept
            result = None
        except EvidenceError as exc:
            printer.end_line()
            print(f"error: {exc}", file=sys.stderr)
            return ExitCode.ERROR
    printer.end_line()
    if result is None or result.cancelled:
        print("cancelled: no card was stored", file=sys.stderr)
        return ExitCode.CANCELLED
    if not result.cards:  # the Searcher has said why
        return ExitCode.ERROR
    print(f"stored {len(result.stored)} cards (ids {', '.join(map(str, result.stored))})")
    if args.out:
        from evidence.verbatim.writer import ExportError, write_docx

        try:
            write_docx(CardDocument(result.nodes, title=result.heading), args.out)
        except ExportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return ExitCode.ERROR
        print(f"wrote {args.out}")
    return ExitCode.OK


class StepPrinter:
    """Prints each step as `[Role] text`; streamed pieces continue their role's line."""

    def __init__(self) -> None:
        self._streaming: Role | None = None  # whose line is open

    def __call__(self, event: StepEvent) -> None:
        if isinstance(event, TokenStreamed):
            if self._streaming != event.role:
                self.end_line()
                print(f"[{event.role}] ", end="")
            print(event.text, end="", flush=True)
            self._streaming = event.role
            return
        self.end_line()
        if isinstance(event, Started) and event.role == Role.WRITER:
            print(f"[{event.role}] {event.text}\n[{event.role}] tag: ", end="", flush=True)
            self._streaming = event.role
            return
        print(f"[{event.role}] {event.text}")

    def end_line(self) -> None:
        if self._streaming is not None:
            print()
            self._streaming = None
