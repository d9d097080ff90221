"""Raw embedding throughput per embedder configuration, interleaved, with today's as baseline.

The texts are real cards from shared/training (bench/retrieval_eval.py's sample): `card` is
read text then body (what a card's vector is made from, minus the tag), `read` the read text
only. A configuration is quantization/threads/batch tokens/text; every repetition runs each
configuration once, in turn, so load on a shared machine falls on all alike; the best and
the median of the repetitions are reported, with ratios to the first configuration.

Usage: python bench/embed_speed.py [--limit 60] [--reps 3]
       [--configs f16/2/256/card,f16/1/256/card,q8_0/1/256/card,q8_0/1/256/read]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.runtime.embedder import LlamaEmbedder  # noqa: E402
from bench.embed_common import emit, load_avg, model_files, tokens_of  # noqa: E402
from bench.retrieval_eval import card_text, eval_cards  # noqa: E402

DEFAULT_CONFIGS = (
    "f16/2/256/card,f16/1/256/card,q8_0/2/256/card,q8_0/1/256/card,"
    "q8_0/1/512/card,q8_0/1/256/read,q8_0/1/1024/read"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=60, help="cards")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--configs", default=DEFAULT_CONFIGS)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    configs = [c.split("/") for c in args.configs.split(",")]
    cards = eval_cards(args.limit, seed=1)
    texts = {kind: [card_text(c, kind) for c in cards] for kind in ("card", "read")}
    result: dict[str, Any] = {
        "cards": len(cards),
        "reps": args.reps,
        "cpus": len(os.sched_getaffinity(0)),
        "load_before": load_avg(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        models = model_files(Path(tmp), (c[0] for c in configs))
        embedders = {
            "/".join(c): LlamaEmbedder(models[c[0]], n_threads=int(c[1]), batch_tokens=int(c[2]))
            for c in configs
        }
        first = next(iter(embedders.values()))
        tokens = {k: tokens_of(first, v) for k, v in texts.items()}
        runs: dict[str, list[float]] = {name: [] for name in embedders}
        for _ in range(args.reps):
            for c in configs:
                name = "/".join(c)
                t0 = time.perf_counter()
                embedders[name].embed(texts[c[3]])
                runs[name].append(time.perf_counter() - t0)
                print(name, round(runs[name][-1], 2), file=sys.stderr, flush=True)
        base = "/".join(configs[0])
        out: dict[str, Any] = {}
        for c in configs:
            name = "/".join(c)
            best, median = min(runs[name]), statistics.median(runs[name])
            out[name] = {
                "seconds": [round(s, 2) for s in runs[name]],
                "passages_per_s_best": round(len(cards) / best, 2),
                "passages_per_s_median": round(len(cards) / median, 2),
                "tokens_per_s_best": round(tokens[c[3]] / best),
                "speed_vs_baseline_median": round(statistics.median(runs[base]) / median, 3),
                "speed_vs_baseline_best": round(min(runs[base]) / best, 3),
            }
        for emb in embedders.values():
            emb.close()
    result["tokens"] = tokens
    result["baseline"] = base
    result["configs"] = out
    result["load_after"] = load_avg()
    emit(result, args.out)


if __name__ == "__main__":
    main()
