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

`--hard`: the irrelevant pairs are claims the training files do not argue (OFF_LIBRARY, half
for fitting and half held out) with the cards whose stored vectors are nearest to them, the
off-topic cards a search really brings; a random card of another topic is easy to refuse.
Besides the read text and the passage, it scores other rules tried for the card floor: both
floors at once, the share of the claim's rarer words the body holds (`grounding`), and the
read cosine as a z-score against the claim's cosines with 300 random cards (`read_z`).
`stored_with_own_tag` is shown for scale only: the stored vector holds the card's own tag,
which is the query here.

The hybrid search score is not a candidate: it is a reciprocal-rank fusion, so the best hit
of a query the library knows nothing about scores like the best hit of one it knows well.

Usage: python bench/relevance_floor.py [--pairs 200] [--hard]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.models.bundled import default_embedder_path  # noqa: E402
from agents.runtime.embedder import LlamaEmbedder  # noqa: E402
from agents.team.searcher import CARD_FLOOR  # noqa: E402
from agents.team.tag_examples import terms  # noqa: E402
from bench.cutter_data import CachedEmbedder, LabelledCard, training_split  # noqa: E402
from evidence.cards.card import Card, Mark  # noqa: E402
from evidence.cards.store import embed_text  # noqa: E402

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


def hard_pairs(
    cards: list[LabelledCard], n: int, seed: int, claims: list[str], embedder: CachedEmbedder
) -> list[Pair]:
    """n relevant pairs as above, and as irrelevant pairs each off-library claim with the
    cards whose stored vectors (evidence.cards.store.embed_text) are nearest to it: the
    off-topic cards a search would actually bring the team (a random card of another topic
    is far easier to refuse)."""
    relevant = [p for p in pairs(cards, n, seed) if p[2]]
    matrix = _unit(embedder.vectors([embed_text(c.card) for c in cards]))
    per_claim = max(1, round(n / len(claims)))
    out = list(relevant)
    for claim, q in zip(claims, _unit(embedder.vectors(claims)), strict=True):
        for i in np.argsort(-(matrix @ q))[:per_claim]:
            out.append((claim, cards[int(i)].card, False))
    return out


# Debate-style claims on subjects the training files do not argue (sport, food, the arts,
# hobbies, local services): what a debater might ask of a library that has nothing on it.
OFF_LIBRARY = [
    "Salary caps improve competitive balance in baseball.",
    "A salary cap lowers ticket prices for fans.",
    "Small-market baseball teams cannot keep their stars.",
    "College athletes should be paid a salary by their universities.",
    "The designated hitter rule hurts the game of baseball.",
    "Instant replay makes football officiating fairer.",
    "Public funding for new stadiums never pays for itself.",
    "Olympic host cities lose money on the games.",
    "Video games should be an Olympic sport.",
    "Banning sugary drinks in schools reduces childhood obesity.",
    "Sourdough bread is healthier than white bread.",
    "Restaurants should post calorie counts on menus.",
    "Cities should fund public art installations.",
    "Museums should return artifacts to their countries of origin.",
    "Streaming services are killing the movie theatre.",
    "Music education improves students' math scores.",
    "Homework in elementary school does more harm than good.",
    "School uniforms reduce bullying.",
    "Year-round school calendars improve learning.",
    "Dogs make better pets than cats.",
    "Zoos do more good than harm for endangered animals.",
    "Daylight saving time should be abolished.",
    "Public libraries should eliminate late fees.",
    "Cities should ban leaf blowers powered by gasoline.",
    "Tipping in restaurants should be replaced by higher wages.",
    "Self-checkout machines increase shoplifting.",
    "Four-day work weeks raise employee productivity.",
    "Remote work makes employees less loyal to their companies.",
    "Social media influencers should disclose paid endorsements.",
    "Chess should be taught in every primary school.",
    "Marathon running damages the knees.",
    "Community gardens reduce neighbourhood crime.",
]


