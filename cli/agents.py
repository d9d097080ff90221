"""`debate-prep cut | block | answer | case`: the agent team at work in the terminal, step
by step; the cards go into the library and, with --out, into a Verbatim .docx."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from agents.team.events import Role, RunDone, Started, StepEvent, TokenStreamed
from agents.team.tasks import AnswerTask, BlockTask, CaseTask, CutTask, Side, Task
from evidence.cards.card import Card, CardDocument, Heading, Node
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


def build_task(library: Library, args: argparse.Namespace) -> Task:
    """The task the command line asks for; LookupError for a source that matches nothing."""
    if args.command == "cut":
        source_id = None
        if args.source:
            found = library.find_sources(args.source)
            if len(found) != 1:
                raise LookupError(f"{args.source!r} matches {len(found)} sources")
            source_id = found[0].id
        return CutTask(args.claim, cards=args.cards, source_id=source_id)
    if args.command == "block":
        return BlockTask(args.claim, answers=args.cards)
    if args.command == "answer":
        card = sys.stdin.read() if args.card == "-" else args.card
        return AnswerTask(card, answers=args.cards)
    return CaseTask(args.resolution, side=Side(args.side), contentions=args.contentions)


def run_agent_command(library: Library, args: argparse.Namespace) -> int:
    from agents.cutter.extractive import cut_marks
    from agents.models.generator_setup import generator_factory
    from agents.team.run import run_task
    from agents.team.team import Team
    from agents.team.web_research import web_research_from_settings
    from evidence.cards.cut import store_cut_cards

    task = build_task(library, args)
    try:
        embedder = library.embedder()
        generator = generator_factory(library.data_dir, library.settings)()
        # Web research only with web access on; off, the team never touches the network.
        web = web_research_from_settings(library.settings)
    except EvidenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    team = Team(library, generator, embedder, cut_marks, web)
    done: RunDone | None = None
    try:
        for event in run_task(task, team, stop.is_set):
            _print_step(event)
            if isinstance(event, RunDone):
                done = event
    except KeyboardInterrupt:
        stop.set()
        if web is not None:  # nothing is stored, so no web page the run imported is kept
            web.discard(library)
        print("\ncancelled: no card was stored", file=sys.stderr)
        return 130
    if done is None or done.cancelled:
        return 130
    cards: list[Card] = list(done.cards)
    nodes: list[Node] = list(done.nodes)
    if not cards:
        return 1
    heading = nodes[0].title if nodes and isinstance(nodes[0], Heading) else args.command
    ids = store_cut_cards(library.store, cards, heading)
    print(f"stored {len(ids)} cards (ids {', '.join(map(str, ids))})")
    if args.out:
        from evidence.verbatim.writer import ExportError, write_docx

        try:
            write_docx(CardDocument(list(nodes), title=heading), args.out)
        except ExportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.out}")
    return 0


_last_role: list[Role | None] = [None]


def _print_step(event: StepEvent) -> None:
    if isinstance(event, TokenStreamed):
        if _last_role[0] != event.role:
            if _last_role[0] is not None:
                print()
            print(f"[{event.role}] ", end="")
        print(event.text, end="", flush=True)
        _last_role[0] = event.role
        return
    if _last_role[0] is not None:
        print()
        _last_role[0] = None
    if isinstance(event, Started) and event.role == Role.WRITER:
        print(f"[{event.role}] {event.text}\n[{event.role}] tag: ", end="", flush=True)
        _last_role[0] = event.role
        return
    print(f"[{event.role}] {event.text}")
