"""Team library at scale: a Chroma server on this machine holding N passages (issue 15).

Starts `chroma run` (the installed chromadb, 127.0.0.1, a temporary folder), fills the team
passage collection with N records laid out as `team share` writes them (synthetic unit
384-d vectors: embedding a million passages on 2 cores takes days; texts are real sample
sentences), then measures, in the same run:
- ingest: passages/s and seconds through chromadb's HttpClient, in the server's max batch;
- query: p50/p95 of `team search` as the app runs it (embed the query with the bundled
  MiniLM, nearest k, hits with who shared them), next to its two parts measured alone: the
  raw `collection.query` with a ready vector (the baseline our client adds to), and the
  embedding of the query;
- the server's resident memory (now and peak) and its folder's size on disk.

Run through bench/team_bench.py --part chroma [--passages N] [--queries Q] [--k K].
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "whaling moratorium violates UNCLOS",
    "sanctions fail to change regime behavior",
    "nuclear deterrence prevents great power war",
    "climate change causes resource wars",
    "economic decline leads to conflict",
    "federal government should increase fiscal redistribution",
    "universal basic income reduces poverty",
    "argument mining summarization dataset",
    "topicality protection means cessation",
    "Japan scientific whaling program",
    "international court of justice ruling on whaling",
    "the plan is key to hegemony",
    "carbon tax is regressive",
    "AI development causes extinction risk",
    "alliances deter Chinese aggression",
    "space militarization triggers arms race",
    "cap and trade fails",
    "healthcare costs drive the deficit",
    "states counterplan solves",
    "kritik of capitalism alternative",
]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--passages", type=int, default=1_000_000, help="records on the server")
    p.add_argument("--queries", type=int, default=200, help="timed team searches")
    p.add_argument("--k", type=int, default=10, help="hits per search")
    p.add_argument("--keep", action="store_true", help="keep the server's folder")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


def _folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def _sentences() -> list[str]:
    """Real sentences from the shared samples (the .md notes and the PDF's text)."""
    sys.path.insert(0, str(ROOT))
    from evidence.parsers import parse_bytes

    out: list[str] = []
    for path in sorted((ROOT.parent / "shared" / "samples").rglob("*")):
        if path.suffix.lower() not in (".pdf", ".md"):
            continue
        try:
            text = parse_bytes(path.read_bytes(), file_name=path.name).text
        except Exception:  # a sample this reader cannot parse: fewer sentences, no bench stop
            continue
        out += [s.strip() for s in text.split(". ") if 40 <= len(s.strip()) <= 400]
    return out or ["Synthetic passage text for the team library bench."]


def _percentile(xs: list[float], q: float) -> float:
    return round(statistics.quantiles(xs, n=100)[int(q) - 1] * 1000, 2) if len(xs) > 1 else 0.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from agents.models.bundled import default_embedder_path
    from agents.runtime.embedder import LlamaEmbedder
    from evidence.network import NetworkPolicy
    from evidence.team.search import team_search
    from evidence.team.server import connect
    from evidence.team.share import passages_collection

    folder = Path(tempfile.mkdtemp(prefix="team-chroma-bench-"))
    port = _free_port()
    log = (folder / "server.log").open("wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    chroma = Path(sys.executable).parent / "chroma"
    cmd = [str(chroma), "run", "--path", str(folder / "db"), "--host", "127.0.0.1"]
    proc = subprocess.Popen([*cmd, "--port", str(port)], stdout=log, stderr=log, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v2/heartbeat").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        # The tests' prepared model cache (the conversion is the slow part), else a new one.
        cache = Path(os.environ.get("DEBATE_PREP_TEST_CACHE", ROOT / ".pytest_cache" / "models"))
        embedder = LlamaEmbedder(default_embedder_path(cache), n_threads=2)
        server = connect(url, "", NetworkPolicy(enabled=True, allow_private=True))
        col = passages_collection(server, embedder, create=True)
        assert col is not None
        rss_empty = _rss(proc.pid)

        sentences = _sentences()
        rng = np.random.default_rng(7)
        pick = random.Random(7)
        batch = min(int(server.client.get_max_batch_size()), 5000)
        t0 = time.perf_counter()
        for at in range(0, args.passages, batch):
            n = min(batch, args.passages - at)
            vecs = rng.standard_normal((n, embedder.dim), dtype=np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            col.upsert(
                ids=[f"{i // 50:064x}:{i % 50}" for i in range(at, at + n)],
                embeddings=vecs,
                documents=[pick.choice(sentences) for _ in range(n)],
                metadatas=[
                    {"source_hash": f"{i // 50:064x}", "ordinal": i % 50, "kind": "passage",
                     "title": f"source {i // 50}", "shared_by": f"debater{i % 7}", "page": 0}
                    for i in range(at, at + n)
                ],
            )  # fmt: skip
            done = at + n  # progress on stderr: a run stopped by a time limit still says
            print(f"ingested {done} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        ingest_s = time.perf_counter() - t0
        count = int(col.count())
        rss_full = _rss(proc.pid)

        queries = [QUERIES[i % len(QUERIES)] for i in range(args.queries)]
        first = time.perf_counter()
        team_search(server, embedder, queries[0], args.k)  # loads the index into memory
        first_s = time.perf_counter() - first
        ours, raw, embed = [], [], []
        for q in queries:
            t = time.perf_counter()
            hits = team_search(server, embedder, q, args.k)
            ours.append(time.perf_counter() - t)
            assert len(hits) == min(args.k, count)
        for q in queries:
            t = time.perf_counter()
            vec = embedder.embed([q])[0]
            embed.append(time.perf_counter() - t)
            t = time.perf_counter()
            col.query(query_embeddings=[vec], n_results=args.k, include=["documents", "metadatas"])
            raw.append(time.perf_counter() - t)
        rss_after = _rss(proc.pid)
        embedder.close()
        direct = chromadb.HttpClient(
            host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
        )
        version = direct.get_version()
        return {
            "server": {"chroma_api": version, "host": "127.0.0.1", "cpus": os.cpu_count()},
            "passages": {"target": 1_000_000, "ran": args.passages, "in_collection": count},
            "ingest": {
                "seconds": round(ingest_s, 1),
                "passages_per_s": round(args.passages / ingest_s, 1),
                "batch": batch,
                "dim": embedder.dim,
                "vectors": "synthetic unit vectors; texts are sample sentences",
            },
            "query_ms": {
                "k": args.k,
                "n": len(queries),
                "first_search_ms": round(first_s * 1000, 1),
                "team_search_p50": _percentile(ours, 50),
                "team_search_p95": _percentile(ours, 95),
                "baseline_raw_chroma_query_p50": _percentile(raw, 50),
                "baseline_raw_chroma_query_p95": _percentile(raw, 95),
                "embed_query_p50": _percentile(embed, 50),
                "embed_query_p95": _percentile(embed, 95),
                "target_p95": 100.0,
            },
            "server_rss_bytes": {
                "empty": rss_empty.get("VmRSS", 0),
                "after_ingest": rss_full.get("VmRSS", 0),
                "after_queries": rss_after.get("VmRSS", 0),
                "peak": rss_after.get("VmHWM", 0),
            },
            "disk_bytes": _folder_bytes(folder / "db"),
        }
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
