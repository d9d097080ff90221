"""Train the learned cutter from shared/training and write resources/cutter/cutter_weights.npz.

Steps: the deterministic file-group split (bench/cutter_data.py); one embedding pass per card
(cached on disk under bench/results/); an IDF table from the training bodies; per-word
features; a 3-fold cross-validation BY FILE GROUP inside the training split gives
out-of-fold underline probabilities (the highlight head's inputs, as at cutting time) and
the thresholds, chosen for word F1 after the rules; then both heads are fitted on the whole
training split and scored once on validation. Prints one JSON object.

Usage: python bench/train_cutter.py [--out PATH] [--models DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.cutter.head import train_head  # noqa: E402
from agents.cutter.learned import FORMAT, WEIGHTS_FILE  # noqa: E402
from agents.cutter.rules import apply_rules  # noqa: E402
from agents.cutter.text import split_words  # noqa: E402
from agents.cutter.word_features import context_features, layout, word_features  # noqa: E402
from bench.cutter_data import (  # noqa: E402
    CachedEmbedder,
    LabelledCard,
    card_vectors,
    training_split,
)

FOLDS = 3
IDF_MIN_DF = 3
GRID = np.round(np.arange(0.05, 0.8, 0.025), 3)


def idf_table(cards: Sequence[LabelledCard]) -> tuple[dict[str, float], float]:
    """log(N / df) over training bodies; rarer words than IDF_MIN_DF get the default."""
    df: Counter[str] = Counter()
    for lc in cards:
        df.update({w.key for w in split_words(lc.card.body)})
    n = len(cards)
    table = {k: round(math.log(n / c), 3) for k, c in df.items() if c >= IDF_MIN_DF and k}
    return table, round(math.log(n / 1.0), 3)


class Rows:
    """Features and labels of a list of cards, with each card's word range."""

    def __init__(
        self,
        cards: Sequence[LabelledCard],
        vectors: Sequence[np.ndarray],
        idf: dict[str, float],
        idf_default: float,
    ) -> None:
        xs, self.bounds, self.clauses, self.words, self.layouts = [], [], [], [], []
        start = 0
        for lc, vecs in zip(cards, vectors, strict=True):
            words = split_words(lc.card.body)
            card = layout(lc.card.tag, lc.card.body, words)
            xs.append(word_features(lc.card.tag, lc.card.body, words, card, vecs, idf, idf_default))
            wc = np.zeros(len(words), dtype=int)
            for ci, (a, b) in enumerate(card.clauses):
                wc[a:b] = ci
            self.clauses.append(wc)
            self.layouts.append(card)
            self.words.append(words)
            self.bounds.append((start, start + len(words)))
            start += len(words)
        self.x = np.vstack(xs).astype(np.float32)
        self.u = np.concatenate([lc.underline for lc in cards])
        self.h = np.concatenate([lc.highlight for lc in cards])
        self.groups = np.concatenate([[lc.group] * len(lc.underline) for lc in cards])

    def staged(self, p_first: np.ndarray) -> np.ndarray:
        """The second stage's inputs: features and context_features, card by card."""
        ctx = [
            context_features(p_first[a:b], card)
            for (a, b), card in zip(self.bounds, self.layouts, strict=True)
        ]
        return np.hstack([self.x, np.vstack(ctx).astype(np.float32)])


def f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float((pred & gold).sum())
    return 2 * tp / max(float(pred.sum() + gold.sum()), 1.0)


def cut_all(
    rows: Rows, p_u: np.ndarray, p_h: np.ndarray, t_u: float, t_h: float
) -> tuple[np.ndarray, np.ndarray]:
    """Underline and highlight after the rules, for every card."""
    us, hs = [], []
    for (a, b), words, wc in zip(rows.bounds, rows.words, rows.clauses, strict=True):
        u, h = apply_rules(words, list(p_u[a:b] >= t_u), list(p_h[a:b] >= t_h), wc)
        us.append(u)
        hs.append(h)
    return np.concatenate(us).astype(bool), np.concatenate(hs).astype(bool)


