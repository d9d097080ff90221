"""The learned cutter's data: real debaters' cards from shared/training, deduplicated and split.

A usable card has >= 30 body words and both underline and highlight marks. Cards repeat
across one team's round files (and between files of one repository), so bodies are
deduplicated by normalised text and the train/validation split is made BY FILE GROUP: one
team for the dai-<School>-<Team>-... round files, one file for the others. The validation
groups are fixed here, in code, so the split is deterministic and reviewable; a body seen in
both a train and a validation group is kept on the validation side only, so no validation
body is ever trained on.

Word labels: a word is a whitespace token of the body (agents/cutter/text.split_words); it is
marked if any of its characters lies inside a span of that mark.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agents.cutter.text import marked_words, split_words
from evidence.cards.card import Card, Heading, Mark, Node
from evidence.index.embedding import Embedder

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT.parent / "shared" / "training" / "verbatim"
SAMPLES = ROOT.parent / "shared" / "samples" / "verbatim"

# Validation groups (~20% of the deduplicated usable cards): five dai teams (high-school
# public forum) and three dds files (policy, mixed sources), so both kinds of file are held out.
VALIDATION_GROUPS = frozenset(
    {
        "dai-SevenLakes-MeEs",
        "dai-ThePotomacSchool-LeMa",
        "dai-PlanoWest-BaAp",
        "dai-Hunter-EnCa",
        "dai-Langley-RaCh",
        "dds-1772827595013-cmmic1rzhkm",
        "dds-Cap-Good-1772826218138",
        "dds-NEG-copy-FTC-Tradeoff-DA-Coach-Nick-L",
    }
)
_DAI_TEAM = re.compile(r"^(dai-[^-]+(?:-Sudbury)?-[A-Za-z]{4})-")


def file_group(path: Path) -> str:
    """One team for dai round files (School-Team), one file for everything else."""
    m = _DAI_TEAM.match(path.stem)
    return m.group(1) if m else path.stem


@dataclass(frozen=True)
class LabelledCard:
    card: Card
    group: str
    underline: np.ndarray  # bool per word
    highlight: np.ndarray  # bool per word
    heading: str = ""  # the nearest heading above the card (its block or hat title), if any


def usable(card: Card) -> bool:
    return (
        bool(card.marked(Mark.UNDERLINE))
        and bool(card.marked(Mark.HIGHLIGHT))
        and len(card.body.split()) >= 30
    )


def normalised(body: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", body.lower()).split())


def label(card: Card, group: str, heading: str = "") -> LabelledCard:
    words = split_words(card.body)
    return LabelledCard(
        card,
        group,
        np.array(marked_words(words, card.spans, Mark.UNDERLINE), dtype=bool),
        np.array(marked_words(words, card.spans, Mark.HIGHLIGHT), dtype=bool),
        heading,
    )


def headed_cards(nodes: Sequence[Node], heading: str = "") -> Iterator[tuple[Card, str]]:
    """Each card of an outline in document order, with the title of the nearest heading
    above it (the block or hat a debater filed it under)."""
    for node in nodes:
        if isinstance(node, Heading):
            yield from headed_cards(node.children, " ".join(node.title.split()) or heading)
        elif isinstance(node, Card):
            yield node, heading


def load(files: Iterable[Path]) -> list[LabelledCard]:
    """Usable cards of `files` in file order, deduplicated by normalised body (first kept)."""
    from evidence.verbatim import read_verbatim

    seen: set[str] = set()
    out: list[LabelledCard] = []
    for path in files:
        for card, heading in headed_cards(read_verbatim(path).nodes):
            key = normalised(card.body)
            if usable(card) and key not in seen:
                seen.add(key)
                out.append(label(card, file_group(path), heading))
    return out


# Words taken per group (its first cards in file order). Balances the groups, so two big
# files of one repository do not teach their own habits, and keeps the one embedding pass
# per card inside the 30-minute training budget on 2 cores (~700 words/s). Validation takes
# fewer: it only has to measure, and the whole of it is embedded again by cutting_eval.
TRAIN_WORDS_PER_GROUP = 50_000
VALIDATION_WORDS_PER_GROUP = 30_000


def capped(cards: Sequence[LabelledCard], words: int) -> list[LabelledCard]:
    used: dict[str, int] = {}
    out: list[LabelledCard] = []
    for c in cards:
        if used.get(c.group, 0) < words:
            out.append(c)
            used[c.group] = used.get(c.group, 0) + len(c.underline)
    return out


def split(cards: Sequence[LabelledCard]) -> tuple[list[LabelledCard], list[LabelledCard]]:
    """(train, validation) by file group, each group capped; `load` kept each body once."""
    train = [c for c in cards if c.group not in VALIDATION_GROUPS]
    validation = [c for c in cards if c.group in VALIDATION_GROUPS]
    return capped(train, TRAIN_WORDS_PER_GROUP), capped(validation, VALIDATION_WORDS_PER_GROUP)


def training_split(folder: Path = TRAINING) -> tuple[list[LabelledCard], list[LabelledCard]]:
    """The deterministic split of shared/training: validation files are read first, so a
    body in both sides stays in validation only and training never sees it."""
    files = sorted(folder.glob("*.docx"))
    held = [f for f in files if file_group(f) in VALIDATION_GROUPS]
    rest = [f for f in files if file_group(f) not in VALIDATION_GROUPS]
    return split(load(held + rest))


def training_cards(folder: Path = TRAINING) -> list[LabelledCard]:
    """Every usable card of the training groups, uncapped (the tag example bank wants them
    all); as in training_split, a body also in a validation group is left out."""
    files = sorted(folder.glob("*.docx"))
    held = [f for f in files if file_group(f) in VALIDATION_GROUPS]
    rest = [f for f in files if file_group(f) not in VALIDATION_GROUPS]
    return [c for c in load(held + rest) if c.group not in VALIDATION_GROUPS]


def development() -> list[LabelledCard]:
    return load(sorted(SAMPLES.glob("*.docx")))


CACHE = ROOT / "bench" / "results" / "cutter-embeddings"


class CachedEmbedder:
    """An Embedder that keeps each embed() result on disk, by model and texts: the one
    embedding pass per card is most of the training and evaluation time, and the learned
    cutter and the heuristic embed the same texts (the tag and the clauses)."""

    def __init__(self, inner: Embedder, folder: Path = CACHE) -> None:
        self._inner = inner
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def inner(self) -> Embedder:
        return self._inner

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dim(self) -> int:
        return self._inner.dim

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vecs = self.vectors(texts)
        return [[float(v) for v in row] for row in vecs]

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        """The inner embedder's contextual word vectors, cached in WORD_CACHE."""
        return CachedWordVectors(self._inner, self.model_id).word_vectors(words)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        key = hashlib.sha1("\x00".join([self.model_id, *texts]).encode()).hexdigest()
        path = self._folder / f"{key}.npy"
        if path.exists():
            return np.asarray(np.load(path), dtype=np.float64)
        vecs = np.asarray(self._inner.embed(list(texts)), dtype=np.float32)
        np.save(path, vecs)
        return np.asarray(vecs, dtype=np.float64)


def card_vectors(cards: Sequence[LabelledCard], embedder: CachedEmbedder) -> list[np.ndarray]:
    """Each card's embedding of its layout texts (the tag, then its clauses)."""
    from agents.cutter.word_features import layout

    return [
        embedder.vectors(layout(lc.card.tag, lc.card.body, split_words(lc.card.body)).texts)
        for lc in cards
    ]


WORD_CACHE = Path(tempfile.gettempdir()) / "debate-prep-cutter-word-vectors"


class CachedWordVectors:
    """Per-word contextual vectors (the embedder's word_vectors) kept on disk as float16 by
    model and words: the token pass is most of the training time, and reruns skip it."""

    def __init__(self, inner: Any, model_id: str, folder: Path = WORD_CACHE) -> None:
        self._inner = inner
        self._model_id = model_id
        self._folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        key = hashlib.sha1("\x00".join([self._model_id, *words]).encode()).hexdigest()
        path = self._folder / f"{key}.npy"
        if path.exists():
            return np.asarray(np.load(path), dtype=np.float32)
        vecs = np.asarray(self._inner.word_vectors(list(words)), dtype=np.float32)
        np.save(path, vecs.astype(np.float16))
        return np.asarray(vecs.astype(np.float16), dtype=np.float32)
