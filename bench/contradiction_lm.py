"""The generator as a contradiction vote, measured on a sample of the validation cards, as JSON.

Idea 2 of issue 13 part 4, in its likelihood form: which of the tag and its rule-made
opposites (agents/team/flips.opposites) does the generator find more likely after the card's
best-matching read sentences? Scored as pointwise mutual information, log p(claim | card) -
log p(claim | no card), so a claim that is merely likelier wording (no inserted "not", a
debater's phrasing against a rule-made one) gains nothing. Flagged when an opposite's PMI
beats the tag's by more than --margin (0 unless told: nothing is tuned on validation). A tag
the rules make no opposite of is never flagged by this vote.

Gemma 3 270M on 2 busy cores evaluates ~30 tokens/s, so a check costs seconds and the whole
validation split hours: this measures the first --cards validation cards (all their
examples), with the shipped check's flags on the same examples beside it.

    python -m bench.contradiction_lm [--cards 25] [--skip 0] [--margin 0] [--threads 2]

Measured (validation cards 1-35, 80 examples, margin 0, the loaded 2-core machine): the
vote flagged 75.6 % of the contradicting tags and 37.1 % of the real ones (cards 1-15:
88.2 / 26.7; cards 16-35: 67.9 / 45.0); the shipped check on the same examples 31.1 % and
2.9 %. On cards 16-35 a margin of 2 gives 25.0 / 10.0, of 1 39.3 / 20.0: the vote picks
the card's side of a tag and its flip about three times in four, short of the target, and
costs 31-49 s per check under a load of 10-12. Not wired into the Reviewer.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from agents.team.contradiction import evidence, load_check
from bench.contradiction_data import Example, split
from bench.contradiction_eval import rates
from bench.contradiction_features import TextVectors, feature_rows

ROOT = Path(__file__).resolve().parents[1]
ASK = "\n\nIn short, the evidence says:"
EVIDENCE_CHARS = 900  # two sentences, ~200 tokens: the prompt is most of a check's time


def claim(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return " " + (text.lower() if text.isupper() else text) + "."


def sample(examples: Sequence[Example], cards: int, skip: int = 0) -> list[Example]:
    bodies: list[str] = []
    for e in examples:
        if e.card.body not in bodies:
            bodies.append(e.card.body)
    keep = set(bodies[skip : skip + cards])
    return [e for e in examples if e.card.body in keep]


def margins(examples: Sequence[Example], scorer: object) -> np.ndarray:
    """PMI(tag) - max PMI(opposite) per example; +inf when the rules make no opposite."""
    score = scorer.continuation_logprobs  # type: ignore[attr-defined]
    out = []
    for e in examples:
        ev = evidence(e.tag, e.card)
        if not ev.opposites:
            out.append(np.inf)
            continue
        claims = [claim(c) for c in [e.tag, *ev.opposites]]
        text = " ".join(ev.sentences[:2])[:EVIDENCE_CHARS]
        cond = np.array(score("Evidence: " + text + ASK, claims))
        prior = np.array(score(ASK.strip(), claims))
        pmi = cond - prior
        out.append(float(pmi[0] - pmi[1:].max()))
        print(json.dumps({"kind": e.kind, "margin": round(out[-1], 3)}), file=sys.stderr)
    return np.array(out)


def main(argv: Sequence[str] | None = None) -> None:
    from agents.models.bundled import default_embedder_path, default_generator_path
    from agents.runtime.embedder import LlamaEmbedder
    from agents.runtime.llama_generator import LlamaGenerator

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--cards", type=int, default=25)
    parser.add_argument("--margin", type=float, default=0.0)
    parser.add_argument("--skip", type=int, default=0, help="validation cards to pass over")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", type=Path, default=ROOT / ".pytest_cache" / "models")
    args = parser.parse_args(argv)
    examples = sample(split()[1], args.cards, args.skip)
    kinds = np.array([e.kind for e in examples])
    check = load_check()
    assert check is not None, "no contradiction weights: run bench/train_contradiction.py"
    with LlamaEmbedder(default_embedder_path(args.models), n_threads=1) as llama:
        x = feature_rows(examples, TextVectors(llama))
    ours = check.head.probabilities(x) >= check.threshold
    path = default_generator_path(args.models)
    with LlamaGenerator(path, n_threads=args.threads, context_size=1024) as gen:
        started = time.perf_counter()
        margin = margins(examples, gen)
        seconds = time.perf_counter() - started
    lm = margin < -args.margin
    report = {
        "cards": int((kinds == "real").sum()),
        "examples": len(examples),
        "generator": path.name,
        "margin": args.margin,
        "ours": rates(ours, kinds),
        "lm": rates(lm, kinds),
        "ours_or_lm": rates(ours | lm, kinds),
        "lm_seconds_per_check": round(seconds / max(len(examples), 1), 2),
        # A diagnostic, not a choice: the margin that ships must come from training cards.
        "lm_by_margin": {
            str(m): {
                "real_flagged_pct": rates(margin < -m, kinds)["real_flagged_pct"],
                "contradicting_flagged_pct": rates(margin < -m, kinds)["contradicting_flagged_pct"],
            }
            for m in (0.0, 0.5, 1.0, 2.0, 3.0)
        },
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
