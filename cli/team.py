"""`debate-prep team ...`: the squad's shared library on a Chroma server.

connect/status/disconnect, share, search, pull. A team failure (server gone, token refused,
another embedder) is one `error:` line and exit code 1; local commands never depend on it."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from app.context import AppContext
from app.team import (
    pull_source,
    search_team,
    share,
    team_connect,
    team_disconnect,
    team_status,
)
from cli.cards import resolve_sources
from cli.exit_codes import ExitCode
from cli.interrupt import ctrl_c
from evidence.errors import EvidenceError
from evidence.library import Library


def add_team_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    team = sub.add_parser("team", help="the squad's shared library on a Chroma server")
    cmds = team.add_subparsers(dest="team_command", required=True)
    c = cmds.add_parser("connect", help="check a team server and keep it in the settings")
    c.add_argument("url", help="e.g. http://192.168.1.20:8000")
    c.add_argument("--token", default="", help="the squad's token (sent as Bearer)")
    cmds.add_parser("status", help="the server, its version and what the squad has shared")
    cmds.add_parser("disconnect", help="forget the server and token")
    s = cmds.add_parser("share", help="send sources (text, cards, vectors) to the team")
    s.add_argument("sources", nargs="*", help="ids, paths, file names or titles")
    s.add_argument("--all", action="store_true", help="every source in your library")
    q = cmds.add_parser("search", help="search what the squad has shared")
    q.add_argument("query")
    q.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    p = cmds.add_parser("pull", help="copy a shared source into your library (for offline)")
    p.add_argument("refs", nargs="+", help="a hit id from `team search` (hash:n) or a hash")


def run_team(ctx: AppContext, library: Library, args: argparse.Namespace) -> int:
    try:
        return _COMMANDS[args.team_command](ctx, library, args)
    except EvidenceError as exc:  # TeamError, web off, no embedder: one line says why
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.ERROR


def _connect(ctx: AppContext, library: Library, args: argparse.Namespace) -> int:
    status = team_connect(ctx, args.url, args.token)
    print(f"connected to {status.url} (Chroma API {status.version}); token saved")
    return _print_status(status, args.json)


def _status(ctx: AppContext, library: Library, args: argparse.Namespace) -> int:
    return _print_status(team_status(ctx), args.json)


def _print_status(status: object, as_json: bool) -> int:
    data = asdict(status)  # type: ignore[call-overload]
    if as_json:
        print(json.dumps(data, indent=1))
        return ExitCode.OK
    print(
        f"team server {data['url']} (Chroma API {data['version']}): "
        f"{data['shared_sources']} sources, {data['shared_passages']} passages shared"
        + (f", embedded with {data['embedder']}" if data["embedder"] else "")
        + f"; you share as {data['shared_by']!r}"
    )
    return ExitCode.OK


def _disconnect(ctx: AppContext, library: Library, args: argparse.Namespace) -> int:
    was = team_disconnect(ctx)
    print(f"disconnected from {was}" if was else "no team server was set")
    return ExitCode.OK


def _share(ctx: AppContext, library: Library, args: argparse.Namespace) -> int:
    if args.all == bool(args.sources):
        print("error: name sources to share, or --all (not both)", file=sys.stderr)
        return ExitCode.ERROR
    ids = [s.id for s in library.sources()] if args.all else resolve_sources(library, args.sources)
    results = []
    with ctrl_c("after the current batch") as stop:
        for r in share(ctx, library, ids or [], stop):
            results.append(asdict(r))
            if not args.json:
                print(_share_line(r.status, r.title, r.sent, r.total, r.resumed_from, r.shared_by))
    if args.json:
        print(json.dumps(results, indent=1))
    interrupted = any(r["status"] == "interrupted" for r in results)
    if interrupted and not args.json:
        print("interrupted: run `team share` again to resume")
    return ExitCode.CANCELLED if interrupted else ExitCode.OK


def _share_line(status: str, title: str, sent: int, total: int, start: int, who: str) -> str:
    if status == "already shared":
        return f"  already shared  {title} (by {who})"
    resumed = f", resumed at {start}" if start else ""
    return f"  {status:<15} {title}: {sent} of {total} passages sent{resumed}"


def _search(ctx: AppContext, library: Library, args: argparse.Namespace) -> int:
    hits = search_team(ctx, args.query, args.k)
    if args.json:
        print(json.dumps([asdict(h) for h in hits], indent=1))
        return ExitCode.OK
    if not hits:
        print(f"no team results for {args.query!r}")
    for n, h in enumerate(hits, 1):
        page = f", p. {h.page}" if h.page else ""
        print(f"{n}. {h.source}{page} (shared by {h.shared_by}) [{h.id}]")
        print(f"   {(h.tag or h.text)[:200]}")
    return ExitCode.OK


def _pull(ctx: AppContext, library: Library, args: argparse.Namespace) -> int:
    for ref in args.refs:
        r = pull_source(ctx, library, ref)
        if args.json:
            print(json.dumps(asdict(r)))
        elif r.already:
            print(f"already in your library: {r.title} (source {r.source_id})")
        else:
            print(
                f"pulled {r.title} (shared by {r.shared_by}): source {r.source_id}, "
                f"{r.passages} passages, {r.cards} cards; searchable offline"
            )
    return ExitCode.OK


_COMMANDS = {
    "connect": _connect,
    "status": _status,
    "disconnect": _disconnect,
    "share": _share,
    "search": _search,
    "pull": _pull,
}
