"""Card-cutting evaluation: our cutter against the debaters' own marks and two baselines.

Reads real Verbatim cards (by default the shared samples: the development set, so figures on
them are not held-out), keeps cards with underline and highlight marks and >= 30 body words,
strips the marks, cuts each card from its tag and body with the chosen cutters and prints one
JSON object. Cutters: ours (the learned cutter as the app runs it: a token model with
contextual word vectors if its weights ship, else the older features), ours_v1 (the older
features alone), heuristic (the clause cutter they replaced), cxdb8 (a CX_DB8-style cutter),
all_words (marking every word), ours_tokens (a token model from --token-weights, not shipped),
ours_old (the older-features model from --old-weights: earlier weights, compared in one run).
`--split validation` scores the held-out groups of shared/training instead
(bench/cutter_data.py: the learned cutter never trained on them). Embeddings are cached on
disk (bench/results/; word vectors in the system's temp folder), so the cutters share the one
embedding pass per card; "ours_speed" times the learned cuts without the embedding, and each
kind of embedding apart, uncached.

Scoring, for underline and for highlight separately. A word is a whitespace-separated token of
the body; it is marked if any of its characters lies inside a span of that mark.
- word-position precision/recall/F1: each word is marked or not, scored against the debater's
  marks; "micro" pools every word of every card, "macro" averages the per-card figures;
- ROUGE-1 F as DebateSum reports it: unigram overlap (lowercase tokens, clipped counts) of the
  marked words as text against the debater's marked words, averaged over cards. It ignores
  where a word is, so marking every word already scores well (see shared/VERBATIM.md).
Per cutter and mark, where its errors lie: "sentence_precision"/"sentence_recall" of the
sentences it marks in against those the debater marked in, and "within_debaters_sentences_f1",
the micro F1 of its words once the debater's sentences are given (its marks elsewhere dropped).
"ceiling_whole_units" is a reference read off the gold marks, not a cutter: the micro F1 of
marking whole every sentence (clause) that holds a debater's mark, what a perfect sentence
(clause) picker scores without choosing words inside one.

Usage: python bench/cutting_eval.py [FILES...] [--split dev|validation] [--limit N]
       [--words-per-group N] [--cutters ours,ours_v1,heuristic,cxdb8,all_words,ours_tokens]
       [--token-weights PATH] [--old-weights PATH] [--cxdb8-stride K]
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
from agents.cutter.learned import (  # noqa: E402
    CutterModel,
    cut_from_vectors,
    default_model,
    load_model,
)
from agents.cutter.learned_tokens import TokenCutterModel, load_token_model  # noqa: E402
from agents.cutter.text import marked_words, segment, split_words  # noqa: E402
from agents.cutter.word_features import layout  # noqa: E402
from evidence.cards.card import Card, Mark, Span  # noqa: E402
from evidence.index.embedding import Embedder  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples" / "verbatim"
TARGETS = {"underline": 70.0, "highlight": 50.0}
MARKS = {"underline": Mark.UNDERLINE, "highlight": Mark.HIGHLIGHT}
_TOKEN = re.compile(r"\w+")

Cutter = Callable[[str, str], list[Span]]
SentenceRanges = Sequence[tuple[int, int]]


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
        self.sentences = Counts()  # sentences the cutter marks in against the debater's
        self.within = Counts()  # its words inside the debater's marked sentences only

    def add_sentences(self, pred: list[bool], gold: list[bool], ranges: SentenceRanges) -> None:
        """Where the cutter's errors lie: which sentences it marks in, and which words it
        marks once the debater's sentences are given."""
        kept = [False] * len(pred)
        for a, b in ranges:
            ours, theirs = any(pred[a:b]), any(gold[a:b])
            self.sentences.add(
                Counts(int(ours and theirs), int(ours and not theirs), int(theirs and not ours))
            )
            if theirs:
                kept[a:b] = pred[a:b]
        self.within.add(word_counts(kept, gold))

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
            "sentence_precision": _pct(self.sentences.prf()[0]),
            "sentence_recall": _pct(self.sentences.prf()[1]),
            "within_debaters_sentences_f1": _pct(self.within.prf()[2]),
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
        "ceiling_whole_units": ceilings(cards, golds),
    }
    for cutter_name, cutter in cutters.items():
        tallies = {name: _Tally() for name in MARKS}
        started = time.perf_counter()
        cuts = [cutter(card.tag, card.body) for card in cards]
        elapsed = time.perf_counter() - started
        for card, spans, gold in zip(cards, cuts, golds, strict=True):
            ws = split_words(card.body)
            sentences = segment(card.body, ws, clauses=False)
            for name, mark in MARKS.items():
                pred = marked_words(ws, spans, mark)
                counts = word_counts(pred, gold[name])
                tally = tallies[name]
                tally.add_sentences(pred, gold[name], sentences)
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


