"""`debate-prep doc stats FILE` and `debate-prep doc send-doc FILE --out F`: a Word document's
read time per Pocket/Hat/Block, and the copy without analytics sent to the other team."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cli.exit_codes import ExitCode
from evidence.datadir import DataDir
from evidence.documents.doc_file import open_document, save_document
from evidence.documents.send_doc import send_doc
from evidence.documents.stats import DocStats, document_stats, format_seconds
from evidence.errors import EvidenceError
from evidence.settings import load_settings
from evidence.verbatim.writer import ExportError

MIN_WPM, MAX_WPM = 60, 600  # the setting's range
_LEVELS = {1: "Pocket", 2: "Hat", 3: "Block"}


def add_doc_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doc = sub.add_parser("doc", help="a Word document: read time, send doc")
    actions = doc.add_subparsers(dest="doc_command", required=True)
    stats = actions.add_parser("stats", help="cards, words and read time per Pocket/Hat/Block")
    stats.add_argument("file", type=Path, help="a Verbatim .docx")
    stats.add_argument(
        "--wpm", type=_wpm, help="words per minute (default: the words_per_minute setting)"
    )
    send = actions.add_parser("send-doc", help="write the document without analytics")
    send.add_argument("file", type=Path, help="a Verbatim .docx (a speech doc)")
    send.add_argument("--out", required=True, type=Path, help="the .docx to write")


def run_doc(data_dir: DataDir, args: argparse.Namespace) -> int:
    if args.doc_command == "send-doc":
        return _send_doc(args.file, args.out)
    wpm = args.wpm or load_settings(data_dir.settings).words_per_minute
    return _stats(args.file, wpm, args.json)


def _wpm(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {raw!r}") from None
    if not MIN_WPM <= value <= MAX_WPM:
        raise argparse.ArgumentTypeError(f"words per minute go from {MIN_WPM} to {MAX_WPM}")
    return value


def _stats(path: Path, wpm: int, as_json: bool) -> int:
    try:
        opened = open_document(path)
    except EvidenceError as exc:
        print(f"error: cannot open {path}: {exc}", file=sys.stderr)
        return ExitCode.ERROR
    stats = document_stats(opened.doc, wpm)
    if as_json:
        print(json.dumps({"file": str(path), "wpm": wpm, **stats_json(stats)}, indent=1))
        return ExitCode.OK
    print(
        f"{path.name}: {stats.cards} cards, {stats.analytics} analytics, {stats.words:,} words; "
        f"reads {stats.words_read:,} words in {format_seconds(stats.read_seconds)} at {wpm} wpm"
    )
    rows = list(_rows(stats.children, 0))
    if rows:
        print(f"  {'':<8} {'section':<48} {'cards':>5} {'words read':>10} {'time':>7}")
        for line in rows:
            print(line)
    return ExitCode.OK


def stats_json(stats: DocStats) -> dict[str, Any]:
    """The document's figures and `sections`, each with the same keys plus title and level."""
    return {
        "cards": stats.cards,
        "analytics": stats.analytics,
        "words": stats.words,
        "words_read": stats.words_read,
        "read_seconds": round(stats.read_seconds, 1),
        "sections": [
            {"title": child.title, "level": child.level, **stats_json(child)}
            for child in stats.children
        ],
    }


def _rows(sections: list[DocStats], depth: int) -> Iterator[str]:
    for s in sections:
        title = ("  " * depth + s.title)[:48]
        yield (
            f"  {_LEVELS.get(s.level, ''):<8} {title:<48} {s.cards:>5} {s.words_read:>10,} "
            f"{format_seconds(s.read_seconds):>7}"
        )
        yield from _rows(s.children, depth + 1)


def _send_doc(path: Path, out: Path) -> int:
    if out.exists() and path.exists() and out.resolve() == path.resolve():
        print("error: --out is the speech doc itself: choose another file", file=sys.stderr)
        return ExitCode.ERROR
    try:
        opened = open_document(path)
    except EvidenceError as exc:
        print(f"error: cannot open {path}: {exc}", file=sys.stderr)
        return ExitCode.ERROR
    sent = send_doc(opened.doc)
    try:  # replaces an older send doc, atomically; the speech doc's styles go with it
        save_document(
            sent, out, expected=None, styles=opened.styles, force=True, parts=opened.parts
        )
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.ERROR
    dropped = document_stats(opened.doc, 1).analytics
    print(f"wrote {len(sent.cards())} cards to {out} ({dropped} analytics left out)")
    return ExitCode.OK
