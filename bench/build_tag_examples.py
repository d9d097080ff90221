"""Build the Writer's tag example bank (resources/tags/examples.json) from real cards.

Only the TRAINING groups of shared/training are used (bench/cutter_data.training_cards): the
validation groups stay unseen, so bench/tag_eval.py on them is honest. An example is the
card's highlighted words (its first READ_WORDS) and the debater's tag; a tag the Reviewer would
refuse (agents/team/tag_checks.py), a tag out of the length bound and a repeated tag are left
out, so the model only ever imitates usable tags.

Usage: python bench/build_tag_examples.py [--out PATH]   (prints a JSON summary)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.team.tag_checks import normalize, tag_problem  # noqa: E402
from agents.team.tag_examples import BANK, ExampleBank, TagExample  # noqa: E402
from evidence.cards.card import Mark  # noqa: E402

READ_WORDS = 45  # enough to show what the tag is about, small enough for a 4-shot prompt
MIN_TAG_WORDS, MAX_TAG_WORDS = 3, 24


def examples() -> list[TagExample]:
    from bench.cutter_data import training_cards

    out: list[TagExample] = []
    seen: set[str] = set()
    for lc in training_cards():
        tag = " ".join(lc.card.tag.split())
        read = " ".join(lc.card.text_of(Mark.HIGHLIGHT).split()[:READ_WORDS])
        key = normalize(tag)
        n = len(tag.split())
        if tag_problem(tag) or not MIN_TAG_WORDS <= n <= MAX_TAG_WORDS or key in seen:
            continue
        if not tag.endswith((".", "!", "?")):
            tag += "."
        seen.add(key)
        out.append(TagExample(read, tag))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / Path(*BANK))
    args = parser.parse_args()
    bank = ExampleBank(examples())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(bank.to_json() + "\n", encoding="utf-8")
    summary = {"examples": len(bank.examples), "bytes": args.out.stat().st_size}
    print(json.dumps({"out": str(args.out), **summary}))


if __name__ == "__main__":
    main()
