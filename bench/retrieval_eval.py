"""Retrieval benchmark: does a card's own tag find the card? Quality and cost per embedder variant.

Real debaters' cards from shared/training (distinct usable bodies, bench/cutter_data.py) go into
one real temp library per variant (SQLite FTS5 + Chroma), bodies WITHOUT their tags; each
card's tag is then a query through the real search path (evidence/index/search.py) and its own
card the answer. Prints JSON: recall@1, recall@10 and MRR@10 for lexical, vector and hybrid
search, and the embedding cost (seconds, passages/s, tokens/s) of each variant.

A variant is `quantization:text`: the MiniLM file (f16, q8_0, converted here by
agents/models/minilm_gguf.py) and what is embedded for a card, as evidence/cards/store.py's
embed_text does minus the tag (the tag is the query): `card` = read text, then the body (cut
at the embedder's 256 tokens; the embedder before issue 16), `read` = the highlighted (else
underlined) text only, `lead` = the read text, then the body's first words up to LEAD_WORDS
in all; `capN` = the same but the read text too is cut, N words in all; `kwN` = the read
text, then the body, stop words left out, N words in all (kw40 is today's default,
evidence/cards/store.py).
The variants embed interleaved, batch by batch, so load on a shared machine hits all alike.

Usage: python bench/retrieval_eval.py [--limit 400] [--variants f16:card,q8_0:card,q8_0:read]
       [--threads 1] [--modes lexical,vector,hybrid] [--out bench/results/retrieval.json]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.runtime.embedder import LlamaEmbedder  # noqa: E402
from bench.cutter_data import TRAINING, LabelledCard, load  # noqa: E402
from bench.embed_common import emit, load_avg, model_files, tokens_of  # noqa: E402
from evidence.cards.card import Mark  # noqa: E402
from evidence.cards.store import _VECTOR_STOP as _STOP  # noqa: E402  (the default's own)
from evidence.datadir import DataDir  # noqa: E402
from evidence.index.passages import PassageSpan  # noqa: E402
from evidence.index.search import search  # noqa: E402
from evidence.library import Library  # noqa: E402
from evidence.parsers.document import ParsedDocument, SourceKind  # noqa: E402
from evidence.settings import Settings  # noqa: E402

TEXTS = ("card", "read", "lead", "cap40", "cap50", "cap60", "kw30", "kw40")
LEAD_WORDS = 60  # `lead` (the default before kw40): the read text, then the body's first words
MODES = ("lexical", "vector", "hybrid")
K = 10


def eval_cards(limit: int, seed: int = 0) -> list[LabelledCard]:
    """Distinct usable training cards with a tag; a seeded sample of `limit` (0 = all)."""
    cards = [c for c in load(sorted(TRAINING.glob("*.docx"))) if c.card.tag.strip()]
    if limit and limit < len(cards):
        picked = sorted(random.Random(seed).sample(range(len(cards)), limit))
        cards = [cards[i] for i in picked]
    return cards


def card_text(lc: LabelledCard, kind: str) -> str:
    card = lc.card
    read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE)
    if kind == "read":
        return read.strip() or card.body
    if kind == "lead":
        room = max(0, LEAD_WORDS - len(read.split()))
        return f"{read}\n{' '.join(card.body.split()[:room])}".strip()
    if kind.startswith("kw"):  # the same order, stop words left out: N content words
        n = int(kind[2:])
        words = [w for w in f"{read} {card.body}".split() if w.lower() not in _STOP]
        return " ".join(words[:n])
    if kind.startswith("cap"):  # the read text too is cut: N words in all
        n = int(kind[3:])
        head = read.split()[:n]
        lead = card.body.split()[: n - len(head)]
        return f"{' '.join(head)}\n{' '.join(lead)}".strip()
    return f"{read}\n{card.body}".strip()


def build_library(
    folder: Path, embedder: LlamaEmbedder, cards: Sequence[LabelledCard], kind: str
) -> Library:
    """A library holding the bodies (no tags) as one source, a passage per card."""
    lib = Library(DataDir(folder), Settings(), lambda: embedder)
    parts: list[str] = []
    spans: list[PassageSpan] = []
    pos = 0
    for lc in cards:
        spans.append(PassageSpan(pos, pos + len(lc.card.body), None))
        parts.append(lc.card.body + "\n\n")
        pos += len(parts[-1])
    doc = ParsedDocument(SourceKind.TEXT, "".join(parts))
    embed_texts: list[str | None] = [card_text(lc, kind) for lc in cards]
    lib.store.add_source("/bench/cards", f"cards-{kind}", doc, spans, embed_texts=embed_texts)
    lib.vectors()  # open Chroma before timing
    return lib


def embed_interleaved(libs: dict[str, Library]) -> dict[str, float]:
    """Run every library's embedding phase one batch at a time, round-robin; seconds each."""
    runs: dict[str, Iterator[Any]] = {name: lib.embed_pending() for name, lib in libs.items()}
    seconds = dict.fromkeys(libs, 0.0)
    while runs:
        for name in list(runs):
            t0 = time.perf_counter()
            try:
                next(runs[name])
            except StopIteration:
                del runs[name]
            seconds[name] += time.perf_counter() - t0
        print({n: round(s, 1) for n, s in seconds.items()}, file=sys.stderr, flush=True)
    return seconds


