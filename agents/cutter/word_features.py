"""Per-word features for the learned cutter: one row per whitespace word of a card body.

Sentence vectors come from one batched embed() call per card holding the tag and every
clause (as agents/cutter/features.py does); everything else is lexical or positional, so a
card costs one embedding pass plus a few numpy operations. The same code builds the training
rows (bench/train_cutter.py) and the rows at cutting time, so the two cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from agents.cutter.features import SKIP, parenthetical, sentence_similarity, stem
from agents.cutter.text import Word, merge_short, segment
from evidence.cards.lexicon import FUNCTION_WORDS, HEDGES, NEGATIONS

_NUMBER = re.compile(r"\d")
_QUOTE = re.compile(r"[\"“”‘’]")
_END_PUNCT = re.compile(r"[.!?][\"”’')\]]*$")
_MID_PUNCT = re.compile(r"[,;:][\"”’')\]]*$")
# Offsets of the neighbours whose features each row repeats (the window).
WINDOW = (-3, -2, -1, 1, 2, 3)


@dataclass(frozen=True)
class CardLayout:
    """Clauses and sentences of one card, and the texts its one embed() call takes."""

    clauses: list[tuple[int, int]]
    sentences: list[tuple[int, int]]
    texts: list[str]  # the tag, then one text per clause


def layout(tag: str, body: str, words: list[Word]) -> CardLayout:
    clauses = merge_short(segment(body, words, clauses=True), 5)
    sentences = segment(body, words, clauses=False)
    texts = [tag] + [" ".join(w.text for w in words[a:b]) for a, b in clauses]
    return CardLayout(clauses, sentences, texts)


def _index_of(ranges: Sequence[tuple[int, int]], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=int)
    for i, (a, b) in enumerate(ranges):
        out[a:b] = i
    return out


def _relative(ranges: Sequence[tuple[int, int]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Position of each word in its range (0..1) and the range's log length."""
    pos = np.zeros(n)
    size = np.zeros(n)
    for a, b in ranges:
        pos[a:b] = np.arange(b - a) / max(b - a - 1, 1)
        size[a:b] = math.log1p(b - a)
    return pos, size


def _zscore(x: np.ndarray) -> np.ndarray:
    return np.asarray((x - x.mean()) / (x.std() + 1e-6), dtype=np.float64)


def _lexical(
    words: list[Word], tag: str, idf: Mapping[str, float], idf_default: float
) -> np.ndarray:
    tag_stems = {stem(re.sub(r"[^\w]", "", t.lower())) for t in tag.split()} - {""}
    rows = []
    for w in words:
        key = w.key
        text = w.text
        function = key in FUNCTION_WORDS
        rows.append(
            (
                1.0 if function else 0.0,
                1.0 if text[:1].isupper() else 0.0,
                1.0 if len(key) > 1 and text.isupper() else 0.0,
                1.0 if _NUMBER.search(text) else 0.0,
                1.0 if "%" in text or key in ("percent", "percentage") else 0.0,
                1.0 if _QUOTE.search(text) else 0.0,
                1.0 if key in NEGATIONS or (key.endswith("nt") and "'" in text) else 0.0,
                1.0 if key in HEDGES else 0.0,
                1.0 if _END_PUNCT.search(text) else 0.0,
                1.0 if _MID_PUNCT.search(text) else 0.0,
                1.0 if text[:1] in "([" else 0.0,
                1.0 if text[-1:] in ")]" or text[-2:-1] in ")]" else 0.0,
                min(len(key), 15) / 15.0,
                idf.get(key, idf_default) / 10.0,
                1.0 if not function and key and stem(key) in tag_stems else 0.0,
                1.0 if SKIP.match(text) else 0.0,
            )
        )
    return np.array(rows, dtype=np.float64).reshape(len(words), -1)


