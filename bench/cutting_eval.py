"""Card-cutting evaluation: our cutter against the debaters' own marks and two baselines.

Reads real Verbatim cards (by default the shared samples: the development set, so figures on
them are not held-out), keeps cards with underline and highlight marks and >= 30 body words,
strips the marks, cuts each card from its tag and body with the chosen cutters (ours: the
learned cutter; heuristic: the clause cutter it replaced; cxdb8: a CX_DB8-style cutter;
all_words: marking every word) and prints one JSON object. `--split validation` scores the
held-out groups of shared/training instead (bench/cutter_data.py: the learned cutter never
trained on them). Embeddings are cached on disk (bench/results/), so the cutters share the one
embedding pass per card; "ours_speed" times the learned cut without that pass.

Scoring, for underline and for highlight separately. A word is a whitespace-separated token of
the body; it is marked if any of its characters lies inside a span of that mark.
- word-position precision/recall/F1: each word is marked or not, scored against the debater's
  marks; "micro" pools every word of every card, "macro" averages the per-card figures;
- ROUGE-1 F as DebateSum reports it: unigram overlap (lowercase tokens, clipped counts) of the
  marked words as text against the debater's marked words, averaged over cards. It ignores
  where a word is, so marking every word already scores well (see shared/VERBATIM.md).

Usage: python bench/cutting_eval.py [FILES...] [--split dev|validation] [--limit N]
       [--cutters ours,heuristic,cxdb8,all_words] [--cxdb8-stride K]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.cutter.extractive import all_words_marks, cut_marks, cxdb8_marks  # noqa: E402
from agents.cutter.learned import CutterModel, cut_from_vectors, default_model  # noqa: E402
from agents.cutter.text import marked_words, split_words  # noqa: E402
from agents.cutter.word_features import layout  # noqa: E402
from evidence.cards.card import Card, Mark, Span  # noqa: E402
from evidence.index.embedding import Embedder  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples" / "verbatim"
TARGETS = {"underline": 70.0, "highlight": 50.0}
MARKS = {"underline": Mark.UNDERLINE, "highlight": Mark.HIGHLIGHT}
_TOKEN = re.compile(r"\w+")

Cutter = Callable[[str, str], list[Span]]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def prf(self) -> tuple[float, float, float]:
        """Precision, recall, F1 in [0, 1]; 0 where undefined."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def word_counts(pred: Sequence[bool], gold: Sequence[bool]) -> Counts:
    """Word-position agreement of two markings of the same words."""
    if len(pred) != len(gold):
        raise ValueError("pred and gold must mark the same words")
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    return Counts(tp, sum(pred) - tp, sum(gold) - tp)


def rouge1_f(pred_text: str, gold_text: str) -> float:
    """ROUGE-1 F of two texts: lowercase word tokens, clipped unigram overlap."""
    pred = Counter(_TOKEN.findall(pred_text.lower()))
    gold = Counter(_TOKEN.findall(gold_text.lower()))
    overlap = sum((pred & gold).values())
    if not overlap:
        return 0.0
    p = overlap / sum(pred.values())
    r = overlap / sum(gold.values())
    return 2 * p * r / (p + r)


def marked_text(body: str, marked: Sequence[bool]) -> str:
    return " ".join(w.text for w, on in zip(split_words(body), marked, strict=True) if on)


def load_cards(files: Sequence[Path]) -> list[Card]:
    from evidence.verbatim import read_verbatim

    cards: list[Card] = []
    for path in files:
        for card in read_verbatim(path).cards():
            if (
                card.marked(Mark.UNDERLINE)
                and card.marked(Mark.HIGHLIGHT)
                and len(card.body.split()) >= 30
            ):
                cards.append(card)
    return cards


class _Tally:
    def __init__(self) -> None:
        self.micro = Counts()
        self.per_card: list[tuple[float, float, float]] = []
        self.rouge: list[float] = []
        self.marked = 0

    def report(self, words: int) -> dict[str, float]:
        p, r, f = self.micro.prf()
        n = max(len(self.per_card), 1)
        mp, mr, mf = (sum(x[i] for x in self.per_card) / n for i in range(3))
        return {
            "micro_precision": _pct(p),
            "micro_recall": _pct(r),
            "micro_f1": _pct(f),
            "macro_precision": _pct(mp),
            "macro_recall": _pct(mr),
            "macro_f1": _pct(mf),
            "rouge1_f": _pct(sum(self.rouge) / max(len(self.rouge), 1)),
            "share_marked": _pct(self.marked / max(words, 1)),
        }


def _pct(x: float) -> float:
    return round(100 * x, 2)


