"""A real import at scale for bench/index_bench.py: real backfiles to keyword search, then to
vectors with the app's default embedder, in a child process whose peak RSS is the figure.

The baseline is today's embedder before issue 16 (F16 MiniLM, one thread per core, a card's
tag, read text and body embedded), timed against the default on the same sample of the
imported cards, interleaved; 100,000 passages are projected from the measured rates.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from agents.models.bundled import default_embedder_path
from agents.models.embedder_setup import default_threads, embedder_factory, embedding_threads
from agents.runtime.embedder import LlamaEmbedder
from evidence.cards.card import Card, Mark
from evidence.cards.store import embed_text
from evidence.datadir import DataDir
from evidence.index.passages import split_passages
from evidence.library import Library
from evidence.parsers.document import ParsedDocument, SourceKind
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


def child_scale(data_root: Path, paths: list[Path], target: int) -> dict[str, Any]:
    """Run in the child: the real import and its vectors (as child_import), then the library
    grown to `target` passages the way an import stores them (Store.add_source: SQLite, FTS5)
    with their vectors in the same Chroma index. Those vectors are random unit vectors, as in
    the search bench: computing one holds the model and a batch, measured in the real part;
    what grows with a season is the library the process holds. Peak RSS is the figure."""
    real = child_import(data_root, paths)
    data = DataDir(data_root)
    settings = Settings()
    lib = Library(data, settings, embedder_factory(data, settings))
    embedder, vectors = lib.embedder(), lib.vectors()
    rng = random.Random(7)
    words = " ".join(
        c.body for p in paths[:8] if p.suffix == ".docx" for c in read_verbatim(p).cards()
    )
    pool = words.split()
    t0 = time.perf_counter()
    at = 0
    while lib.status().passages < target:
        count = min(2000, target - lib.status().passages)
        paras = []
        for _ in range(count):
            start = rng.randrange(0, len(pool) - 200)
            paras.append(" ".join(pool[start : start + rng.randint(80, 180)]))
        doc = ParsedDocument(SourceKind.TEXT, "\n\n".join(paras))
        spans = split_passages(doc, min_words=1, max_words=10_000)
        lib.store.add_source(f"/scale/{at}", f"scale{at}", doc, spans)
        at += 1
        ids = [p.id for p in lib.store.pending_passages(embedder.model_id, count)]
        vecs = np.random.default_rng(at).normal(size=(len(ids), embedder.dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        vectors.upsert(ids, vecs.tolist(), [0] * len(ids))
        lib.store.mark_embedded(ids, embedder.model_id)
    grow_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    hits = lib.search("sanctions fail against Russia", k=10)
    search_s = time.perf_counter() - t0
    status = lib.status()
    lib.close()
    return {
        "real": real,
        "passages": status.passages,
        "embedded": status.embedded,
        "grow_s": round(grow_s, 1),
        "hybrid_search_s": round(search_s, 3),
        "hits": len(hits),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target_rss_mb": 1536,
    }


def bench_scale(work: Path, paths: list[Path], target: int) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).with_name("index_bench.py")), "--child-scale"]
    done = subprocess.run(
        [*cmd, str(target), str(work / "scale"), *map(str, paths)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout))


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
