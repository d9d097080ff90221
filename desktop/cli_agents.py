"""`debate-prep cut`: the agent team at work in the terminal, step by step."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from agents.steps import Role, StepEvent, StepKind
from agents.tasks import CutTask
from evidence.cards import Card, CardDocument, Heading, Level
from evidence.errors import EvidenceError
from evidence.library import Library


def add_agent_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cut = sub.add_parser("cut", help="the agents cut cards that prove a claim")
    cut.add_argument("claim")
    cut.add_argument("--cards", type=int, default=3, help="how many cards (default 3)")
    cut.add_argument("--source", help="cut only from this source (id, path or title)")
    cut.add_argument("--out", type=Path, help="also write the cards to this Verbatim .docx")


def run_cut_command(library: Library, args: argparse.Namespace) -> int:
    from agents.cutter import cut_marks
    from agents.generator_setup import generator_factory
    from agents.loop import Team, run_cut
    from evidence.cut_cards import store_cut_cards

    source_id = None
    if args.source:
        found = library.find_sources(args.source)
        if len(found) != 1:
            print(f"error: {args.source!r} matches {len(found)} sources", file=sys.stderr)
            return 1
        source_id = found[0].id
    try:
        embedder = library.embedder()
        generator = generator_factory(library.data_dir, library.settings)()
    except EvidenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()
    team = Team(library, generator, embedder, cut_marks)
    task = CutTask(args.claim, cards=args.cards, source_id=source_id)
    done: StepEvent | None = None
    try:
        for event in run_cut(task, team, stop.is_set):
            _print_step(event)
            if event.kind == StepKind.DONE:
                done = event
    except KeyboardInterrupt:
        stop.set()
        print("\ncancelled: no card was stored", file=sys.stderr)
        return 130
    if done is None or done.data.get("cancelled"):
        return 130
    cards: list[Card] = done.data["cards"]
    if not cards:
        return 1
    heading = f"Cut: {args.claim}"[:120]
    ids = store_cut_cards(library.store, cards, heading)
    print(f"stored {len(ids)} cards (ids {', '.join(map(str, ids))})")
    if args.out:
        from evidence.verbatim.writer import ExportError, write_docx

        doc = CardDocument([Heading(Level.BLOCK, heading, list(cards))], title=heading)
        try:
            write_docx(doc, args.out)
        except ExportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.out}")
    return 0


_last_role: list[Role | None] = [None]


def _print_step(event: StepEvent) -> None:
    if event.kind == StepKind.TOKEN:
        print(event.text, end="", flush=True)
        _last_role[0] = event.role
        return
    if _last_role[0] is not None:
        print()
        _last_role[0] = None
    if event.kind == StepKind.START and event.role == Role.WRITER:
        print(f"[{event.role}] {event.text}\n[{event.role}] tag: ", end="", flush=True)
        _last_role[0] = event.role
        return
    print(f"[{event.role}] {event.text}")
