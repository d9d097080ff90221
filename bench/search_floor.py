"""Measures the search results' relevance floor (app/search.py::above_floor) on real cards.

A library is built the real way (Library.import_paths, the real MiniLM embedder, Chroma) from
held-out cards of shared/training (bench/cutter_data's validation groups): each card's body
alone is one text file, so its tag never appears in the library (the debater's claim in
their own words, the hard case). RELEVANT queries are those tags, the answer the tag's own
card; UNRELATED queries are written here, off every debate topic. Each query runs the real
hybrid search (top 10); the floor is then applied to the same hits, so every variant is
measured on the same rankings:

- none: today's hybrid results (a nonsense query always lists ten hits);
- the shipped rule: a hit stays if it holds every query word, or its stored vector's cosine
  with the query is at least MIN_RELEVANCE (the Searcher's floor, agents/team/searcher.py);
- cosine only, at the same floor; and the shipped rule at other floors, to show the margin.

recall: relevant queries whose own card survives in the top 10 (over all relevant queries);
no_results: unrelated queries left with nothing; precision: kept own cards over all queries
left with any hit, counting an unrelated query with a hit as a false positive (and
`balanced_precision`, the same with as many unrelated as relevant queries).

Usage: python bench/search_floor.py [--cards 150]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.models.bundled import default_embedder_path  # noqa: E402
from agents.runtime.embedder import LlamaEmbedder  # noqa: E402
from agents.team.reviewer import cosine  # noqa: E402
from agents.team.searcher import MIN_RELEVANCE  # noqa: E402
from app.search import above_floor  # noqa: E402
from bench.cutter_data import training_split  # noqa: E402
from evidence.datadir import DataDir  # noqa: E402
from evidence.importing.events import FileResult  # noqa: E402
from evidence.index.search import SearchHit  # noqa: E402
from evidence.index.snippets import matches_all  # noqa: E402
from evidence.library import Library  # noqa: E402
from evidence.settings import Settings  # noqa: E402

MODELS = ROOT / ".pytest_cache" / "models"
K = 10
UNRELATED = [
    "professional baseball salary cap",
    "chocolate chip cookie recipe",
    "how to train a puppy to sit",
    "best hiking trails in the alps",
    "knitting a wool scarf pattern",
    "fantasy football draft rankings",
    "how to tune a guitar by ear",
    "sourdough starter feeding schedule",
    "marathon training plan for beginners",
    "wedding dress alterations cost",
    "video game speedrun world record",
    "houseplant leaves turning yellow",
    "best pizza toppings ranked",
    "how to fold a fitted sheet",
    "golf swing tips for slicing",
    "nail polish colors for summer",
    "minecraft redstone door tutorial",
    "yoga poses for lower back stretch",
    "coffee espresso grind size",
    "figure skating triple axel jump",
    "cat litter box odor control",
    "skateboard kickflip technique",
    "watercolor painting for beginners",
    "tennis racket string tension",
    "reality television dating show finale",
    "how to make homemade ice cream",
    "crossword puzzle clue answers",
    "pokemon card collection value",
    "surfing wave forecast hawaii",
    "birthday party balloon decorations",
    "hair braiding styles tutorial",
    "basketball three point shooting drills",
    "vegan lasagna with spinach",
    "chess opening sicilian defense",
    "aquarium goldfish tank cleaning",
    "piano sheet music for beginners",
    "halloween costume ideas for kids",
    "bowling score calculation rules",
    "scrapbooking supplies and stickers",
    "soccer world cup penalty shootout",
]


def build_library(cards: list[Any], folder: Path, embedder: Any) -> tuple[Library, list[str]]:
    """One text file per held-out card body; the returned origins name each card's file."""
    texts = folder / "cards"
    texts.mkdir()
    paths = []
    for i, lc in enumerate(cards):
        path = texts / f"card{i:04d}.txt"
        path.write_text(lc.card.body, encoding="utf-8")
        paths.append(str(path))
    lib = Library(DataDir(folder / "data"), Settings(), lambda: embedder)
    for ev in lib.import_paths([texts]):
        if not isinstance(ev, FileResult):
            print(ev, file=sys.stderr)
    return lib, paths


