"""Index benchmark: import, embedding and search speed against their raw baselines.

Prints one JSON object. Each figure sits next to the baseline measured in the same run:
- import to lexical-searchable (words/s) vs raw PyMuPDF `page.get_text()` on the same PDFs;
- embedding (tokens/s) through the library vs raw llama-cpp-python `Llama.embed` on the same
  texts, model and threads;
- search latency p50/p95 (lexical, vector, hybrid) at 10,000 and 100,000 passages. The
  corpus text is real sentences from the sample files reshuffled; corpus vectors are random
  unit vectors (embedding 100k passages on 2 cores takes hours), queries are embedded for real.

- with `--parts real-import`: the real backfiles of shared/training and shared/samples
  imported and embedded by the app's default embedder in a child process (peak RSS), against
  today's embedder on a sample of the same cards (bench/import_scale.py).

Usage: python bench/index_bench.py [--sizes 10000,100000] [--pdfs N] [--embed-passages N]
       [--parts import,embedding,search,real-import] [--real-files N] [--baseline-cards N]
       [--baseline-reps N]
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.models.bundled import default_embedder_path  # noqa: E402
from agents.models.embedder_setup import default_threads  # noqa: E402
from agents.runtime.embedder import LlamaEmbedder  # noqa: E402
from bench import import_scale  # noqa: E402
from evidence.datadir import DataDir  # noqa: E402
from evidence.index.passages import split_passages  # noqa: E402
from evidence.index.search import SearchFilters, search  # noqa: E402
from evidence.library import Library  # noqa: E402
from evidence.parsers.document import ParsedDocument, SourceKind  # noqa: E402
from evidence.settings import Settings  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples"
TRAINING = ROOT.parent / "shared" / "training" / "verbatim"
pymupdf: Any = importlib.import_module("pymupdf")  # untyped for mypy
QUERIES = [
    "UNCLOS duty to conserve whales",
    "sanctions fail",
    "nuclear war causes extinction",
    "economic growth is unsustainable",
    "China rise threatens US hegemony",
    "climate change leads to conflict",
    "deterrence prevents war",
    "free trade helps the poor",
    "the plan solves",
    "disease spread pandemic",
    "ocean acidification kills reefs",
    "federal government should increase",
    "populism undermines democracy",
    "artificial intelligence risk",
    "whaling moratorium",
    "innovation drives growth",
]


def sample_sentences() -> list[str]:
    from evidence.parsers import parse_file

    text = []
    for p in sorted(SAMPLES.rglob("*")):
        if p.suffix in (".docx", ".pdf"):
            text.append(parse_file(p).text)
    import re

    flat = " ".join(" ".join(text).split())  # one paragraph: the bench makes its own breaks
    return [s for s in re.split(r"(?<=[.!?]) ", flat) if len(s.split()) > 4]


def make_pdfs(folder: Path, count: int, sentences: list[str], rng: random.Random) -> list[Path]:
    """Text PDFs of 10 pages each, written with PyMuPDF from real debate sentences."""
    out = []
    for n in range(count):
        doc = pymupdf.open()
        for _ in range(10):
            page = doc.new_page()
            body = "\n\n".join(" ".join(rng.sample(sentences, 4)) for _ in range(6))
            page.insert_textbox(pymupdf.Rect(50, 50, 550, 800), body, fontsize=9)
        path = folder / f"doc{n:03d}.pdf"
        doc.save(path)
        out.append(path)
    return out


def bench_import(work: Path, pdfs: list[Path]) -> dict[str, Any]:
    t0 = time.perf_counter()
    raw_words = 0
    for p in pdfs:
        with pymupdf.open(p) as doc:
            raw_words += sum(len(page.get_text().split()) for page in doc)
    raw_s = time.perf_counter() - t0

    lib = Library(DataDir(work / "import-lib"), Settings())
    t0 = time.perf_counter()
    words = 0
    for ev in lib.import_paths(pdfs, embed=False):
        words += getattr(ev, "words", 0)
    ours_s = time.perf_counter() - t0
    assert lib.search("whales", mode="lexical"), "imported text must be searchable"
    lib.close()
    raw_wps, ours_wps = raw_words / raw_s, words / ours_s
    return {
        "files": len(pdfs),
        "words": words,
        "raw_pymupdf_words_per_s": round(raw_wps),
        "import_words_per_s": round(ours_wps),
        "ratio": round(ours_wps / raw_wps, 3),
        "target_ratio": 0.3,
    }


def bench_embedding(work: Path, sentences: list[str], n: int, rng: random.Random) -> dict[str, Any]:
    model_path = default_embedder_path(work / "models")
    threads = default_threads()
    texts = [" ".join(rng.sample(sentences, 6)) for _ in range(n)]
    embedder = LlamaEmbedder(model_path, n_threads=threads)
    # What both sides feed the model: each text cut to the embedder's token limit.
    tokens = sum(min(embedder.count_tokens(t), embedder.max_tokens) for t in texts)
    import llama_cpp

    # The raw baseline gets the same context and batch as the embedder (one text per decode;
    # see agents/runtime/embedder.py for why bigger batches are slower for BERT in llama.cpp).
    raw = llama_cpp.Llama(
        model_path=str(model_path),
        embedding=True,
        n_ctx=512,
        n_batch=256,
        n_ubatch=256,
        n_threads=threads,
        verbose=False,
    )
    raw.embed(texts[:4])  # warm-up
    embedder.embed(texts[:4])
    doc = ParsedDocument(SourceKind.TEXT, "\n\n".join(texts))
    spans = split_passages(doc, min_words=1, max_words=10_000)
    raw_runs: list[float] = []
    our_runs: list[float] = []
    # Interleaved, best of 3 each: a 2-core machine's background noise hits both sides alike.
    for rep in range(3):
        t0 = time.perf_counter()
        raw.embed(texts, truncate=True)
        raw_runs.append(time.perf_counter() - t0)

        lib = Library(DataDir(work / f"embed-lib-{rep}"), Settings(), lambda: embedder)
        lib.store.add_source("/bench/texts", "bench", doc, spans)
        lib.vectors()  # open Chroma before timing: the raw side's model load is not timed
        t0 = time.perf_counter()
        for _ in lib.embed_pending():
            pass
        our_runs.append(time.perf_counter() - t0)
        assert lib.status().embedded == len(spans)
        lib.close()
    del raw
    raw_s, ours_s = min(raw_runs), min(our_runs)
    return {
        "texts": n,
        "passages_embedded": len(spans),
        "tokens": tokens,
        "threads": threads,
        "raw_llama_tokens_per_s": round(tokens / raw_s),
        "library_tokens_per_s": round(tokens / ours_s),
        "library_passages_per_s": round(len(spans) / ours_s, 1),
        "ratio": round(raw_s / ours_s, 3),
        "target_ratio": 0.9,
    }


def bench_search(work: Path, size: int, sentences: list[str], rng: random.Random) -> dict[str, Any]:
    model_path = default_embedder_path(work / "models")
    embedder = LlamaEmbedder(model_path, n_threads=default_threads())
    lib = Library(DataDir(work / f"search-{size}"), Settings(), lambda: embedder)
    per_source = 500
    for s in range(0, size, per_source):
        paras = [" ".join(rng.sample(sentences, 8)) for _ in range(min(per_source, size - s))]
        doc = ParsedDocument(SourceKind.TEXT, "\n\n".join(paras), date=f"{2000 + s % 25}")
        spans = split_passages(doc, min_words=1, max_words=10_000)
        lib.store.add_source(f"/bench/{s}", f"h{s}", doc, spans)
    vectors = lib.vectors()
    ids = [p.id for p in lib.store.pending_passages(embedder.model_id, size)]
    vecs = np.random.default_rng(0).normal(size=(len(ids), embedder.dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    for i in range(0, len(ids), 5000):
        vectors.upsert(ids[i : i + 5000], vecs[i : i + 5000].tolist(), [0] * len(ids[i : i + 5000]))
    lib.store.mark_embedded(ids, embedder.model_id)
    out: dict[str, Any] = {"passages": lib.status().passages}
    for mode in ("lexical", "vector", "hybrid"):
        times = []
        for rep in range(6):
            for q in QUERIES:
                t0 = time.perf_counter()
                search(
                    lib.store,
                    q,
                    k=10,
                    filters=SearchFilters(),
                    vectors=vectors,
                    embedder=embedder,
                    mode=mode,
                )
                if rep:  # first pass warms caches
                    times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        out[mode] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
        }
    out["hybrid_target_p95_ms"] = 50
    lib.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--pdfs", type=int, default=40)
    ap.add_argument("--embed-passages", type=int, default=150)
    ap.add_argument("--parts", default="import,embedding,search")
    ap.add_argument("--baseline-cards", type=int, default=60)
    ap.add_argument("--baseline-reps", type=int, default=3)
    ap.add_argument("--real-files", type=int, default=0, help="training files (0 = all)")
    ap.add_argument("--scale-passages", type=int, default=100_000, help="for --parts scale")
    ap.add_argument("--child-import", nargs="+", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child-scale", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_import:  # the real import's child process (bench/import_scale.py)
        print(json.dumps(import_scale.child_import(args.child_import[0], args.child_import[1:])))
        return
    if args.child_scale:  # the scale part's child process
        target, root, *files = args.child_scale
        print(
            json.dumps(import_scale.child_scale(Path(root), [Path(f) for f in files], int(target)))
        )
        return
    parts = set(args.parts.split(","))
    rng = random.Random(42)
    sentences = sample_sentences()
    result: dict[str, Any] = {"machine": {"threads": default_threads()}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "import" in parts:
            pdf_dir = work / "pdfs"
            pdf_dir.mkdir()
            pdfs = [
                *make_pdfs(pdf_dir, args.pdfs, sentences, rng),
                SAMPLES / "pdf/debatesum-paper.pdf",
            ]
            result["import"] = bench_import(work, pdfs)
        if "embedding" in parts:
            result["embedding"] = bench_embedding(work, sentences, args.embed_passages, rng)
        if "search" in parts:
            result["search"] = {}
            for size in (int(s) for s in args.sizes.split(",")):
                result["search"][str(size)] = bench_search(work, size, sentences, rng)
        if "real-import" in parts:
            training = sorted(TRAINING.glob("*.docx"))[: args.real_files or None]
            files = [*training, *sorted(SAMPLES.rglob("*.docx"))]
            result["real_import"] = import_scale.bench_real_import(
                work, files, args.baseline_cards, reps=args.baseline_reps
            )
        if "scale" in parts:  # peak RSS of a library grown to --scale-passages
            training = sorted(TRAINING.glob("*.docx"))[: args.real_files or None]
            files = [*training, *sorted(SAMPLES.rglob("*.docx"))]
            result["scale"] = import_scale.bench_scale(work, files, args.scale_passages)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
