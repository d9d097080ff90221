"""Tag evaluation: the Writer's tags against the tags debaters wrote, with baselines.

Cards: the validation groups of shared/training by default (bench/cutter_data.py; the tag
example bank, bench/build_tag_examples.py, holds training-group cards only, so these are
unseen), or the usable cards of the Verbatim FILES given. Every tagger sees the card with the
debater's own underline and highlight (what a cut card reads aloud), never their tag.

Taggers (all in the same run):
- ours: the Writer's path (agents/team/writer.py) as cut_rounds runs it: the tag written,
  checked by tag_checks, written once more when refused; then the Reviewer's pick between
  it and the card's highlighted claim (agents/team/tag_choice.py); else the fallback;
- highlighted_claim: that second candidate alone (a part of ours, shown for comparison);
- first_highlighted_sentence: the first sentence of the highlighted words (the fallback's
  second choice);
- claim: the claim text the Writer is given. A Verbatim card has no typed claim, so this is
  the nearest heading above the card (its block or hat title): the claim a debater would
  have searched for. It is also what `ours` falls back to;
- gemma_fewshot_old: the Writer's prompt before retrieval (two fixed examples, no grammar,
  no repetition penalty), greedy, as its tag was until this change.

Scores, means over cards in percent: rougeL_f (ROUGE-L F1: the longest common subsequence of
lower-cased word tokens, written here) and cosine (MiniLM embeddings of the tag and the
debater's tag, the bundled embedder). Each tagger also reports n, seconds, and how many of its
tags tag_checks refuses.

Usage: python bench/tag_eval.py [FILES...] [--limit N] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.runtime.generation import GenerationRequest, Generator  # noqa: E402
from agents.team.memo import MemoEmbedder  # noqa: E402
from agents.team.prompts import render_text  # noqa: E402
from agents.team.tag_checks import tag_problem  # noqa: E402
from agents.team.tag_choice import highlighted_claim, pick_tag  # noqa: E402
from agents.team.writer import fallback_tag, tag_refusal, tidy_tag, write_tag  # noqa: E402
from evidence.cards.card import Card, Mark  # noqa: E402
from evidence.index.embedding import Embedder  # noqa: E402

# resources/prompts/tag.txt as it was before the retrieved examples (commit 5791479).
OLD_TAG_PROMPT = """\
Debate evidence is tagged with one short sentence: the claim the highlighted words prove.

Evidence: sanctions rarely change the behaviour of the target regime and often entrench it
Tag: Sanctions fail and entrench the regime.

Evidence: UNCLOS imposes a duty upon states to conserve whales that is stronger than the \
whaling convention
Tag: UNCLOS requires states to conserve whales.

Evidence: {read}
Tag:"""

_TOKEN = re.compile(r"[a-z0-9]+")

Tagger = Callable[[Card, str], str]  # (card, claim) -> tag


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def lcs(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (one row of the table at a time)."""
    prev = [0] * (len(b) + 1)
    for x in a:
        row = [0]
        for j, y in enumerate(b):
            row.append(prev[j] + 1 if x == y else max(prev[j + 1], row[j]))
        prev = row
    return prev[-1]