def score(
    lib: Library, embedder: LlamaEmbedder, cards: Sequence[LabelledCard], mode: str
) -> dict[str, float]:
    """recall@1, recall@10 and MRR@10 of each card's tag finding its own passage."""
    ids = [r[0] for r in lib.store.conn.execute("SELECT id FROM passages ORDER BY ordinal")]
    vectors = lib.vectors()
    r1 = r10 = rr = 0.0
    for pid, lc in zip(ids, cards, strict=True):
        hits = search(lib.store, lc.card.tag, k=K, vectors=vectors, embedder=embedder, mode=mode)
        ranked = [h.passage_id for h in hits]
        if pid in ranked:
            rank = ranked.index(pid) + 1
            r1 += rank == 1
            r10 += 1
            rr += 1 / rank
    n = len(cards)
    return {
        "recall@1": round(100 * r1 / n, 1),
        "recall@10": round(100 * r10 / n, 1),
        "mrr@10": round(rr / n, 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=400, help="cards (0 = all)")
    ap.add_argument("--variants", default="f16:card,q8_0:card,q8_0:read")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    variants = [tuple(v.split(":")) for v in args.variants.split(",")]
    modes = args.modes.split(",")
    cards = eval_cards(args.limit)
    result: dict[str, Any] = {
        "cards": len(cards),
        "source": str(TRAINING),
        "threads": args.threads,
        "k": K,
        "load_before": load_avg(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = model_files(work / "models", (q for q, _ in variants))
        embedders = {q: LlamaEmbedder(path, n_threads=args.threads) for q, path in files.items()}
        libs = {
            f"{q}:{t}": build_library(work / f"lib-{q}-{t}", embedders[q], cards, t)
            for q, t in variants
        }
        seconds = embed_interleaved(libs)
        result["load_after_embedding"] = load_avg()
        base = f"{variants[0][0]}:{variants[0][1]}"
        out: dict[str, Any] = {}
        for (q, t), name in zip(variants, libs, strict=True):
            tokens = tokens_of(embedders[q], [card_text(lc, t) for lc in cards])
            row: dict[str, Any] = {
                "model_id": embedders[q].model_id,
                "embed_s": round(seconds[name], 2),
                "passages_per_s": round(len(cards) / seconds[name], 2),
                "tokens": tokens,
                "tokens_per_s": round(tokens / seconds[name]),
                "speed_vs_" + base: round(seconds[base] / seconds[name], 3),
            }
            for mode in modes:
                if mode == "lexical" and name != base:
                    continue  # the same store text in every variant: scored once
                row[mode] = score(libs[name], embedders[q], cards, mode)
            out[name] = row
        result["variants"] = out
        result["load_after"] = load_avg()
        for lib in libs.values():
            lib.close()
        for emb in embedders.values():
            emb.close()
    emit(result, args.out)


if __name__ == "__main__":
    main()
