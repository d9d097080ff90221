"""What the cutter scores: clause relevance to the tag, and word-level cues.

Scores are unitless and only compared within one card. One embed() call per card holds the
tag and every clause (sentence vectors are pooled from clause vectors): one batched pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.cutter.text import (
    Word,
    merge_short,
    segment,
)
from evidence.cards.lexicon import FUNCTION_WORDS
from evidence.index.embedding import Embedder

# Text debaters never read: omission notes, footnote markers, page markers like "[*60]".
SKIP = re.compile(r"^\[.*\]$|^\[\*?\d+\]?$|^\d{1,3}$|^\*+\d*$")
_BRACKET_OPEN = re.compile(r"^[(\[]")
_BRACKET_CLOSE = re.compile(r"[)\]][.,;:]?$")
# Weights of the clause score, chosen by hand on the development samples (few, coarse).
SMOOTH = (0.25, 0.5, 0.25)
W_SENTENCE = 0.5
W_OVERLAP = 0.3
W_SKIP = 1.0
_STEM = re.compile(r"(?:ing|ed|es|s|ly|al|tion|ions)$")


def stem(key: str) -> str:
    """A crude suffix strip: enough to match "sanctions" with "sanction" in the tag."""
    return _STEM.sub("", key) if len(key) > 4 else key


@dataclass
class CardFeatures:
    """Per-clause and per-word scores of one card."""

    clauses: list[tuple[int, int]]  # word ranges
    clause_score: np.ndarray  # relevance of each clause, higher is better
    word_clause: np.ndarray  # clause index of each word
    content: np.ndarray  # 1.0 for a content word, else 0.0
    tag_overlap: np.ndarray  # 1.0 where the word's stem occurs in the tag
    skip: np.ndarray  # 1.0 for words never read (omission notes, footnotes, parentheticals)


def parenthetical(words: Sequence[Word], longest: int = 25) -> np.ndarray:
    """1.0 for words inside a short (...) or [...]: asides and citations debaters skip.
    A bracket left open for more than `longest` words marks nothing: it is not an aside."""
    out = np.zeros(len(words))
    i = 0
    while i < len(words):
        if _BRACKET_OPEN.match(words[i].text):
            for j in range(i, min(i + longest, len(words))):
                if _BRACKET_CLOSE.search(words[j].text):
                    out[i : j + 1] = 1.0
                    i = j
                    break
        i += 1
    return out


def features(tag: str, body: str, words: list[Word], embedder: Embedder | None) -> CardFeatures:
    sentences = segment(body, words, clauses=False)
    clauses = merge_short(segment(body, words, clauses=True), 5)
    n = len(words)
    word_clause = np.zeros(n, dtype=int)
    for ci, (a, b) in enumerate(clauses):
        word_clause[a:b] = ci
    word_sentence = np.zeros(n, dtype=int)
    for si, (a, b) in enumerate(sentences):
        word_sentence[a:b] = si

    tag_stems = {stem(re.sub(r"[^\w]", "", t.lower())) for t in tag.split()}
    tag_stems -= {""}
    keys = [w.key for w in words]
    content = np.array([1.0 if k and k not in FUNCTION_WORDS else 0.0 for k in keys])
    tag_overlap = np.array(
        [1.0 if k not in FUNCTION_WORDS and stem(k) in tag_stems else 0.0 for k in keys]
    )
    skip = np.array([1.0 if SKIP.match(w.text) else 0.0 for w in words])
    skip = np.maximum(skip, parenthetical(words))

    def text(rng: tuple[int, int]) -> str:
        return " ".join(w.text for w in words[rng[0] : rng[1]])

    clause_len = np.array([b - a for a, b in clauses], dtype=np.float64)
    if embedder is not None:
        vecs = np.asarray(embedder.embed([tag] + [text(c) for c in clauses]), dtype=np.float64)
        tag_vec, clause_vecs = vecs[0], vecs[1:]
        clause_sim = clause_vecs @ tag_vec
        clause_sentence = word_sentence[[a for a, _ in clauses]]
        sent_sim = sentence_similarity(clause_vecs, clause_len, clause_sentence, tag_vec)
    else:
        clause_sim = np.zeros(len(clauses))
        sent_sim = np.zeros(len(clauses))

    # Debaters underline in runs that span neighbouring clauses: smooth along the card.
    padded = np.pad(clause_sim, len(SMOOTH) // 2, mode="edge")
    smoothed = np.convolve(padded, SMOOTH, mode="valid")
    overlap = np.array([tag_overlap[a:b].sum() / max(content[a:b].sum(), 1.0) for a, b in clauses])
    skipped = np.array([skip[a:b].mean() for a, b in clauses])
    clause_score = smoothed + W_SENTENCE * sent_sim + W_OVERLAP * overlap - W_SKIP * skipped
    return CardFeatures(clauses, clause_score, word_clause, content, tag_overlap, skip)


def sentence_similarity(
    clause_vecs: np.ndarray,
    clause_len: np.ndarray,
    clause_sentence: np.ndarray,
    tag_vec: np.ndarray,
) -> np.ndarray:
    """Each clause's sentence's cosine to the tag, from the clause vectors alone: MiniLM
    mean-pools its tokens, so a sentence's vector is close to the length-weighted mean of its
    clauses' vectors (this saves embedding every sentence a second time)."""
    sent_sim = np.zeros(len(clause_vecs))
    for si in np.unique(clause_sentence):
        members = clause_sentence == si
        pooled = (clause_vecs[members] * clause_len[members, None]).sum(axis=0)
        sent_sim[members] = pooled @ tag_vec / max(float(np.linalg.norm(pooled)), 1e-12)
    return sent_sim