def ceilings(cards: Sequence[Card], golds: Sequence[dict[str, list[bool]]]) -> dict[str, Any]:
    """Micro word F1 of an oracle that knows which sentences (or clauses) hold the debater's
    marks and marks each of them whole: what a perfect sentence (clause) picker scores
    without choosing words inside one. A reference, not a cutter: it reads the gold marks."""
    out: dict[str, Any] = {}
    for unit, clauses in (("sentences", False), ("clauses", True)):
        # Every word marked, then kept inside the debater's units only: those units whole.
        tallies = {name: _Tally() for name in MARKS}
        for card, gold in zip(cards, golds, strict=True):
            ranges = segment(card.body, split_words(card.body), clauses=clauses)
            for name in MARKS:
                tallies[name].add_sentences([True] * len(gold[name]), gold[name], ranges)
        out[unit] = {name: _pct(t.within.prf()[2]) for name, t in tallies.items()}
    return out


CUTTERS = ("ours", "ours_v1", "heuristic", "cxdb8", "all_words")


def make_cutters(
    embedder: Embedder,
    cxdb8_stride: int,
    names: Sequence[str] = CUTTERS,
    token_model: TokenCutterModel | None = None,
    old_model: CutterModel | None = None,
) -> dict[str, Cutter]:
    from agents.cutter.learned import learned_cut_marks, model_cut, token_cut
    from agents.cutter.learned_tokens import word_vector_source

    def tokens() -> Cutter:
        source = word_vector_source(embedder)
        if token_model is None or source is None:
            raise SystemExit("ours_tokens needs --token-weights and an embedder with word vectors")
        return lambda tag, body: token_cut(tag, body, embedder, source, token_model)

    def old() -> Cutter:
        if old_model is None:
            raise SystemExit("ours_old needs --old-weights")
        return lambda tag, body: model_cut(tag, body, embedder, old_model)

    every: dict[str, Callable[[], Cutter]] = {
        "ours_old": old,
        "ours_tokens": tokens,
        "ours": lambda: lambda tag, body: learned_cut_marks(tag, body, embedder),
        "ours_v1": lambda: lambda tag, body: model_cut(tag, body, embedder, default_model()),
        "heuristic": lambda: lambda tag, body: cut_marks(tag, body, embedder),
        "cxdb8": lambda: lambda tag, body: cxdb8_marks(tag, body, embedder, stride=cxdb8_stride),
        "all_words": lambda: lambda tag, body: all_words_marks(body),
    }
    unknown = [n for n in names if n not in every]
    if unknown:
        raise SystemExit(f"unknown cutter {', '.join(unknown)}: choose from {', '.join(every)}")
    return {name: every[name]() for name in names}


