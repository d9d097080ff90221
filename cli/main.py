"""The `debate-prep` command line: import, search, sources, remove, reindex."""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from functools import partial
from pathlib import Path

from app.context import AppContext
from app.log_setup import setup_logging
from app.search import ResultItem, result_items, search_floored
from cli.agents import AGENT_COMMANDS, add_agent_commands, run_agent_command
from cli.cards import add_card_commands, resolve_sources, run_cards, run_export
from cli.doc import add_doc_commands, run_doc
from cli.doctor import add_doctor_command, run_doctor_command
from cli.exit_codes import ExitCode
from cli.interrupt import ctrl_c
from cli.models import add_model_commands, run_models
from cli.settings import run_settings
from cli.team import add_team_commands, run_team
from cli.terminal import ProgressBar
from cli.window import open_window
from evidence.datadir import resolve_data_dir
from evidence.importing.events import (
    EmbedProgress,
    EmbedUnavailable,
    FileResult,
    FilesFound,
    FileStatus,
    ImportFinished,
)
from evidence.importing.progress import ImportMeter
from evidence.index.health import REPAIR_HINT, LibraryDamaged
from evidence.index.search import SearchFilters
from evidence.index.snippets import render_marked
from evidence.index.store import StoreError
from evidence.library import Library

log = logging.getLogger(__name__)


def _add_global_options(p: argparse.ArgumentParser, default: object) -> None:
    p.add_argument(
        "--data-dir",
        default=default if default is argparse.SUPPRESS else None,
        help="where the library lives (default: $DEBATE_PREP_HOME, else the user data folder)",
    )
    flag_default = default if default is argparse.SUPPRESS else False
    p.add_argument(
        "--json", action="store_true", default=flag_default, help="machine-readable output"
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", default=flag_default, help="log to the terminal too"
    )


def _global_options_everywhere(p: argparse.ArgumentParser) -> None:
    """Global options also after the subcommand (`debate-prep cards --json`). A subcommand's
    copy defaults to SUPPRESS, so it only sets what was given after it."""
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _add_global_options(child, argparse.SUPPRESS)
                _global_options_everywhere(child)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="debate-prep", description=__doc__)
    _add_global_options(p, None)
    sub = p.add_subparsers(dest="command")
    imp = sub.add_parser("import", help="import files and folders (PDF, Word, text, HTML)")
    imp.add_argument(
        "paths", nargs="*", help="files or folders; none = resume an unfinished import"
    )
    imp.add_argument("--no-vectors", action="store_true", help="skip the embedding phase")
    imp.add_argument(
        "--follow-links",
        action="store_true",
        default=None,
        help="import links in a folder that lead out of it (default: the follow_links setting)",
    )
    s = sub.add_parser("search", help="hybrid (BM25 + vector) search")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    s.add_argument("--source", action="append", help="only in this source (id, path or title)")
    s.add_argument(
        "--from", dest="date_from", default="", help="sources dated on/after (YYYY[-MM[-DD]])"
    )
    s.add_argument("--to", dest="date_to", default="", help="sources dated on/before")
    s.add_argument("--mode", choices=("hybrid", "lexical", "vector"), default="hybrid")
    sub.add_parser("sources", help="list imported sources")
    rm = sub.add_parser("remove", help="remove a source everywhere")
    rm.add_argument("source", help="id, path, file name or title")
    sub.add_parser("reindex", help="recompute every vector with the current embedding model")
    add_card_commands(sub)
    add_agent_commands(sub)
    add_model_commands(sub)
    add_team_commands(sub)
    add_doctor_command(sub)
    add_doc_commands(sub)
    st = sub.add_parser("settings", help="show settings, or change them: KEY=VALUE ...")
    st.add_argument("assignments", nargs="*", metavar="KEY=VALUE")
    _global_options_everywhere(p)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = resolve_data_dir(args.data_dir)
    try:
        data_dir.create()
    except OSError as exc:
        print(
            f"error: cannot use data folder {data_dir.root}: {exc.strerror or exc}", file=sys.stderr
        )
        return ExitCode.ERROR
    setup_logging(data_dir.log_file, args.verbose)
    if args.command is None:  # no subcommand: the window
        return open_window(data_dir)
    if args.command == "settings":
        return run_settings(data_dir.settings, args.assignments, args.json)
    if args.command == "models":  # needs no library: models never open the database
        return run_models(data_dir, args)
    if args.command == "doc":  # a Word file and the settings: no library
        return run_doc(data_dir, args)
    # The same context as the window's: settings, the shared embedder and generator.
    ctx = AppContext.open(data_dir)
    for notice in ctx.notices:
        print(f"warning: {notice}", file=sys.stderr)
    if args.command == "doctor":  # opens the database itself: it may be damaged
        return run_doctor_command(ctx, args)
    try:
        library = ctx.open_library()
    except (StoreError, LibraryDamaged) as exc:
        log.error("%s", exc)
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.DAMAGED if isinstance(exc, LibraryDamaged) else ExitCode.ERROR
    try:
        return _run_command(ctx, library, args)
    except sqlite3.DatabaseError as exc:  # damage found while reading: no traceback
        log.exception("library database error")
        print(f"error: the library database is damaged ({exc}); {REPAIR_HINT}", file=sys.stderr)
        return ExitCode.DAMAGED
    finally:
        for notice in library.notices:
            print(f"warning: {notice}", file=sys.stderr)


