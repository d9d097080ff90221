"""The Reviewer's contradiction check against today's cosine check, as JSON.

On the validation groups of shared/training (bench/contradiction_data.py): each card's real
tag (should pass) and rule-made variants that say the opposite (should be flagged), per kind,
with the kinds held out of training marked. Checkers, measured in the same run:

- cosine: today's Reviewer (agents/team/reviewer.py): flagged when cosine(tag, highlighted
  text) < SUPPORT_THRESHOLD
- ours: agents/team/contradiction.py with the shipped weights
- each --compare FILE: other weights (e.g. an earlier version's, `git show
  REV:resources/contradiction/contradiction_weights.npz > old.npz`) on the first feature
  columns they take: today's features only append columns, so older heads still apply

Times are per check: ours embeds the tag and <= K sentences and runs the head; cosine embeds
the tag and the highlighted text. Both are timed on a sample without the embedding cache.

    python -m bench.contradiction_eval [--split validation|development] [--time-sample 40]
        [--compare old.npz ...]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agents.cutter.head import Head
from agents.team.contradiction import load_check
from agents.team.reviewer import SUPPORT_THRESHOLD, support
from bench.contradiction_data import HELD_OUT_KINDS, KINDS, TRAIN_KINDS, Example, development
from bench.contradiction_data import split as data_split
from bench.contradiction_features import TextVectors, feature_rows
from evidence.cards.card import Mark
from evidence.index.embedding import Embedder

ROOT = Path(__file__).resolve().parents[1]


def read_text(e: Example) -> str:
    card = e.card
    return card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body


def cosine_scores(examples: Sequence[Example], vectors: TextVectors) -> np.ndarray:
    tags = vectors.get([e.tag for e in examples])
    reads = vectors.get([read_text(e) for e in examples])
    return np.asarray((tags * reads).sum(axis=1))


def rates(flags: np.ndarray, kinds: np.ndarray) -> dict[str, object]:
    contra = kinds != "real"
    held = np.isin(kinds, HELD_OUT_KINDS)
    per_kind = {
        k: {"n": int((kinds == k).sum()), "flagged_pct": _pct(flags[kinds == k])}
        for k in ("real", *KINDS)
    }
    return {
        "real_flagged_pct": _pct(flags[~contra]),
        "contradicting_flagged_pct": _pct(flags[contra]),
        "trained_kinds_flagged_pct": _pct(flags[np.isin(kinds, TRAIN_KINDS)]),
        "held_out_kinds_flagged_pct": _pct(flags[held]),
        "per_kind": per_kind,
    }


def _pct(x: np.ndarray) -> float:
    return round(float(np.mean(x)) * 100, 1) if len(x) else float("nan")


def other_head(path: Path) -> tuple[Head, float]:
    """Weights of any format: the head and its threshold."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    return Head.from_arrays(arrays, "c"), float(arrays["threshold"].reshape(-1)[0])


def timed(examples: Sequence[Example], embedder: Embedder, n: int) -> dict[str, float]:
    """Mean ms per check, embedding included (no cache), on the first n examples."""
    check = load_check()
    assert check is not None, "no contradiction weights: run bench/train_contradiction.py"
    sample = list(examples)[:n]
    t0 = time.perf_counter()
    for e in sample:
        check.check(e.tag, e.card, embedder)
    t1 = time.perf_counter()
    for e in sample:
        support(e.tag, e.card, embedder)
    t2 = time.perf_counter()
    per = 1000 / max(len(sample), 1)
    return {"ours_ms": round((t1 - t0) * per, 1), "cosine_ms": round((t2 - t1) * per, 1)}


def main(argv: Sequence[str] | None = None) -> None:
    from agents.models.bundled import default_embedder_path
    from agents.runtime.embedder import LlamaEmbedder

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--split", choices=("validation", "development"), default="validation")
    parser.add_argument("--models", type=Path, default=ROOT / ".pytest_cache" / "models")
    parser.add_argument("--time-sample", type=int, default=40)
    parser.add_argument("--compare", type=Path, action="append", default=[])
    args = parser.parse_args(argv)
    examples = data_split()[1] if args.split == "validation" else development()
    kinds = np.array([e.kind for e in examples])
    check = load_check()
    assert check is not None, "no contradiction weights: run bench/train_contradiction.py"
    with LlamaEmbedder(default_embedder_path(args.models), n_threads=1) as llama:
        vectors = TextVectors(llama)
        x = feature_rows(examples, vectors)
        cos = cosine_scores(examples, vectors)
        vectors.save()
        times = timed(examples, llama, args.time_sample)
    ours = check.head.probabilities(x) >= check.threshold
    report: dict[str, object] = {
        "split": args.split,
        "cards": int((kinds == "real").sum()),
        "examples": len(examples),
        "train_kinds": list(TRAIN_KINDS),
        "held_out_kinds": list(HELD_OUT_KINDS),
        "cosine": {"threshold": SUPPORT_THRESHOLD, **rates(cos < SUPPORT_THRESHOLD, kinds)},
        "ours": {"threshold": round(check.threshold, 4), **rates(ours, kinds)},
        "time_per_check": times,
    }
    for path in args.compare:
        head, threshold = other_head(path)
        flags = head.probabilities(x[:, : head.inputs]) >= threshold
        report[path.stem] = {"threshold": round(threshold, 4), **rates(flags, kinds)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