def learned_speed(
    cards: Sequence[Card],
    embedder: Embedder,
    model: CutterModel,
    token_model: TokenCutterModel | None = None,
) -> dict[str, float]:
    """Cards per second of the learned cuts after each card's embedding, the peak memory the
    cut allocates (tracemalloc sees numpy's buffers; the weights apart), and milliseconds per
    card of each kind of embedding (the older model's clause pass; the token model's tag and
    token pass), uncached, on the first EMBED_TIMED cards."""
    import tracemalloc

    from agents.cutter.learned import cut_from_token_inputs
    from agents.cutter.learned_tokens import (
        default_token_model,
        token_inputs,
        token_weights_present,
        word_vector_source,
    )

    source = word_vector_source(embedder)
    if token_model is None and source is not None and token_weights_present():
        token_model = default_token_model()
    if source is None:
        token_model = None
    prepared = []
    for card in cards:
        words = split_words(card.body)
        plan = layout(card.tag, card.body, words)
        vecs = np.asarray(embedder.embed(plan.texts))
        tokens = (
            token_inputs(card.tag, words, plan, embedder, source, token_model)
            if source is not None and token_model is not None
            else None
        )
        prepared.append((card, words, plan, vecs, tokens))
    out: dict[str, float] = {}
    for name in ("v1", "tokens"):
        if name == "tokens" and token_model is None:
            continue

        def cut_all(name: str = name) -> None:
            for card, words, plan, vecs, tokens in prepared:
                if name == "v1":
                    cut_from_vectors(card.tag, card.body, words, plan, vecs, model)
                elif tokens is not None and token_model is not None:
                    cut_from_token_inputs(card.tag, card.body, words, plan, tokens, token_model)

        started = time.perf_counter()
        cut_all()
        elapsed = time.perf_counter() - started
        tracemalloc.start()  # a second pass: tracing slows the Python parts several-fold
        cut_all()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        suffix = "" if name == "tokens" or token_model is None else "_v1"
        out[f"cards_per_second_excluding_embedding{suffix}"] = round(
            len(prepared) / max(elapsed, 1e-9), 1
        )
        out[f"peak_mb_while_cutting{suffix}"] = round(peak / 2**20, 1)
    inner = getattr(embedder, "inner", embedder)
    timed = prepared[:EMBED_TIMED]
    started = time.perf_counter()
    for _, _, plan, _, _ in timed:
        inner.embed(plan.texts)
    out["ms_per_card_clause_pass_v1"] = round(
        1000 * (time.perf_counter() - started) / max(len(timed), 1), 1
    )
    raw = word_vector_source(inner)
    if raw is not None and token_model is not None:
        started = time.perf_counter()
        for card, words, plan, _, _ in timed:
            token_inputs(card.tag, words, plan, inner, raw, token_model)
        out["ms_per_card_token_pass"] = round(
            1000 * (time.perf_counter() - started) / max(len(timed), 1), 1
        )
    out["words_per_timed_card"] = round(
        sum(len(w) for _, w, _, _, _ in timed) / max(len(timed), 1), 1
    )
    return out


EMBED_TIMED = 10


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
        "--words-per-group",
        type=int,
        default=0,
        help="validation: the first cards of each group up to N words (0: the whole split)",
    )
    parser.add_argument(
        "--cxdb8-stride",
        type=int,
        default=4,
        help="CX_DB8 window every K words (1: every word, as CX_DB8 does; slow on 2 cores)",
    )
    parser.add_argument("--models", type=Path, default=ROOT / ".pytest_cache" / "models")
    parser.add_argument(
        "--token-weights",
        type=Path,
        help="token cutter weights (bench/train_token_cutter.py) for the ours_tokens cutter",
    )
    parser.add_argument(
        "--old-weights",
        type=Path,
        help="earlier learned cutter weights (bench/train_cutter.py) for the ours_old cutter",
    )
    args = parser.parse_args(argv)
    token_model = load_token_model(args.token_weights) if args.token_weights else None
    old_model = load_model(args.old_weights) if args.old_weights else None
    names = [n.strip() for n in args.cutters.split(",") if n.strip()]
    if args.split == "validation":
        from bench.cutter_data import VALIDATION_GROUPS, capped, training_split

        held = training_split()[1]
        cards = [lc.card for lc in capped(held, args.words_per_group or 10**9)]
        source: list[str] = sorted(VALIDATION_GROUPS)
    else:
        files = args.files or sorted(SAMPLES.glob("*.docx"))
        cards = load_cards(files)
        source = [str(f) for f in files]
    if args.limit:
        cards = cards[: args.limit]
    from bench.cutter_data import CachedEmbedder

    # One thread: on two shared, busy cores llama.cpp's two threads wait on each other.
    with LlamaEmbedder(default_embedder_path(args.models), n_threads=1) as llama:
        llama.embed(["warm up"])
        embedder = CachedEmbedder(llama)
        cutters = make_cutters(embedder, args.cxdb8_stride, names, token_model, old_model)
        result = evaluate(cards, cutters)
        if "ours" in names or "ours_tokens" in names:
            result["ours_speed"] = learned_speed(cards, embedder, default_model(), token_model)
    result["split"] = args.split
    result["words_per_group"] = args.words_per_group
    result["files"] = source
    result["cxdb8_stride"] = args.cxdb8_stride
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