def _unit(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    out: np.ndarray = m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
    return out


def scores(
    items: list[Pair], embedder: CachedEmbedder, idf: Callable[[str], float] | None = None
) -> dict[str, np.ndarray]:
    """cosine(tag, passage) and cosine(tag, the card's read text) per pair, in one batch."""
    texts = list(
        dict.fromkeys(
            [t for tag, card, _ in items for t in (tag, card.body, _read(card), embed_text(card))]
            + BACKGROUND
        )
    )
    vecs = dict(zip(texts, embedder.vectors(texts), strict=True))
    passage = np.array([_cos(vecs[tag], vecs[card.body]) for tag, card, _ in items])
    read = np.array([_cos(vecs[tag], vecs[_read(card)]) for tag, card, _ in items])
    stored = np.array([_cos(vecs[tag], vecs[embed_text(card)]) for tag, card, _ in items])
    return {
        "passage": passage,
        "read": read,
        "mean_read_passage": (read + passage) / 2,
        "min_read_passage": np.minimum(read, passage),
        # The stored vector's text holds the card's own tag, which here IS the query: never
        # a floor candidate on these pairs (its figures would be inflated), shown for scale.
        "stored_with_own_tag": stored,
        "grounding": np.array([weighted_grounding(tag, card.body, idf) for tag, card, _ in items]),
        "read_z": _z(items, vecs, read),
    }


BACKGROUND: list[str] = []  # read texts of random library cards (set in main)


def _z(items: list[Pair], vecs: dict[str, np.ndarray], read: np.ndarray) -> np.ndarray:
    """The read cosine as a z-score against the claim's cosines with the background cards'
    read texts: a claim whose best card scores like any card is not supported."""
    bg = _unit(np.array([vecs[t] for t in BACKGROUND]))
    out = []
    for (tag, _, _), r in zip(items, read, strict=True):
        q = _unit(np.array([vecs[tag]]))[0]
        sims = bg @ q
        out.append((r - sims.mean()) / (sims.std() or 1.0))
    return np.array(out)


def weighted_grounding(claim: str, body: str, idf: Callable[[str], float] | None) -> float:
    """The share of the claim's content words (weighted by rarity) that the body holds."""
    words = set(terms(claim))
    weight = idf or (lambda w: 1.0)
    total = sum(weight(w) for w in words)
    held = set(terms(body))
    return sum(weight(w) for w in words & held) / total if total else 0.0


def idf_of(bodies: list[str]) -> Callable[[str], float]:
    df: dict[str, int] = {}
    for body in bodies:
        for w in set(terms(body)):
            df[w] = df.get(w, 0) + 1
    n = len(bodies)
    return lambda w: float(np.log((n + 1) / (df.get(w, 0) + 1)))


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
    ap.add_argument(
        "--hard", action="store_true", help="irrelevant = off-library claims, nearest cards"
    )
    args = ap.parse_args(argv)
    train, validation = training_split()
    inner = LlamaEmbedder(default_embedder_path(MODELS), n_threads=2)
    embedder = CachedEmbedder(inner)
    out: dict[str, Any] = {}
    try:
        if args.hard:  # the claims are split too: the held-out figures see new claims
            fit = hard_pairs(train, args.pairs, 1, OFF_LIBRARY[1::2], embedder)
            held = hard_pairs(validation, args.pairs, 2, OFF_LIBRARY[0::2], embedder)
        else:
            fit = pairs(train, args.pairs, seed=1)
            held = pairs(validation, args.pairs, seed=2)
        idf = idf_of([c.card.body for c in train + validation])
        BACKGROUND[:] = [_read(c.card) for c in random.Random(3).sample(train + validation, 300)]
        fit_scores, held_scores = scores(fit, embedder, idf), scores(held, embedder, idf)
        fit_rel = np.array([r for *_, r in fit])
        held_rel = np.array([r for *_, r in held])
        out["pairs"] = {"train": len(fit), "validation": len(held)}
        out["negatives"] = (
            "off-library claims with their nearest cards" if args.hard else "random other topic"
        )
        for name in fit_scores:
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
        # Both the read text and the whole passage must reach a floor.
        out["read_and_passage_at"] = {
            f"{a:.2f}+{b:.2f}": measure(
                np.minimum(held_scores["read"] - a, held_scores["passage"] - b), held_rel, 0.0
            )
            for a in (0.26, 0.28, 0.30)
            for b in (0.15, 0.18, 0.20, 0.22)
        }
        out["read_and_grounding_at"] = {
            f"{a:.2f}+{g:.2f}": measure(
                np.minimum(held_scores["read"] - a, held_scores["grounding"] - g), held_rel, 0.0
            )
            for a in (0.22, 0.24, 0.26)
            for g in (0.15, 0.2, 0.25, 0.3, 0.4)
        }
        out["read_z_at"] = {
            f"{t:.1f}": measure(held_scores["read_z"], held_rel, t) for t in (2.0, 2.5, 3.0, 3.5)
        }
        out["read_and_z_at"] = {
            f"{a:.2f}+{z:.1f}": measure(
                np.minimum(held_scores["read"] - a, held_scores["read_z"] - z), held_rel, 0.0
            )
            for a in (0.24, 0.26)
            for z in (2.0, 2.5, 3.0)
        }
        out["passage_at"] = {
            f"{t:.2f}": measure(held_scores["passage"], held_rel, t) for t in (0.2, 0.22, 0.25)
        }
        # Today's Searcher floor (0.25 on the passage), on the same held-out pairs.
        out["searcher_floor_0.25"] = measure(held_scores["passage"], held_rel, 0.25)
    finally:
        inner.close()
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
