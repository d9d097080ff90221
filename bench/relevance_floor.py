"""Calibrates the card-level relevance floor (agents/team/relevance.py) on real cards.

Pairs from shared/training (bench/cutter_data's deduplicated cards and file-group split): a
RELEVANT pair is a debater's tag with the body of the card they cut for it; an IRRELEVANT pair
is the same tag with a card from another file group (another team's topic). Each pair is
scored two ways with the real MiniLM embedder: cosine(tag, passage) (the Searcher's floor)
and cosine(tag, read text) (the card's floor). The read text is the debater's highlight:
running the learned cutter for every pair would cost an embedding pass per clause, which
these shared 2-core machines could not give in time (the cutter reproduces the debaters'
highlight at the word F1 bench/cutting_eval.py reports, but it picks words near the claim,
so on a card about something else its read text may score higher than the debater's; the
team's own cut is checked against the floor in tests/test_team_honest.py). The threshold
is chosen on the training groups (the best balanced accuracy) and precision / recall are
reported on the validation groups.

The hybrid search score is not a candidate: it is a reciprocal-rank fusion, so the best hit
of a query the library knows nothing about scores like the best hit of one it knows well.

Usage: python bench/relevance_floor.py [--pairs 200]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.models.bundled import default_embedder_path  # noqa: E402
from agents.runtime.embedder import LlamaEmbedder  # noqa: E402
from agents.team.searcher import CARD_FLOOR  # noqa: E402
from bench.cutter_data import CachedEmbedder, LabelledCard, training_split  # noqa: E402
from evidence.cards.card import Card, Mark  # noqa: E402

MODELS = ROOT / ".pytest_cache" / "models"
Pair = tuple[str, Card, bool]  # tag, card, relevant


def pairs(cards: list[LabelledCard], n: int, seed: int) -> list[Pair]:
    """n relevant and n irrelevant pairs; each tag is used once, with its own body and with
    a random body of another file group."""
    rng = random.Random(seed)
    tagged = [c for c in cards if len(c.card.tag.split()) >= 3]
    rng.shuffle(tagged)
    out: list[Pair] = []
    for lc in tagged[:n]:
        other = rng.choice([c for c in cards if c.group != lc.group])
        out.append((lc.card.tag, lc.card, True))
        out.append((lc.card.tag, other.card, False))
    return out


def scores(items: list[Pair], embedder: CachedEmbedder) -> dict[str, np.ndarray]:
    """cosine(tag, passage) and cosine(tag, the card's read text) per pair, in one batch."""
    texts = list(dict.fromkeys(t for tag, card, _ in items for t in (tag, card.body, _read(card))))
    vecs = dict(zip(texts, embedder.vectors(texts), strict=True))
    passage = [_cos(vecs[tag], vecs[card.body]) for tag, card, _ in items]
    read = [_cos(vecs[tag], vecs[_read(card)]) for tag, card, _ in items]
    return {"passage": np.array(passage), "read": np.array(read)}


def _read(card: Card) -> str:
    return card.text_of(Mark.HIGHLIGHT) or card.body


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))


def best_threshold(score: np.ndarray, relevant: np.ndarray) -> float:
    """The cut point with the best balanced accuracy (a refused real card costs as much as
    an invented-looking one)."""
    candidates = np.unique(np.round(score, 3))
    best, best_t = -1.0, 0.0
    for t in candidates:
        kept = score >= t
        tpr = (kept & relevant).sum() / relevant.sum()
        tnr = (~kept & ~relevant).sum() / (~relevant).sum()
        if (tpr + tnr) / 2 > best:
            best, best_t = (tpr + tnr) / 2, float(t)
    return best_t


def measure(score: np.ndarray, relevant: np.ndarray, threshold: float) -> dict[str, float]:
    kept = score >= threshold
    tp = int((kept & relevant).sum())
    precision = tp / max(1, int(kept.sum()))
    recall = tp / max(1, int(relevant.sum()))
    refused = int((~kept & ~relevant).sum()) / max(1, int((~relevant).sum()))
    return {
        "precision": round(100 * precision, 1),
        "recall": round(100 * recall, 1),
        "irrelevant_refused": round(100 * refused, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=200, help="relevant pairs per split")
    args = ap.parse_args(argv)
    train, validation = training_split()
    inner = LlamaEmbedder(default_embedder_path(MODELS), n_threads=2)
    embedder = CachedEmbedder(inner)
    out: dict[str, Any] = {}
    try:
        fit = pairs(train, args.pairs, seed=1)
        held = pairs(validation, args.pairs, seed=2)
        fit_scores, held_scores = scores(fit, embedder), scores(held, embedder)
        fit_rel = np.array([r for *_, r in fit])
        held_rel = np.array([r for *_, r in held])
        out["pairs"] = {"train": len(fit), "validation": len(held)}
        for name in ("passage", "read"):
            t = best_threshold(fit_scores[name], fit_rel)
            out[name] = {
                "threshold": t,
                "train": measure(fit_scores[name], fit_rel, t),
                "validation": measure(held_scores[name], held_rel, t),
                "validation_means": {
                    "relevant": round(float(held_scores[name][held_rel].mean()), 3),
                    "irrelevant": round(float(held_scores[name][~held_rel].mean()), 3),
                },
            }
        # The card floor the app ships, and its neighbours, on the same held-out pairs.
        out["read_at"] = {
            f"{t:.2f}": measure(held_scores["read"], held_rel, t)
            for t in sorted({0.26, 0.28, 0.30, CARD_FLOOR})
        }
        # Today's Searcher floor (0.25 on the passage), on the same held-out pairs.
        out["searcher_floor_0.25"] = measure(held_scores["passage"], held_rel, 0.25)
    finally:
        inner.close()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
