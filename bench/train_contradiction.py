"""Train the Reviewer's contradiction check: resources/contradiction/contradiction_weights.npz.

Rows: every train-group card's real tag (consistent) and its variants of TRAIN_KINDS only
(bench/contradiction_data.py); the held-out kinds are never trained on. The head is the
numpy MLP of agents/cutter/head.py over agents/team/contradiction.py's features. The
threshold is chosen on out-of-fold probabilities inside train (file groups dealt to folds):
the quantile that flags REAL_TARGET of the real tags there, so validation is not used to pick
anything. Deterministic for one input; minutes on 2 cores, most of it the one embedding pass
(cached in bench/results/contradiction-embeddings/).

    python -m bench.train_contradiction [--out PATH] [--hidden 16] [--epochs 60]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agents.cutter.head import Head, train_head
from agents.team.contradiction import WEIGHTS_FILE, ContradictionCheck, save_check
from bench.contradiction_data import TRAIN_KINDS, Example, split
from bench.contradiction_features import TextVectors, feature_rows

ROOT = Path(__file__).resolve().parents[1]
FOLDS = 5
REAL_TARGET = 0.08  # share of real tags flagged out of fold (validation target: <= 10 %)


def out_of_fold(x: np.ndarray, y: np.ndarray, groups: Sequence[str], **kw: int) -> np.ndarray:
    names = sorted(set(groups))
    fold_of = {g: i % FOLDS for i, g in enumerate(names)}
    fold = np.array([fold_of[g] for g in groups])
    out = np.zeros(len(y))
    for k in range(FOLDS):
        head = _fit(x[fold != k], y[fold != k], **kw)
        out[fold == k] = head.probabilities(x[fold == k])
    return out


def _fit(x: np.ndarray, y: np.ndarray, *, hidden: int, epochs: int) -> Head:
    return train_head(x, y, hidden=hidden, epochs=epochs, batch=256)


def trained_rows(examples: Sequence[Example]) -> list[int]:
    return [i for i, e in enumerate(examples) if e.kind == "real" or e.kind in TRAIN_KINDS]


def main(argv: Sequence[str] | None = None) -> None:
    from agents.models.bundled import default_embedder_path
    from agents.runtime.embedder import LlamaEmbedder

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / Path(*WEIGHTS_FILE))
    parser.add_argument("--models", type=Path, default=ROOT / ".pytest_cache" / "models")
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args(argv)
    kw = {"hidden": args.hidden, "epochs": args.epochs}
    started = time.perf_counter()
    train, _ = split()
    rows = trained_rows(train)
    examples = [train[i] for i in rows]
    # One thread: on two busy cores two llama.cpp threads wait on each other (measured
    # 1.4 texts/s against 10 with one thread under a load of 16).
    with LlamaEmbedder(default_embedder_path(args.models), n_threads=1) as llama:
        x = feature_rows(examples, TextVectors(llama))
    embedded = time.perf_counter()
    y = np.array([e.kind != "real" for e in examples], dtype=np.float32)
    oof = out_of_fold(x, y, [e.group for e in examples], **kw)
    threshold = float(np.quantile(oof[y == 0], 1 - REAL_TARGET))
    check = ContradictionCheck(_fit(x, y, **kw), threshold)
    save_check(args.out, check)
    done = time.perf_counter()
    report = {
        "rows": len(y),
        "real_tags": int((y == 0).sum()),
        "variants": int(y.sum()),
        "train_kinds": list(TRAIN_KINDS),
        "threshold": round(threshold, 4),
        "out_of_fold": {
            "real_flagged_pct": round(float((oof[y == 0] >= threshold).mean()) * 100, 1),
            "variants_flagged_pct": round(float((oof[y == 1] >= threshold).mean()) * 100, 1),
        },
        "seconds": {
            "embedding_and_features": round(embedded - started, 1),
            "training": round(done - embedded, 1),
        },
        "out": str(args.out),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