def rouge_l_f(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (beta 1) of two texts over lower-cased word tokens, in [0, 1]."""
    c, r = tokens(candidate), tokens(reference)
    if not c or not r:
        return 0.0
    common = lcs(c, r)
    if not common:
        return 0.0
    p, rec = common / len(c), common / len(r)
    return 2 * p * rec / (p + rec)


def first_highlighted_sentence(card: Card, claim: str) -> str:
    read = card.text_of(Mark.HIGHLIGHT) or card.body
    sentence = re.split(r"(?<=[.!?])\s", read.strip(), maxsplit=1)[0]
    return tidy_tag(" ".join(sentence.split()[:25]))


def old_gemma(generator: Generator) -> Tagger:
    def tag(card: Card, claim: str) -> str:
        read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body
        prompt = render_text(generator, OLD_TAG_PROMPT, read=" ".join(read.split()[:120]))
        request = GenerationRequest(prompt, max_tokens=40, temperature=0.0, stop=("\n",))
        return tidy_tag("".join(generator.stream(request)))

    return tag


def ours(generator: Generator, embedder: Embedder) -> Tagger:
    """cut_rounds._tag without the events: write, check, write again, then the Reviewer's
    pick, else the fallback; the cards of one claim are one result, so none repeats another's
    tag. The embedder keeps each vector, as a run's memo does."""

    taken: dict[str, list[str]] = {}  # tags given per claim: one claim's cards are a result
    memo = MemoEmbedder(embedder)

    def tag(card: Card, claim: str) -> str:
        others = taken.setdefault(claim, [])
        model_tag = ""
        for attempt in range(2):
            stream = write_tag(generator, card, lambda: False, 64, attempt)
            text = tidy_tag("".join(stream))
            if not tag_refusal(text, card, others, last=attempt == 1):
                model_tag = text
                break
        choice = pick_tag(model_tag, card, memo, others)
        text = choice.tag if choice else fallback_tag(claim, card, others)[0]
        others.append(text)
        return text

    return tag


def card_claim(embedder: Embedder) -> Tagger:
    return lambda card, claim: highlighted_claim(card, embedder)


def score(
    taggers: dict[str, Tagger], cards: Sequence[tuple[Card, str]], embedder: Embedder
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    gold = [card.tag for card, _ in cards]
    gold_vecs = _unit(embedder.embed(gold))
    result: dict[str, Any] = {}
    written: dict[str, list[str]] = {}
    for name, tagger in taggers.items():
        start = time.perf_counter()
        tags = []
        for card, claim in cards:
            # The tagger sees the card with its marks but never the debater's tag.
            blind = Card(claim, card.short_cite, card.full_cite, card.body, list(card.spans))
            tags.append(tagger(blind, claim))
        seconds = time.perf_counter() - start
        vecs = _unit(embedder.embed([t or " " for t in tags]))
        cos = np.where([bool(t) for t in tags], np.sum(vecs * gold_vecs, axis=1), 0.0)
        rouge = [rouge_l_f(t, g) for t, g in zip(tags, gold, strict=True)]
        result[name] = {
            "rougeL_f": round(100 * float(np.mean(rouge)), 2),
            "cosine": round(100 * float(np.mean(cos)), 2),
            "n": len(tags),
            "seconds": round(seconds, 1),
            "refused_by_tag_checks": sum(bool(tag_problem(t)) for t in tags),
        }
        written[name] = tags
    return result, written


def _unit(rows: list[list[float]]) -> np.ndarray:
    m = np.asarray(rows, dtype=np.float64)
    norms = np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
    return np.asarray(m / norms, dtype=np.float64)


def main(argv: Sequence[str] | None = None) -> None:
    from agents.models.bundled import default_embedder_path, default_generator_path
    from agents.runtime.embedder import LlamaEmbedder
    from agents.runtime.llama_generator import LlamaGenerator
    from bench.cutter_data import load, training_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="score the first N cards only")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="llama.cpp threads (1: OpenMP spin-waits on busy cores)",
    )
    parser.add_argument("--models", type=Path, default=ROOT / ".pytest_cache" / "models")
    parser.add_argument("--dump", type=Path, help="also write every tag written to this JSON")
    args = parser.parse_args(argv)

    labelled = load(args.files) if args.files else training_split()[1]
    labelled = [lc for lc in labelled if lc.card.tag.strip()]  # an untagged card scores nothing
    if args.limit:
        labelled = labelled[: args.limit]
    cards = [(lc.card, lc.heading) for lc in labelled]
    embedder_path = default_embedder_path(args.models)
    with (
        LlamaEmbedder(embedder_path, n_threads=args.threads) as embedder,
        LlamaGenerator(default_generator_path(args.models), n_threads=args.threads) as gen,
    ):
        taggers: dict[str, Tagger] = {
            "ours": ours(gen, embedder),
            "highlighted_claim": card_claim(embedder),
            "first_highlighted_sentence": first_highlighted_sentence,
            "claim": lambda card, claim: claim,
            "gemma_fewshot_old": old_gemma(gen),
        }
        result, written = score(taggers, cards, embedder)
    source = [str(f) for f in args.files] or "validation split of shared/training"
    print(json.dumps({"cards": source, "n": len(cards), "taggers": result}, indent=2))
    if args.dump:
        rows = [
            {"gold": card.tag, "claim": claim, **{k: v[i] for k, v in written.items()}}
            for i, (card, claim) in enumerate(cards)
        ]
        args.dump.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
