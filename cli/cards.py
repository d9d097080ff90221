"""`debate-prep cards` and `debate-prep export`: list imported cards, write Verbatim .docx."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from evidence.cards.card import Card, Mark
from evidence.cards.highlight_check import check_card
from evidence.cards.store import CardRow
from evidence.library import Library


def add_card_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cards = sub.add_parser("cards", help="list cards imported from Verbatim files")
    cards.add_argument("--source", action="append", help="only from this source (id/path/title)")
    cards.add_argument(
        "--check",
        action="store_true",
        help="only cards whose highlight misreads: split words, dropped negations, "
        "highlight outside underline, reads that trail off or have no verb",
    )
    ex = sub.add_parser("export", help="write cards, blocks or whole files to a Verbatim .docx")
    ex.add_argument("--out", required=True, type=Path, help="the .docx to write")
    ex.add_argument("--source", action="append", help="whole outline of this source")
    ex.add_argument("--card", action="append", type=int, help="this card id (see `cards`)")
    ex.add_argument("--highlight", help="one highlight colour for all (e.g. yellow, cyan)")
    ex.add_argument("--shrink", action="store_true", help="non-underlined text at 8 pt")
    ex.add_argument("--condense", action="store_true", help="one paragraph per card body")
    ex.add_argument("--no-analytics", action="store_true", help="leave analytics out")


def resolve_sources(library: Library, refs: list[str] | None) -> list[int] | None:
    if not refs:
        return None
    ids: list[int] = []
    for ref in refs:
        found = library.find_sources(ref)
        if not found:
            raise LookupError(f"no source matches {ref!r}")
        ids += [s.id for s in found]
    return ids


def run_cards(library: Library, args: argparse.Namespace) -> int:
    source_ids = resolve_sources(library, args.source)  # LookupError: main() reports it
    rows = library.cards(source_ids)
    if args.check:
        return _run_check(rows, as_json=args.json)
    if args.json:
        out = [{"id": r.id, "source_id": r.source_id, "path": r.path,
                "kind": "card" if isinstance(r.node, Card) else "analytic", **asdict(r.node)}
               for r in rows]  # fmt: skip
        print(json.dumps(out, indent=1))
        return 0
    for r in rows:
        where = " > ".join(title for _, title in r.path)[-50:]
        if isinstance(r.node, Card):
            read = len(r.node.text_of(Mark.HIGHLIGHT).split())
            print(f"{r.id:>5}  {r.node.tag[:60]:<60}  {r.node.short_cite[:20]:<20} "
                  f"{read:>4} words read  [{where}]")  # fmt: skip
        else:
            print(f"{r.id:>5}  {r.node.tag[:60]:<60}  (analytic)  [{where}]")
    cards = sum(isinstance(r.node, Card) for r in rows)
    print(f"{cards} cards, {len(rows) - cards} analytics")
    return 0


def _run_check(rows: list[CardRow], *, as_json: bool) -> int:
    """The highlight checker over stored cards, computed on read (imports stay as fast)."""
    checked = [(r, check_card(r.node)) for r in rows if isinstance(r.node, Card)]
    flagged = [(r, found) for r, found in checked if found]
    if as_json:
        out = [{"id": r.id, "source_id": r.source_id, "tag": r.node.tag,
                "findings": [{**asdict(f), "kind": f.kind.value} for f in found]}
               for r, found in flagged]  # fmt: skip
        print(json.dumps(out, indent=1))
        return 0
    kinds: Counter[str] = Counter()
    for r, found in flagged:
        where = " > ".join(title for _, title in r.path)[-50:]
        print(f"{r.id:>5}  {r.node.tag[:60]:<60}  [{where}]")
        for f in found:
            kinds[f.kind.value] += 1
            print(f"         {f.message}")
    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.most_common())
    print(f"{len(flagged)} of {len(checked)} cards have highlight findings"
          + (f" ({summary})" if summary else ""))  # fmt: skip
    return 0


def run_export(library: Library, args: argparse.Namespace) -> int:
    from evidence.verbatim.writer import ExportError, ExportOptions, write_docx

    source_ids = resolve_sources(library, args.source)  # LookupError: main() reports it
    doc = library.card_document(source_ids=source_ids, card_ids=args.card)
    if not doc.nodes:
        print("error: nothing to export: no cards match (import Verbatim files first)",
              file=sys.stderr)  # fmt: skip
        return 1
    options = ExportOptions(
        highlight_color=args.highlight,
        shrink=args.shrink,
        condense=args.condense,
        include_analytics=not args.no_analytics,
    )
    try:
        write_docx(doc, args.out, options)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(doc.cards())} cards to {args.out}")
    return 0
