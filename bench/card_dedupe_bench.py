"""One card, one copy (issue 16, part 3): what storing a card once saves, and what it costs.

Imports folders of real files into fresh libraries twice in one run: the baseline stores a
card once per occurrence (as before: no digests passed to the store), the new path stores it
once with its places. Prints JSON: cards (analytics included), passages (= vectors to compute),
places, phase-1 import time and the time until the last file's transaction committed
(keyword-searchable; the highlight counts are stored after it) for each, the same for one 3,000-card
backfile built from the training cards with `write_docx` (the ≤ 3 s target), and the store
step alone for that backfile (parse excluded: the part this change touches).

    .venv/bin/python bench/card_dedupe_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.cards.card import CardDocument, Heading, Level, Node  # noqa: E402
from evidence.datadir import DataDir  # noqa: E402
from evidence.importing import importer  # noqa: E402
from evidence.importing.events import FileResult  # noqa: E402
from evidence.index.store import Store  # noqa: E402
from evidence.library import Library  # noqa: E402
from evidence.settings import Settings  # noqa: E402
from evidence.verbatim import read_verbatim  # noqa: E402
from evidence.verbatim.writer import write_docx  # noqa: E402

SHARED = ROOT.parent / "shared"
TRAINING = SHARED / "training" / "verbatim"
SAMPLES = SHARED / "samples"


@contextmanager
def baseline() -> Iterator[None]:
    """The old storage: every card occurrence its own card row and passage."""
    real = importer.read_card_source  # type: ignore[attr-defined]

    def no_keys(*args: Any, **kw: Any) -> Any:
        doc, source = real(*args, **kw)
        if source is not None:
            source = dataclasses.replace(source, keys=[None] * len(source.keys))
        return doc, source

    setattr(importer, "read_card_source", no_keys)  # noqa: B010
    try:
        yield
    finally:
        setattr(importer, "read_card_source", real)  # noqa: B010


@contextmanager
def commits_timed(marks: list[float]) -> Iterator[None]:
    """Each file's transaction committed (keyword-searchable from then on): the time."""
    real = Store.add_source

    def timed(self: Store, *args: Any, **kw: Any) -> int:
        source_id = real(self, *args, **kw)
        marks.append(time.perf_counter())
        return source_id

    setattr(Store, "add_source", timed)  # noqa: B010
    try:
        yield
    finally:
        setattr(Store, "add_source", real)  # noqa: B010


def import_once(paths: list[Path]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(DataDir(Path(tmp) / "data"), Settings(max_file_mb=200))
        marks: list[float] = []
        start = time.perf_counter()
        with commits_timed(marks):
            events = list(lib.import_paths(paths, embed=False))
        seconds = time.perf_counter() - start
        conn = lib.store.conn
        cards, passages, places, occurrences = conn.execute(
            "SELECT (SELECT COUNT(*) FROM cards), (SELECT COUNT(*) FROM passages), "
            "(SELECT COUNT(*) FROM card_places), "
            "(SELECT COUNT(*) FROM card_places pl JOIN cards c ON c.id = pl.card_id "
            "WHERE c.kind = 'card')"
        ).fetchone()
        failed = [e.path for e in events if isinstance(e, FileResult) and e.status == "failed"]
        lib.close()
    return {
        "seconds": round(seconds, 3),  # the whole phase 1, the highlight counts included
        # Until the last file's transaction committed: every file keyword-searchable.
        "searchable_seconds": round((marks[-1] if marks else start) - start, 3),
        "cards_stored": cards,
        "card_occurrences": occurrences,
        "passages": passages,
        "places": places,
        "failed": failed,
    }


def compare(paths: list[Path], repeat: int) -> dict[str, Any]:
    def runs(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        results = [fn() for _ in range(repeat)]
        out = dict(results[0])
        for key in ("seconds", "searchable_seconds"):
            out[key] = round(statistics.median(r[key] for r in results), 3)
        out["seconds_all"] = [r["seconds"] for r in results]
        return out

    with baseline():
        before = runs(lambda: import_once(paths))
    after = runs(lambda: import_once(paths))
    saved = before["passages"] - after["passages"]
    return {
        "files": len(paths),
        "baseline_one_copy_per_occurrence": before,
        "one_card_one_copy": after,
        "passages_and_vectors_saved": saved,
        "saved_pct": round(100 * saved / max(1, before["passages"]), 1),
        "import_time_ratio": round(after["seconds"] / max(1e-9, before["seconds"]), 3),
        "searchable_time_ratio": round(
            after["searchable_seconds"] / max(1e-9, before["searchable_seconds"]), 3
        ),
    }


def backfile(folder: Path, size: int) -> Path:
    """One big backfile of real cards: every training card under its file's pocket, then
    the first ones again under a second pocket (a backfile repeats cards) up to `size`."""
    cards: list[Node] = []
    pockets: list[Node] = []
    for path in sorted(TRAINING.glob("*.docx")):
        got: list[Node] = list(read_verbatim(path).cards())
        cards += got
        pockets.append(Heading(Level.POCKET, path.stem[:60], [Heading(Level.BLOCK, "Cards", got)]))
    repeat = cards[: max(0, size - len(cards))]
    pockets.append(Heading(Level.POCKET, "Repeats", [Heading(Level.BLOCK, "Again", repeat)]))
    out = folder / "backfile-3000.docx"
    write_docx(CardDocument(pockets, title="Backfile"), out)
    return out


def store_step(path: Path, repeat: int) -> dict[str, Any]:
    """The part of phase 1 this change touches, parse excluded: the file's source, passages,
    cards and places written in one transaction, in a fresh library, with and without
    digests (median of `repeat`)."""
    from evidence.parsers import parse_bytes
    from evidence.verbatim.importing import as_card_source

    data = path.read_bytes()
    limit = 200 * 1024 * 1024
    source = as_card_source(data, parse_bytes(data, file_name=path.name, max_bytes=limit), limit)
    assert source is not None

    def once(keys: list[str | None]) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            lib = Library(DataDir(Path(tmp) / "data"), Settings())
            start = time.perf_counter()
            lib.store.add_source(
                str(path), "h", source.doc, source.spans, embed_texts=source.embed_texts,
                extra=source.extra, keys=keys,
            )  # fmt: skip
            seconds = time.perf_counter() - start
            lib.close()
        return seconds

    before = statistics.median(once([None] * len(source.keys)) for _ in range(repeat))
    after = statistics.median(once(source.keys) for _ in range(repeat))
    return {
        "cards": source.cards,
        "baseline_store_s": round(before, 3),
        "one_card_one_copy_store_s": round(after, 3),
        "ratio": round(after / before, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backfile-only", action="store_true", help="skip the folders")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    if not args.backfile_only:
        report["training_verbatim"] = compare(sorted(TRAINING.glob("*.docx")), args.repeat)
        samples = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".md")
        report["samples"] = compare(samples, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        big = backfile(Path(tmp), 3000)
        report["backfile_3000"] = compare([big], args.repeat)
        report["backfile_3000_store_step"] = store_step(big, max(5, args.repeat))
    report["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