def evaluate(cards: Sequence[Card], cutters: dict[str, Cutter]) -> dict[str, Any]:
    """Every cutter on every card; the figures described in the module docstring."""
    words = sum(len(split_words(c.body)) for c in cards)
    gold_share: dict[str, int] = dict.fromkeys(MARKS, 0)
    golds: list[dict[str, list[bool]]] = []
    for card in cards:
        ws = split_words(card.body)
        gold = {name: marked_words(ws, card.spans, mark) for name, mark in MARKS.items()}
        for name in MARKS:
            gold_share[name] += sum(gold[name])
        golds.append(gold)
    out: dict[str, Any] = {
        "cards": len(cards),
        "words": words,
        "averaging": "micro pools all words of all cards; macro averages per-card figures",
        "debaters_share_marked": {k: _pct(v / max(words, 1)) for k, v in gold_share.items()},
        "targets_word_f1": TARGETS,
    }
    for cutter_name, cutter in cutters.items():
        tallies = {name: _Tally() for name in MARKS}
        started = time.perf_counter()
        cuts = [cutter(card.tag, card.body) for card in cards]
        elapsed = time.perf_counter() - started
        for card, spans, gold in zip(cards, cuts, golds, strict=True):
            ws = split_words(card.body)
            for name, mark in MARKS.items():
                pred = marked_words(ws, spans, mark)
                counts = word_counts(pred, gold[name])
                tally = tallies[name]
                tally.micro.add(counts)
                tally.per_card.append(counts.prf())
                tally.rouge.append(
                    rouge1_f(marked_text(card.body, pred), marked_text(card.body, gold[name]))
                )
                tally.marked += sum(pred)
        result: dict[str, Any] = {name: t.report(words) for name, t in tallies.items()}
        result["seconds_per_card"] = round(elapsed / max(len(cards), 1), 4)
        out[cutter_name] = result
    return out


CUTTERS = ("ours", "heuristic", "cxdb8", "all_words")


def make_cutters(
    embedder: Embedder, cxdb8_stride: int, names: Sequence[str] = CUTTERS
) -> dict[str, Cutter]:
    from agents.cutter.learned import model_cut

    every: dict[str, Callable[[], Cutter]] = {
        "ours": lambda: lambda tag, body: model_cut(tag, body, embedder, default_model()),
        "heuristic": lambda: lambda tag, body: cut_marks(tag, body, embedder),
        "cxdb8": lambda: lambda tag, body: cxdb8_marks(tag, body, embedder, stride=cxdb8_stride),
        "all_words": lambda: lambda tag, body: all_words_marks(body),
    }
    unknown = [n for n in names if n not in every]
    if unknown:
        raise SystemExit(f"unknown cutter {', '.join(unknown)}: choose from {', '.join(every)}")
    return {name: every[name]() for name in names}


def learned_speed(
    cards: Sequence[Card], embedder: Embedder, model: CutterModel
) -> dict[str, float]:
    """Cards per second of the learned cut after each card's embedding pass, and the peak
    memory it allocates (tracemalloc sees numpy's buffers), the weights apart."""
    import tracemalloc

    prepared = []
    for card in cards:
        words = split_words(card.body)
        plan = layout(card.tag, card.body, words)
        prepared.append((card, words, plan, np.asarray(embedder.embed(plan.texts))))
    tracemalloc.start()
    started = time.perf_counter()
    for card, words, plan, vecs in prepared:
        cut_from_vectors(card.tag, card.body, words, plan, vecs, model)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "cards_per_second_excluding_embedding": round(len(prepared) / max(elapsed, 1e-9), 1),
        "peak_mb_while_cutting": round(peak / 2**20, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    from agents.models.bundled import default_embedder_path
    from agents.runtime.embedder import LlamaEmbedder

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument(
        "--split",
        choices=("dev", "validation"),
        default="dev",
        help="dev: the shared samples (or FILES); validation: shared/training's held-out groups",
    )
    parser.add_argument("--cutters", default=",".join(CUTTERS), help="comma-separated names")
    parser.add_argument("--limit", type=int, default=0, help="at most N cards (0: all)")
    parser.add_argument(
        "--cxdb8-stride",
        type=int,
        default=4,
        help="CX_DB8 window every K words (1: every word, as CX_DB8 does; slow on 2 cores)",
    )
    parser.add_argument("--models", type=Path, default=ROOT / ".pytest_cache" / "models")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.cutters.split(",") if n.strip()]
    if args.split == "validation":
        from bench.cutter_data import VALIDATION_GROUPS, training_split

        cards = [lc.card for lc in training_split()[1]]
        source: list[str] = sorted(VALIDATION_GROUPS)
    else:
        files = args.files or sorted(SAMPLES.glob("*.docx"))
        cards = load_cards(files)
        source = [str(f) for f in files]
    if args.limit:
        cards = cards[: args.limit]
    from bench.cutter_data import CachedEmbedder

    with LlamaEmbedder(default_embedder_path(args.models), n_threads=2) as llama:
        llama.embed(["warm up"])
        embedder = CachedEmbedder(llama)
        result = evaluate(cards, make_cutters(embedder, args.cxdb8_stride, names))
        if "ours" in names:
            result["ours_speed"] = learned_speed(cards, embedder, default_model())
    result["split"] = args.split
    result["files"] = source
    result["cxdb8_stride"] = args.cxdb8_stride
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