def _run_command(ctx: AppContext, library: Library, args: argparse.Namespace) -> int:
    with library:
        handlers: dict[str, Callable[[Library, argparse.Namespace], int]] = {
            "import": _import,
            "search": _search,
            "sources": _sources,
            "remove": _remove,
            "reindex": _reindex,
            "cards": run_cards,
            "export": run_export,
            **dict.fromkeys(AGENT_COMMANDS, partial(run_agent_command, ctx)),
            "team": partial(run_team, ctx),
        }
        handler = handlers.get(args.command)
        if handler is None:  # a subcommand the parser knows but this table lacks: a bug
            raise AssertionError(f"no handler for {args.command}")
        try:
            return handler(library, args)
        except LookupError as exc:  # a source reference that matches nothing
            print(f"error: {exc}", file=sys.stderr)
            return ExitCode.ERROR


def _import(library: Library, args: argparse.Namespace) -> int:
    with ctrl_c("after the current file") as stop:
        return _run_events(
            library.import_paths(
                args.paths, stop, embed=not args.no_vectors, follow_links=args.follow_links
            ),
            args.json,
        )


def _reindex(library: Library, args: argparse.Namespace) -> int:
    with ctrl_c("after the current batch") as stop:
        return _run_events(library.reindex(stop), args.json)


def _run_events(events: object, as_json: bool) -> int:
    files_bar, embed_bar = ProgressBar("files  "), ProgressBar("vectors")
    meter = ImportMeter()  # passages so far, the moving rate and the time left
    results: list[dict[str, object]] = []
    finished: ImportFinished | None = None
    unavailable = ""
    assert hasattr(events, "__iter__")
    for ev in events:  # type: ImportEvent
        snap = meter.feed(ev)
        if isinstance(ev, FilesFound):
            if ev.resumed and not as_json:
                print(f"resuming an unfinished import: {ev.resumed} files left over")
            files_bar.update(0, ev.total)
        elif isinstance(ev, FileResult):
            results.append(asdict(ev))
            if not as_json:
                files_bar.clear()
                print(_file_line(ev))
            note = (f"{snap.passages:,} passages", snap.detail(), Path(ev.path).name)
            files_bar.update(ev.index, ev.total, " · ".join(x for x in note if x))
        elif isinstance(ev, EmbedProgress):
            files_bar.finish()
            embed_bar.update(
                ev.done, ev.total, " · ".join(x for x in ("passages", snap.detail()) if x)
            )
        elif isinstance(ev, EmbedUnavailable):
            unavailable = ev.reason
            if not as_json:
                print(
                    f"vectors not computed: {ev.reason} (keyword search still works)",
                    file=sys.stderr,
                )
        elif isinstance(ev, ImportFinished):
            finished = ev
    files_bar.finish()
    embed_bar.finish()
    failed = sum(1 for r in results if r["status"] == FileStatus.FAILED)
    cancelled = finished.cancelled if finished else False
    if as_json:
        print(
            json.dumps(
                {
                    "files": results,
                    "counts": finished.counts if finished else {},
                    "failed": failed,
                    "cancelled": cancelled,
                    "pending_vectors": finished.pending_vectors if finished else None,
                    "vectors_unavailable": unavailable,
                    "highlight_flagged": finished.flagged if finished else 0,
                },
                indent=1,
            )
        )
    elif finished:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(finished.counts.items())) or "no files"
        print(
            f"done: {counts}; "
            + (
                f"passages waiting for vectors: {finished.pending_vectors}"
                if finished.pending_vectors is not None
                else "vectors skipped (run `debate-prep import` to compute them)"
            )
            + (" (cancelled: run import again to resume)" if cancelled else "")
        )
        if finished.flagged:
            print(flagged_line(finished.flagged, results))
    if cancelled:
        return ExitCode.CANCELLED
    return ExitCode.SOME_FAILED if failed else ExitCode.OK


