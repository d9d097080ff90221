"""Extractive card cutting: choose the words to underline and highlight in a card body.

The body is never changed: marks are word-aligned character spans over it. Highlight is
always a subset of underline (what is read aloud is part of what would be read).
"""

from __future__ import annotations

import numpy as np

from agents.cutter.features import features
from agents.cutter.text import fill_gaps, split_words, to_spans
from evidence.cards.card import Mark, Span
from evidence.index.embedding import Embedder

HIGHLIGHT_COLOR = "yellow"


def default_shares(n_words: int) -> tuple[float, float]:
    """Underline and highlight shares for a card of `n_words` words.

    Debaters mark a smaller share of longer cards: on the development samples (147 cards)
    underline ~ 2.58 * n^-0.323 (58% at 100 words, 28% at 1000) and highlight ~ 4.34 * n^-0.563
    (33% to 9%). We mark 1.65x and 1.2x that: relevance ranking is uncertain, and word F1
    loses more by a missed word than by an extra one.
    """
    n = max(n_words, 1)
    return min(0.95, 1.65 * 2.58 * n**-0.323), min(0.9, 1.2 * 4.34 * n**-0.563)


def cut_marks(
    tag: str,
    body: str,
    embedder: Embedder | None = None,
    *,
    underline_share: float | None = None,
    highlight_share: float | None = None,
) -> list[Span]:
    """UNDERLINE and HIGHLIGHT spans over `body` for a card proving `tag`.

    Underline takes whole clauses, most relevant to the tag first, until about
    `underline_share` of the words are marked; highlight takes the best words inside the
    underline (content words and tag words first) up to `highlight_share`, bridging gaps of
    up to two words so the read text stays grammatical. A share left as None follows the
    card's length (`default_shares`). Without an embedder only lexical overlap with the tag
    and the skip rules rank clauses. Deterministic: stable sorts, no randomness.
    """
    words = split_words(body)
    if not words:
        return []
    n = len(words)
    auto_u, auto_h = default_shares(n)
    u_share = auto_u if underline_share is None else underline_share
    h_share = auto_h if highlight_share is None else highlight_share
    feats = features(tag, body, words, embedder)

    budget = round(u_share * n)
    underline = [False] * n
    used = 0
    for ci in np.argsort(-feats.clause_score, kind="stable"):
        if used >= budget:
            break
        a, b = feats.clauses[ci]
        size = int((feats.skip[a:b] == 0).sum())
        if used and used + size - budget > budget - used:
            continue  # it would overshoot more than it fills: try a shorter clause
        for i in range(a, b):
            if not feats.skip[i]:
                underline[i] = True
        used += size
    underline = fill_gaps(underline, 1)

    word_score = (
        feats.clause_score[feats.word_clause] + 0.3 * feats.content + 0.3 * feats.tag_overlap
    )
    candidates = [i for i in np.argsort(-word_score, kind="stable") if underline[i]]
    highlight = [False] * n
    for i in candidates[: round(h_share * n)]:
        highlight[i] = True
    highlight = [h and u for h, u in zip(fill_gaps(highlight, 2), underline, strict=True)]

    return to_spans(body, words, underline, Mark.UNDERLINE) + to_spans(
        body, words, highlight, Mark.HIGHLIGHT, HIGHLIGHT_COLOR
    )


def cxdb8_marks(
    tag: str,
    body: str,
    embedder: Embedder,
    *,
    underline_percentile: float = 70.0,
    highlight_percentile: float = 85.0,
    window: int = 10,
    gap: int = 3,
    stride: int = 1,
) -> list[Span]:
    """The CX_DB8 baseline (Hellisotherpeople/CX_DB8, "phrase" mode, its defaults).

    Each word is scored by the cosine between the tag and its context window of +-`window`
    words; words at or above the 70th percentile are underlined, the 85th highlighted, and
    gaps of at most `gap` words between underlined words are filled. `stride` > 1 embeds only
    every stride-th window and gives each word its nearest window's score (a speed-up for
    benchmarks; windows overlap in all but 2 * stride of their words).
    """
    words = [w.text for w in split_words(body)]
    if not words:
        return []
    n = len(words)
    centres = list(range(0, n, max(stride, 1)))
    texts = [" ".join(words[max(0, c - window) : c + window + 1]) for c in centres]
    vecs = np.asarray(embedder.embed([tag, *texts]), dtype=np.float64)
    centre_scores = vecs[1:] @ vecs[0]
    nearest = np.minimum(np.rint(np.arange(n) / max(stride, 1)).astype(int), len(centres) - 1)
    scores = centre_scores[nearest]
    ul = float(np.percentile(scores, underline_percentile))
    hl = float(np.percentile(scores, highlight_percentile))
    underline = fill_gaps([bool(s >= ul) for s in scores], gap)
    highlight = [bool(s >= hl) for s in scores]
    ws = split_words(body)
    return to_spans(body, ws, underline, Mark.UNDERLINE) + to_spans(
        body, ws, highlight, Mark.HIGHLIGHT, HIGHLIGHT_COLOR
    )


def all_words_marks(body: str) -> list[Span]:
    """The trivial baseline: every word underlined and highlighted."""
    words = split_words(body)
    every = [True] * len(words)
    return to_spans(body, words, every, Mark.UNDERLINE) + to_spans(
        body, words, every, Mark.HIGHLIGHT, HIGHLIGHT_COLOR
    )
