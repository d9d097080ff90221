"""The tag the Reviewer keeps: of the Writer's candidates, the one nearest the card and the
tags debaters wrote for cards like it.

Gemma 3 270M writes abstract tags ("The economy is in danger.") where debaters mostly say the
card's claim in its own words. So besides the generated tag the Writer offers the card's
highlighted claim: the highlighted words of its most central sentence (the one whose vector
is nearest the whole read text), cleaned into one sentence of tag length. Of the candidates
tag_checks passes, the Reviewer keeps the one with the highest MiniLM cosine to the card's
read text plus EXAMPLES_WEIGHT times its cosine to the mean of the few-shot examples' tags
(debaters' tags of the most similar training cards: their style and the topic's words).
Every candidate is the model's words or the card's own, never the debater's tag of this card.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from agents.cutter.text import marked_words, segment, split_words
from agents.team.tag_checks import tag_problem
from agents.team.tag_examples import ExampleBank, default_bank
from agents.team.writer import TAG_EXAMPLES, read_text
from evidence.cards.card import Card, Mark
from evidence.index.embedding import Embedder

MIN_SENTENCE_WORDS = 4  # highlighted words a sentence needs to state a claim
# The length bound on the card's claim: three in four tags of the example bank (debaters'
# tags of the training cards, mean 10.5 words) are this long or shorter.
CLAIM_WORDS = 14
# Marks a tag may not hold (tag_checks' markup) and bracketed asides ("[Table Omitted]").
_ASIDE = re.compile(r"\[[^\]]*\]|\{[^}]*\}|<[^>]*>")
_MARKS = re.compile(r"[«»<>{}\[\]*#|\\`]|https?://\S*")
# Words a claim does not start with: it continues a sentence the tag does not hold.
_LEAD = frozenset(
    "and or but so because however also thus hence therefore moreover furthermore yet then "
    "which who that while whereas although though as".split()
)
_TRAIL = frozenset(
    "a an the and or but nor of to in on at by for with from as that which who than is are "
    "was were be its their his her our this these those".split()
)
_CLAUSE_BREAK = re.compile(r"[,;:—–]$")


# How much nearness to the examples' tags counts beside nearness to the read text. The card's
# claim is made of the read text and the model imitates the examples, so each term favours
# one candidate; at 2 the pick is about half each. bench/tag_eval.py, validation cards 0-99:
# weight 0 gives ROUGE-L 6.77 / cosine 32.31, 1 gives 6.98 / 32.37, 2 gives 7.40 / 32.31;
# checked on cards 100-199 (see the commit message).
EXAMPLES_WEIGHT = 2.0

MODEL_TAG, CARD_CLAIM = "the model's tag", "the card's highlighted claim"


@dataclass(frozen=True)
class Choice:
    tag: str
    what: str  # "the model's tag" or "the card's highlighted claim"
    closeness: float  # cosine to the read text, plus cosine to the examples' tags if any


def read_all(card: Card) -> str:
    """Everything the card reads aloud: highlight, else underline, else the body."""
    return card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body


def highlighted_sentences(card: Card) -> list[str]:
    """Per sentence of the body, its highlighted words (else underlined), when they are
    enough to state something."""
    words = split_words(card.body)
    mark = Mark.HIGHLIGHT if card.marked(Mark.HIGHLIGHT) else Mark.UNDERLINE
    flags = marked_words(words, card.spans, mark)
    out = []
    for s, e in segment(card.body, words, clauses=False):
        picked = [words[i].text for i in range(s, e) if flags[i]]
        if len(picked) >= MIN_SENTENCE_WORDS:
            out.append(" ".join(picked))
    return out


def as_claim(text: str, limit: int = CLAIM_WORDS) -> str:
    """Highlighted words as one tag sentence: asides and marks out, no leading connective or
    trailing function word, at most `limit` words (cut at a clause break when one is near),
    a capital first and a full stop last. "" when nothing usable is left."""
    text = _MARKS.sub(" ", _ASIDE.sub(" ", text))
    text = re.sub(r"\s*[—–]+\s*", "— ", text.replace("…", " "))  # "decline—or": a break
    # Quotes off the words' ends (a quotation's marks would be unbalanced), not "Court’s".
    words = [w.strip('"“”‘’') for w in text.split()]
    words = [w for w in words if any(c.isalnum() for c in w)]
    while words and words[0].lower().strip(",.;:") in _LEAD:
        words.pop(0)
    if len(words) > limit:
        breaks = [i + 1 for i, w in enumerate(words[:limit]) if _CLAUSE_BREAK.search(w)]
        cut = breaks[-1] if breaks and breaks[-1] >= limit // 2 else limit
        words = words[:cut]
    while words and words[-1].lower().strip(",.;:!?()—–-") in _TRAIL:
        words.pop()
    if not words:
        return ""
    sentence = " ".join(words).strip(" ,;:-—–()")
    sentence = re.sub(r"[.!?]+$", "", sentence).rstrip(" ,;:") + "."
    return sentence[:1].upper() + sentence[1:]


def highlighted_claim(card: Card, embedder: Embedder) -> str:
    """The card's claim in its own words: the highlighted words of the sentence nearest the
    whole read text, as a tag ("" when no sentence has enough highlighted words)."""
    sentences = highlighted_sentences(card)
    if not sentences:
        return as_claim(read_all(card))
    if len(sentences) == 1:
        return as_claim(sentences[0])
    vecs = _unit(embedder.embed([read_all(card), *sentences]))
    best = int(np.argmax(vecs[1:] @ vecs[0]))
    return as_claim(sentences[best])


def choose_tag(
    candidates: Sequence[tuple[str, str]],
    card: Card,
    embedder: Embedder,
    others: Collection[str] = (),
    example_tags: Sequence[str] = (),
) -> Choice | None:
    """Of (tag, what) candidates, the one tag_checks passes that is nearest the card's read
    text and (weighted) the mean of `example_tags`, left out when there are none; None when
    every candidate is refused."""
    usable = [(t, w) for t, w in candidates if t and not tag_problem(t, others)]
    if not usable:
        return None
    vecs = _unit(embedder.embed([read_all(card), *(t for t, _ in usable)]))
    sims = vecs[1:] @ vecs[0]
    if example_tags:
        prior = _unit(embedder.embed(list(example_tags))).mean(axis=0)
        prior = prior / max(float(np.linalg.norm(prior)), 1e-12)
        sims = sims + EXAMPLES_WEIGHT * (vecs[1:] @ prior)
    best = int(np.argmax(sims))  # the first wins a tie: the order says the preference
    return Choice(usable[best][0], usable[best][1], float(sims[best]))


def _unit(rows: Sequence[Sequence[float]]) -> np.ndarray:
    m = np.asarray(rows, dtype=np.float64)
    return np.asarray(m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12))


def pick_tag(
    model_tag: str,
    card: Card,
    embedder: Embedder,
    others: Collection[str] = (),
    bank: ExampleBank | None = None,
) -> Choice | None:
    """The Reviewer's pick between the model's tag ("" when it was refused) and the card's
    highlighted claim, judged against the same retrieved examples the model was shown."""
    candidates = [(model_tag, MODEL_TAG), (highlighted_claim(card, embedder), CARD_CLAIM)]
    examples = (bank or default_bank()).nearest(read_text(card), TAG_EXAMPLES)
    return choose_tag(candidates, card, embedder, others, [e.tag for e in examples])
