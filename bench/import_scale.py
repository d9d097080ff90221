"""A real import at scale for bench/index_bench.py: real backfiles to keyword search, then to
vectors with the app's default embedder, in a child process whose peak RSS is the figure.

The baseline is today's embedder before issue 16 (F16 MiniLM, one thread per core, a card's
tag, read text and body embedded), timed against the default on the same sample of the
imported cards, interleaved; 100,000 passages are projected from the measured rates.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from agents.models.bundled import default_embedder_path
from agents.models.embedder_setup import default_threads, embedder_factory, embedding_threads
from agents.runtime.embedder import LlamaEmbedder
from evidence.cards.card import Card, Mark
from evidence.cards.store import embed_text
from evidence.datadir import DataDir
from evidence.library import Library
from evidence.settings import Settings
from evidence.verbatim import read_verbatim

TARGET_PASSAGES = 100_000
TARGET_MINUTES = 30


def child_import(data_root: Path, paths: list[Path]) -> dict[str, Any]:
    """Run in the child: import, then embed, with the app's default models."""
    data = DataDir(data_root)
    settings = Settings()
    default_embedder_path(data.create().models)  # converted before the clock starts
    lib = Library(data, settings, embedder_factory(data, settings))
    t0 = time.perf_counter()
    list(lib.import_paths(paths, embed=False))
    lexical_s = time.perf_counter() - t0
    lib.vectors()  # the embedder and Chroma loaded before the clock starts
    t0 = time.perf_counter()
    list(lib.embed_pending())
    embed_s = time.perf_counter() - t0
    status = lib.status()
    model_id = lib.embedder().model_id
    lib.close()
    return {
        "files": len(paths),
        "passages": status.passages,
        "embedded": status.embedded,
        "model_id": model_id,
        "threads": embedding_threads(),
        "to_keyword_search_s": round(lexical_s, 2),
        "embed_s": round(embed_s, 1),
        "passages_per_s": round(status.embedded / embed_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def today_text(card: Card) -> str:
    """A card's embedding text before issue 16: tag, read text, then the body."""
    read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE)
    return f"{card.tag}\n{read}\n{card.body}".strip()


def baseline_ratio(work: Path, paths: list[Path], sample: int, reps: int) -> dict[str, Any]:
    """Today's embedder and the default on the same `sample` cards, interleaved `reps` times."""
    every = [c for p in paths if p.suffix == ".docx" for c in read_verbatim(p).cards()]
    cards = every[:: max(1, len(every) // sample)][:sample]
    old = LlamaEmbedder(default_embedder_path(work, "f16"), n_threads=default_threads())
    new = LlamaEmbedder(default_embedder_path(work), n_threads=embedding_threads())
    runs: dict[str, list[float]] = {"today": [], "default": []}
    for _ in range(reps):
        for name, emb, texts in (
            ("today", old, [today_text(c) for c in cards]),
            ("default", new, [embed_text(c) for c in cards]),
        ):
            t0 = time.perf_counter()
            emb.embed(texts)
            runs[name].append(time.perf_counter() - t0)
    old.close()
    new.close()
    rate = {k: len(cards) / statistics.median(v) for k, v in runs.items()}
    return {
        "cards": len(cards),
        "reps": reps,
        "today": {"model_id": old.model_id, "threads": default_threads()},
        "seconds": {k: [round(s, 2) for s in v] for k, v in runs.items()},
        "today_passages_per_s": round(rate["today"], 2),
        "default_passages_per_s": round(rate["default"], 2),
        "speed_vs_today": round(rate["default"] / rate["today"], 2),
    }


def bench_real_import(work: Path, paths: list[Path], sample: int, reps: int) -> dict[str, Any]:
    load_before = [round(x, 2) for x in os.getloadavg()]
    cmd = [sys.executable, str(Path(__file__).with_name("index_bench.py")), "--child-import"]
    done = subprocess.run(
        [*cmd, str(work / "real-import"), *map(str, paths)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    result["load_during"] = [load_before, [round(x, 2) for x in os.getloadavg()]]
    result["baseline"] = baseline_ratio(work / "models", paths, sample, reps)
    rate = result["passages_per_s"]
    result["projected_100k_minutes"] = round(TARGET_PASSAGES / rate / 60, 1)
    today = result["baseline"]["today_passages_per_s"]
    result["projected_100k_minutes_today"] = round(TARGET_PASSAGES / today / 60, 1)
    result["target_minutes"] = TARGET_MINUTES
    return result