def choose_thresholds(
    rows: Rows, p_u: np.ndarray, p_h: np.ndarray
) -> tuple[float, float, float, float]:
    """The thresholds with the best word F1 after the rules (underline first, then highlight)."""
    t_h = 0.5
    best_u = max(GRID, key=lambda t: f1(cut_all(rows, p_u, p_h, t, t_h)[0], rows.u))
    best_h = max(GRID, key=lambda t: f1(cut_all(rows, p_u, p_h, best_u, t)[1], rows.h))
    u, h = cut_all(rows, p_u, p_h, best_u, best_h)
    return float(best_u), float(best_h), f1(u, rows.u), f1(h, rows.h)


def out_of_fold(x: np.ndarray, y: np.ndarray, fold: np.ndarray, **kw: int) -> np.ndarray:
    """P(y) of every row from a head trained on the other folds."""
    out = np.zeros(len(y))
    for k in range(FOLDS):
        head = train_head(x[fold != k], y[fold != k], **kw)
        out[fold == k] = head.probabilities(x[fold == k])
    return out


def main(argv: Sequence[str] | None = None) -> None:
    from agents.models.bundled import default_embedder_path
    from agents.runtime.embedder import LlamaEmbedder

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / Path(*WEIGHTS_FILE))
    parser.add_argument("--models", type=Path, default=ROOT / ".pytest_cache" / "models")
    # 64 hidden units and 6 epochs beat 32 and 4 in the cross-validation inside train
    # (underline/highlight word F1 52.1/26.1 against 51.5/25.5, 30k words per group).
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args(argv)
    kw = {"hidden": args.hidden, "epochs": args.epochs}
    started = time.perf_counter()
    train, validation = training_split()
    with LlamaEmbedder(default_embedder_path(args.models), n_threads=2) as llama:
        embedder = CachedEmbedder(llama)
        train_vecs = card_vectors(train, embedder)
        val_vecs = card_vectors(validation, embedder)
    embedded = time.perf_counter()
    idf, idf_default = idf_table(train)
    tr = Rows(train, train_vecs, idf, idf_default)
    va = Rows(validation, val_vecs, idf, idf_default)

    # Out-of-fold probabilities inside train: groups dealt to folds in a fixed order.
    names = sorted(set(tr.groups))
    fold_of = {g: i % FOLDS for i, g in enumerate(names)}
    fold = np.array([fold_of[g] for g in tr.groups])
    oof_first = out_of_fold(tr.x, tr.u, fold, **kw)
    staged = tr.staged(oof_first)  # as at cutting time: a first guess the head never saw
    oof_u = out_of_fold(staged, tr.u, fold, **kw)
    oof_h = out_of_fold(staged, tr.h, fold, **kw)
    t_u, t_h, cv_u, cv_h = choose_thresholds(tr, oof_u, oof_h)

    first = train_head(tr.x, tr.u, **kw)
    u_head = train_head(staged, tr.u, **kw)
    h_head = train_head(staged, tr.h, **kw)
    trained = time.perf_counter()
    va_staged = va.staged(first.probabilities(va.x))
    p_u = u_head.probabilities(va_staged)
    p_h = h_head.probabilities(va_staged)
    val_u, val_h = cut_all(va, p_u, p_h, t_u, t_h)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted(idf)
    arrays: dict[str, np.ndarray] = {
        "format": np.array([FORMAT]),
        **first.arrays("f"),
        **u_head.arrays("u"),
        **h_head.arrays("h"),
        "idf_keys": np.array(keys),
        "idf_values": np.array([idf[k] for k in keys], dtype=np.float32),
        "idf_default": np.array([idf_default], dtype=np.float32),
        "thresholds": np.array([t_u, t_h], dtype=np.float32),
    }
    np.savez_compressed(args.out, allow_pickle=False, **arrays)
    result = {
        "train_cards": len(train),
        "validation_cards": len(validation),
        "train_words": len(tr.u),
        "validation_words": len(va.u),
        "features": int(tr.x.shape[1]),
        "hidden": args.hidden,
        "thresholds": {"underline": t_u, "highlight": t_h},
        "cv_train_micro_f1": {"underline": round(100 * cv_u, 2), "highlight": round(100 * cv_h, 2)},
        "validation_micro_f1": {
            "underline": round(100 * f1(val_u, va.u), 2),
            "highlight": round(100 * f1(val_h, va.h), 2),
        },
        "seconds": {
            "embedding": round(embedded - started, 1),
            "training": round(trained - embedded, 1),
            "total": round(time.perf_counter() - started, 1),
        },
        "weights": str(args.out),
        "weights_bytes": args.out.stat().st_size,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
