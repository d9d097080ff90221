"""Few-shot examples for the Writer's tag, retrieved from real debaters' cards.

The bank (resources/tags/examples.json, made by bench/build_tag_examples.py from the TRAINING
split of shared/training only) holds, per card, the words the debater read aloud (highlight)
and the tag they wrote for them. A small model imitates its examples closely, so the nearest
cards' tags teach it both the debaters' style and the vocabulary of the topic.

Retrieval is lexical (TF-IDF cosine over content words with an inverted index): it needs no
embedder, loads in milliseconds and answers a query in about a millisecond for ~1,200 cards.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from resources import resource_path

BANK = ("tags", "examples.json")

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the and or but nor of to in on at by for with from as that which who whom whose this "
    "these those it its is are was were be been being not no he she they we you i his her their "
    "our them us him me my your has have had do does did will would can could should may might "
    "must than then there here also more most very so such into over about only just any all "
    "some other what when where while if because even".split()
)


@dataclass(frozen=True)
class TagExample:
    read: str  # the words the debater read aloud (highlighted), shortened
    tag: str  # the tag they wrote


def terms(text: str) -> list[str]:
    """Content words, lower case, with a crude plural/verb ending folded so "sanctions" meets
    "sanction" and "escalates" meets "escalate"."""
    out = []
    for w in _TOKEN.findall(text.lower()):
        if w in _STOP or len(w) < 2:  # two letters keep "AI", "EU", "UN"
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


class ExampleBank:
    """Examples with a TF-IDF index over their read text and tag."""

    def __init__(self, examples: Sequence[TagExample]) -> None:
        self.examples = list(examples)
        docs = [Counter(terms(f"{e.read} {e.tag} {e.tag}")) for e in self.examples]
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        n = len(docs)
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            weights = {t: (1 + math.log(c)) * self._idf[t] for t, c in doc.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for t, w in weights.items():
                self._postings[t].append((i, w / norm))

    def nearest(self, query: str, k: int = 4) -> list[TagExample]:
        """The `k` examples most similar to `query` (most similar first), one per tag; fewer
        when fewer share a content word with it."""
        counts = Counter(terms(query))
        scores: dict[int, float] = defaultdict(float)
        for t, c in counts.items():
            q = (1 + math.log(c)) * self._idf.get(t, 0.0)
            for i, w in self._postings.get(t, ()):
                scores[i] += q * w
        out: list[TagExample] = []
        seen: set[str] = set()
        for i in sorted(scores, key=lambda j: (-scores[j], j)):
            example = self.examples[i]
            key = " ".join(terms(example.tag))
            if key not in seen:
                seen.add(key)
                out.append(example)
                if len(out) == k:
                    break
        return out

    def to_json(self) -> str:
        rows = [{"read": e.read, "tag": e.tag} for e in self.examples]
        return json.dumps(rows, ensure_ascii=False, indent=0)


def load_bank(path: Path) -> ExampleBank:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return ExampleBank([TagExample(str(r["read"]), str(r["tag"])) for r in rows])


@lru_cache(maxsize=1)
def default_bank() -> ExampleBank:
    """The shipped bank; an empty one when it is missing (the Writer then uses the prompt's
    fixed examples only)."""
    path = resource_path(*BANK)
    return load_bank(path) if path.exists() else ExampleBank([])