def _file_line(ev: FileResult) -> str:
    name = ev.path
    if ev.status == FileStatus.FAILED:
        return f"  FAILED     {name}: {ev.reason}"
    detail = f"{ev.passages} passages" if ev.passages else ""
    if ev.cards:
        detail = f"{ev.cards} cards, {ev.passages - ev.cards} analytics (Verbatim)"
        if ev.flagged:
            detail += f", {ev.flagged} with highlight problems"
    if ev.status in (FileStatus.DUPLICATE, FileStatus.SKIPPED):
        detail = ev.reason
    elif ev.reason:
        detail += f" (warning: {ev.reason})"
    return f"  {ev.status:<10} {name}" + (f": {detail}" if detail else "")


def flagged_line(flagged: int, results: list[dict[str, object]]) -> str:
    """How many imported cards the highlight checker flags, and the command that lists them
    (for one file, only that file's)."""
    files = [str(r["path"]) for r in results if r.get("flagged")]
    where = f" --source {shlex.quote(Path(files[0]).name)}" if len(files) == 1 else ""
    cards = "1 card has" if flagged == 1 else f"{flagged} cards have"
    return f"{cards} highlight problems: debate-prep cards --check{where}"


def _search(library: Library, args: argparse.Namespace) -> int:
    source_ids = resolve_sources(library, args.source)
    filters = SearchFilters(source_ids, args.date_from, args.date_to)
    hits = search_floored(library, args.query, args.k, filters, args.mode)
    items = result_items(library, hits, args.query)
    if args.json:
        print(json.dumps([_hit_json(it) for it in items], indent=1))
        return ExitCode.OK
    if not items:
        status = library.status()
        hint = (
            " (the library is empty: run `debate-prep import PATH`)" if not status.sources else ""
        )
        print(f"no results for {args.query!r}{hint}")
        return ExitCode.OK
    tty = sys.stdout.isatty()
    before, after = ("\x1b[1;33m", "\x1b[0m") if tty else ("«", "»")
    for n, it in enumerate(items, 1):
        head, *rest = _hit_lines(it)
        print(f"{n}. {head}")
        for line in rest:
            print(f"   {line}")
        print(f"   {render_marked(it.hit.snippet, it.hit.marks, before, after)}")
    return ExitCode.OK


def _hit_lines(it: ResultItem) -> list[str]:
    """A card: its tag and short cite, then where it sits; a passage: its source and page."""
    h = it.hit
    ranks = ", ".join(
        x
        for x in (
            f"BM25 #{h.lexical_rank}" if h.lexical_rank else "",
            f"vector #{h.vector_rank}" if h.vector_rank else "",
        )
        if x
    )
    score = f"score {h.score:.4f} ({ranks})"
    if it.imported and it.card.tag:
        head = " — ".join(x for x in (it.card.tag, it.card.short_cite) if x)
        also = f" · {it.also_text()}" if it.also_in else ""
        return [head, f"{it.where()}{also} · {score}"]
    name = Path(h.origin).name
    where = it.where() + (f" [{name}]" if name != h.source_title else "")
    return [f"{where} · {score}"]


def _hit_json(it: ResultItem) -> dict[str, object]:
    out = asdict(it.hit)
    card = it.card if it.imported else None
    out.update(
        tag=card.tag if card else "",
        short_cite=card.short_cite if card else "",
        place=list(it.place),
        also_in=list(it.also_in),
    )
    return out


def _sources(library: Library, args: argparse.Namespace) -> int:
    sources = library.sources()
    if args.json:
        print(json.dumps([asdict(s) for s in sources], indent=1))
        return ExitCode.OK
    if not sources:
        print("the library is empty: run `debate-prep import PATH`")
    for s in sources:
        who = ", ".join(s.authors[:3]) or "no author"
        print(
            f"{s.id:>4}  {s.kind:<5} {s.display_name[:60]:<60}  {who[:30]:<30} "
            f"{s.date or '----':<10} {s.passages:>5} passages, {s.embedded:>5} with vectors"
        )
    status = library.status()
    print(
        f"{status.sources} sources, {status.passages} passages, {status.queued_files} files queued"
    )
    return ExitCode.OK


def _remove(library: Library, args: argparse.Namespace) -> int:
    found = library.find_sources(args.source)
    if not found:
        print(f"error: no source matches {args.source!r}", file=sys.stderr)
        return ExitCode.ERROR
    if len(found) > 1:
        print(f"error: {args.source!r} matches {len(found)} sources; use an id:", file=sys.stderr)
        for s in found:
            print(f"  {s.id}  {s.origin}", file=sys.stderr)
        return ExitCode.ERROR
    library.remove(found[0].id)
    print(f"removed {found[0].id}: {found[0].origin}")
    return ExitCode.OK