def measure(kept: list[bool], unrelated_hit: list[bool]) -> dict[str, float]:
    tp, fp = sum(kept), sum(unrelated_hit)
    recall = tp / max(1, len(kept))
    fpr = fp / max(1, len(unrelated_hit))
    return {
        "recall": round(100 * recall, 1),
        "no_results": round(100 * (1 - fpr), 1),
        "precision": round(100 * tp / max(1, tp + fp), 1),
        "balanced_precision": round(100 * recall / max(1e-9, recall + fpr), 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=150, help="held-out cards in the library")
    args = ap.parse_args(argv)
    _, validation = training_split()
    print(f"{len(validation)} validation cards", file=sys.stderr)
    tagged = [c for c in validation if len(c.card.tag.split()) >= 3]
    random.Random(3).shuffle(tagged)
    cards = tagged[: args.cards]
    embedder = LlamaEmbedder(default_embedder_path(MODELS), n_threads=2)
    out: dict[str, Any] = {"cards": len(cards), "unrelated_queries": len(UNRELATED), "k": K}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            lib, paths = build_library(cards, Path(tmp), embedder)
            out["build_s"] = round(time.perf_counter() - t0, 1)
            with lib:
                relevant = [(lc.card.tag, path) for lc, path in zip(cards, paths, strict=True)]
                rel_hits = [(lib.search(tag, K), path) for tag, path in relevant]
                unrel_hits = [lib.search(q, K) for q in UNRELATED]
                out["recall_at_10_without_floor"] = round(
                    100 * sum(_has(h, p) for h, p in rel_hits) / len(rel_hits), 1
                )
                rel = [
                    _signals(lib, embedder, tag, h)
                    for (tag, _), (h, _) in zip(relevant, rel_hits, strict=True)
                ]
                unrel = [
                    _signals(lib, embedder, q, h)
                    for q, h in zip(UNRELATED, unrel_hits, strict=True)
                ]
                # The shipped function itself, on the same hits: the signals must agree with it.
                shipped_kept = [
                    _has(above_floor(lib, tag, h), p)
                    for (tag, _), (h, p) in zip(relevant, rel_hits, strict=True)
                ]
                shipped_unrel = [
                    bool(above_floor(lib, q, h)) for q, h in zip(UNRELATED, unrel_hits, strict=True)
                ]
                out[f"shipped: every_word_or_cosine_{MIN_RELEVANCE}"] = measure(
                    shipped_kept, shipped_unrel
                )
                variants: dict[str, tuple[float, bool]] = {"none": (-2.0, False)}
                variants[f"cosine_only_{MIN_RELEVANCE}"] = (MIN_RELEVANCE, False)
                for f in (0.15, 0.20, MIN_RELEVANCE, 0.30, 0.35):
                    variants[f"every_word_or_cosine_{f}"] = (f, True)
                for name, (floor, words) in variants.items():
                    kept = [
                        any(_passes(sig, floor, words) for sig in sigs if _named(sig[0], p))
                        for sigs, (_, p) in zip(rel, rel_hits, strict=True)
                    ]
                    hit = [any(_passes(sig, floor, words) for sig in sigs) for sigs in unrel]
                    out[name] = measure(kept, hit)
    finally:
        embedder.close()
    print(json.dumps(out, indent=2))
    return 0


def _has(hits: list[SearchHit], origin: str) -> bool:
    return any(_named(h.origin, origin) for h in hits)


def _named(a: str, b: str) -> bool:
    return Path(a).name == Path(b).name


Signal = tuple[str, bool, float]  # a hit's origin, holds every query word, cosine (or -2)


def _signals(lib: Library, embedder: Any, query: str, hits: list[SearchHit]) -> list[Signal]:
    """What above_floor decides on, per hit, computed once for every floor tried."""
    texts = lib.store.passages(h.passage_id for h in hits)
    stored = lib.vectors().vectors_of([h.passage_id for h in hits])  # type: ignore[attr-defined]
    qvec = embedder.embed([query])[0]
    return [
        (
            h.origin,
            matches_all(texts[h.passage_id].text, query),
            cosine(qvec, stored[h.passage_id]) if h.passage_id in stored else -2.0,
        )
        for h in hits
    ]


def _passes(sig: Signal, floor: float, every_word: bool) -> bool:
    return (every_word and sig[1]) or sig[2] >= floor


if __name__ == "__main__":
    raise SystemExit(main())
