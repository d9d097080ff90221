"""The contradiction check's test set: real debaters' tags and variants that say the opposite.

Cards come from shared/training through bench/cutter_data.py's public functions (`load`
deduplicates usable cards by body; the split is by file group, VALIDATION_GROUPS), but
uncapped: a tag is one short text, so every usable card is worth having. A card's own tag is
"consistent"; each rule below that applies to it makes one "contradicting" variant:

- negation_insert: "not" after the first auxiliary ("will solve" -> "will not solve"), or
  "does not"/"did not" before a known verb in -s/past form ("reduces" -> "does not reduce")
- negation_remove: the first negation dropped ("won't" -> "will", "no", "never", "not")
- direction, effect, success, evaluative, modal, quantity: the first word of that antonym
  family (agents/team/polarity.py) swapped for its antonym in the same form
- unseen: antonym pairs the check's lexicon does NOT know (win/lose is known; these are
  not), so only the vectors can see them

TRAIN_KINDS are the only variants the head is trained on; the others are held out of any
training, so their figures say whether the check generalises beyond the rules it saw.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from agents.team.flips import WORD, negation_insert, negation_remove, swap
from agents.team.polarity import FAMILIES, LEXICON
from bench.cutter_data import SAMPLES, TRAINING, VALIDATION_GROUPS, file_group, load
from evidence.cards.card import Card

TRAIN_KINDS = ("negation_insert", "direction", "effect", "evaluative")
HELD_OUT_KINDS = ("negation_remove", "success", "modal", "quantity", "unseen")
KINDS = TRAIN_KINDS + HELD_OUT_KINDS

# Pairs outside polarity.LEXICON (checked by a test): a contradiction the lexicon cannot see.
UNSEEN: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (
        ("accelerate", "accelerates", "accelerated", "accelerating"),
        ("slow", "slows", "slowed", "slowing"),
    ),
    (("cause", "causes", "caused", "causing"), ("prevent", "prevents", "prevented", "preventing")),
    (
        ("support", "supports", "supported", "supporting"),
        ("oppose", "opposes", "opposed", "opposing"),
    ),
    (
        ("encourage", "encourages", "encouraged", "encouraging"),
        ("discourage", "discourages", "discouraged", "discouraging"),
    ),
    (("easy",), ("hard",)),
    (("cheap",), ("expensive",)),
    (("valid",), ("invalid",)),
    (("key",), ("irrelevant",)),
    (("able",), ("unable",)),
    (("sustainable",), ("unsustainable",)),
    (("resilient",), ("fragile",)),
    (("accurate",), ("inaccurate",)),
    (("legal",), ("illegal",)),
    (("sufficient",), ("insufficient",)),
    (("necessary",), ("unnecessary",)),
    (("inevitable",), ("preventable",)),
    (("real",), ("fake",)),
    (("empirically",), ("never",)),
]
UNSEEN = [(p, n) for p, n in UNSEEN if not any(w in LEXICON for w in p + n)]


@dataclass(frozen=True)
class Example:
    tag: str
    card: Card
    group: str
    kind: str  # "real" or one of KINDS
    contradicts: bool


def variant(tag: str, kind: str) -> str | None:
    if kind == "negation_insert":
        return negation_insert(tag)
    if kind == "negation_remove":
        return negation_remove(tag)
    if kind == "unseen":
        return swap(tag, UNSEEN)
    return swap(tag, FAMILIES[kind])


def claim_like(tag: str) -> bool:
    """A tag that states something: >= 4 words, mostly letters ("3. GOOGLE." is not)."""
    words = WORD.findall(tag)
    return len(words) >= 4 and len(words) >= 0.6 * len(tag.split())


def examples(cards: Iterable[tuple[Card, str]]) -> list[Example]:
    out: list[Example] = []
    seen: set[str] = set()
    for card, group in cards:
        tag = " ".join(card.tag.split())
        if not claim_like(tag) or tag.lower() in seen:
            continue
        seen.add(tag.lower())
        out.append(Example(tag, card, group, "real", False))
        for kind in KINDS:
            text = variant(tag, kind)
            if text and text != tag:
                out.append(Example(text, card, group, kind, True))
    return out


def split(folder: Path = TRAINING) -> tuple[list[Example], list[Example]]:
    """(train, validation) examples, by file group as the cutter's split (validation files
    read first, so a body on both sides stays in validation only)."""
    files = sorted(folder.glob("*.docx"))
    held = [f for f in files if file_group(f) in VALIDATION_GROUPS]
    rest = [f for f in files if file_group(f) not in VALIDATION_GROUPS]
    cards = load(held + rest)
    train = examples((c.card, c.group) for c in cards if c.group not in VALIDATION_GROUPS)
    validation = examples((c.card, c.group) for c in cards if c.group in VALIDATION_GROUPS)
    return train, validation


def development() -> list[Example]:
    return examples((c.card, c.group) for c in load(sorted(SAMPLES.glob("*.docx"))))
