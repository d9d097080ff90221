"""Word round-trip benchmark: Verbatim import and export speed (cards/s) on the largest sample.

Prints one JSON object: reading cards from the .docx (reader only, and a full library import
with the SQLite store, no vectors), and writing them back to a Verbatim .docx.

Usage: python bench/docx_bench.py [FILE.docx] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.datadir import DataDir  # noqa: E402
from evidence.library import Library  # noqa: E402
from evidence.settings import Settings  # noqa: E402
from evidence.verbatim import read_verbatim  # noqa: E402
from evidence.verbatim.writer import docx_bytes  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples" / "verbatim"


def timed(fn: Any, repeat: int) -> float:
    """Median seconds of `repeat` runs after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?", type=Path)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    path = args.file or max(SAMPLES.glob("*.docx"), key=lambda p: p.stat().st_size)
    data = path.read_bytes()
    doc = read_verbatim(data)
    cards = len(doc.cards())

    read_s = timed(lambda: read_verbatim(data), args.repeat)
    write_s = timed(lambda: docx_bytes(doc), args.repeat)

    def full_import() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            lib = Library(DataDir(Path(tmp)), Settings())
            list(lib.import_paths([path], embed=False))
            assert len(lib.cards()) >= cards
            lib.close()

    import_s = timed(full_import, max(3, args.repeat // 2))
    print(json.dumps({
        "file": path.name, "bytes": len(data), "cards": cards,
        "words": sum(len(c.body.split()) for c in doc.cards()),
        "read_cards_per_s": round(cards / read_s), "read_ms": round(read_s * 1000, 1),
        "library_import_cards_per_s": round(cards / import_s),
        "library_import_ms": round(import_s * 1000, 1),
        "export_cards_per_s": round(cards / write_s), "export_ms": round(write_s * 1000, 1),
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