def word_features(
    tag: str,
    body: str,
    words: list[Word],
    card: CardLayout,
    vectors: np.ndarray,
    idf: Mapping[str, float],
    idf_default: float,
) -> np.ndarray:
    """Rows of features, one per word; `vectors` are the embeddings of `card.texts`."""
    n = len(words)
    clauses, sentences = card.clauses, card.sentences
    word_clause = _index_of(clauses, n)
    word_sentence = _index_of(sentences, n)
    vecs = np.asarray(vectors, dtype=np.float64)
    tag_vec, clause_vecs = vecs[0], vecs[1:]
    clause_sim = clause_vecs @ tag_vec
    clause_len = np.array([b - a for a, b in clauses], dtype=np.float64)
    clause_sentence = word_sentence[[a for a, _ in clauses]]
    sent_sim = sentence_similarity(clause_vecs, clause_len, clause_sentence, tag_vec)
    card_vec = (clause_vecs * clause_len[:, None]).sum(axis=0)
    card_sim = float(card_vec @ tag_vec / max(float(np.linalg.norm(card_vec)), 1e-12))
    rank = np.argsort(np.argsort(-clause_sim, kind="stable"), kind="stable") / max(len(clauses), 1)
    padded = np.pad(clause_sim, 1, mode="edge")
    neighbours = (padded[:-2] + padded[2:]) / 2

    lex = _lexical(words, tag, idf, idf_default)
    paren = parenthetical(words)
    clause_pos, clause_size = _relative(clauses, n)
    sent_pos, sent_size = _relative(sentences, n)
    content = 1.0 - lex[:, 0]
    overlap = lex[:, 14]
    clause_overlap = np.array(
        [overlap[a:b].sum() / max(content[a:b].sum(), 1.0) for a, b in clauses]
    )
    clause_content = np.array([content[a:b].mean() for a, b in clauses])
    para_start = np.array(
        [
            1.0 if i == 0 or "\n" in body[words[i - 1].end : w.start] else 0.0
            for i, w in enumerate(words)
        ]
    )
    wc = word_clause
    local = np.column_stack(
        [
            lex,
            paren,
            para_start,
            clause_pos,
            sent_pos,
            clause_sim[wc],
            _zscore(clause_sim)[wc],
            sent_sim[wc],
            _zscore(sent_sim)[wc],
            rank[wc],
            neighbours[wc] - clause_sim[wc],
            clause_overlap[wc],
            clause_content[wc],
        ]
    )
    # Features of the neighbouring words: a shifted copy per offset, zeros past the ends.
    shifted = []
    for off in WINDOW:
        s = np.zeros_like(local)
        if off < 0:
            s[-off:] = local[:off]
        else:
            s[:-off] = local[off:]
        shifted.append(s)
    card_level = np.tile(
        [math.log1p(n) / 8.0, card_sim, float(clause_sim.mean()), float(clause_sim.std())], (n, 1)
    )
    position = np.column_stack([np.arange(n) / max(n - 1, 1), clause_size, sent_size])
    return np.hstack([local, *shifted, position, card_level])


def context_features(p: np.ndarray, card: CardLayout) -> np.ndarray:
    """Second-stage inputs from first-stage P(underline): the word's, its window's, the mean
    over its clause, its sentence, +-8 words and the card, and its rank within the card.
    Debaters underline in runs and some underline far more than others: this lets the
    second stage see both."""
    n = len(p)
    cols = [p]
    for off in WINDOW:
        s = np.zeros_like(p)
        if off < 0:
            s[-off:] = p[:off]
        else:
            s[:-off] = p[off:]
        cols.append(s)
    for ranges in (card.clauses, card.sentences):
        mean = np.zeros(n)
        for a, b in ranges:
            mean[a:b] = p[a:b].mean()
        cols.append(mean)
    cum = np.concatenate([[0.0], np.cumsum(p)])
    idx = np.arange(n)
    lo, hi = np.maximum(idx - 8, 0), np.minimum(idx + 9, n)
    cols.append((cum[hi] - cum[lo]) / (hi - lo))
    cols.append(np.full(n, p.mean()))
    cols.append(np.argsort(np.argsort(p, kind="stable"), kind="stable") / max(n - 1, 1))
    return np.column_stack(cols)


CONTEXT_COLUMNS = 1 + len(WINDOW) + 5


def feature_count() -> int:
    """Columns of word_features, from a one-word card: what stored weights must expect."""
    words = [Word(0, 4, "word")]
    card = layout("tag", "word", words)
    vectors = np.ones((len(card.texts), 2)) / np.sqrt(2.0)
    return int(word_features("tag", "word", words, card, vectors, {}, 1.0).shape[1])
