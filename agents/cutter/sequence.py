"""Sequence decoding of per-word mark probabilities: debaters mark runs, not scattered words.

A two-state (marked / not) Viterbi decode whose transition log-probabilities depend on the
boundary after each word (none, a comma-like stop, a sentence end, a paragraph break, a dash
or an opening bracket/quote), estimated from the training split's own marks: a run is cheap
to start or end at a clause edge and dear in mid-phrase. The emission is the head's log-odds
against the training rate, scaled and shifted by two numbers fitted on out-of-fold training
probabilities (bench/train_cutter.py), since the heads already see their neighbours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from agents.cutter.text import Word

_END = re.compile(r"[.!?][\"”’')\]]*$")
_MID = re.compile(r"[,;:][\"”’')\]]*$")
_OPENERS = tuple('([{"“‘—–')
_CLOSERS = tuple(")]}—–")
NONE, STOP, SENTENCE, PARAGRAPH, ASIDE = range(5)
BOUNDARIES = 5


def boundaries(body: str, words: Sequence[Word]) -> np.ndarray:
    """The kind of boundary after each word (the last word's is PARAGRAPH)."""
    out = np.full(len(words), NONE, dtype=np.int64)
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is None or "\n" in body[word.end : nxt.start]:
            out[i] = PARAGRAPH
        elif _END.search(word.text):
            out[i] = SENTENCE
        elif _MID.search(word.text):
            out[i] = STOP
        elif nxt.text.startswith(_OPENERS) or word.text.endswith(_CLOSERS):
            out[i] = ASIDE
    return out


def transition_counts(kinds: np.ndarray, marked: np.ndarray) -> np.ndarray:
    """(BOUNDARIES, 2, 2) counts of (boundary after word i, state i, state i+1) in one card."""
    counts = np.zeros((BOUNDARIES, 2, 2))
    m = np.asarray(marked, dtype=np.int64)
    np.add.at(counts, (kinds[:-1], m[:-1], m[1:]), 1.0)
    return counts


def log_transitions(counts: np.ndarray) -> np.ndarray:
    """Add-one smoothed log P(next state | state, boundary) from summed counts."""
    c = counts + 1.0
    return np.asarray(np.log(c / c.sum(axis=2, keepdims=True)), dtype=np.float64)


def emissions(p: np.ndarray, prior: float, scale: float, shift: float) -> np.ndarray:
    """Per-word score of 'marked' over 'not': scaled log-odds against the training rate."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    odds = np.log(q / (1 - q)) - np.log(prior / (1 - prior))
    return np.asarray(scale * odds - shift, dtype=np.float64)


def viterbi(score: np.ndarray, kinds: np.ndarray, log_t: np.ndarray) -> np.ndarray:
    """The best marked/not path for per-word `score` under transitions `log_t[kind]`."""
    n = len(score)
    if n == 0:
        return np.zeros(0, dtype=bool)
    # Python floats in the loop: numpy scalars cost several times more per word.
    t = log_t.tolist()
    e = score.tolist()
    k = kinds.tolist()
    s0, s1 = 0.0, e[0]
    back0 = [0] * n
    back1 = [0] * n
    for i in range(1, n):
        (t00, t01), (t10, t11) = t[k[i - 1]]
        a0, a1 = s0 + t00, s1 + t10
        b0, b1 = s0 + t01, s1 + t11
        if a0 >= a1:
            n0 = a0
        else:
            n0, back0[i] = a1, 1
        if b0 >= b1:
            n1 = b0 + e[i]
        else:
            n1, back1[i] = b1 + e[i], 1
        s0, s1 = n0, n1
    out = np.zeros(n, dtype=bool)
    state = 1 if s1 > s0 else 0
    for i in range(n - 1, -1, -1):
        out[i] = state == 1
        state = back1[i] if state else back0[i]
    return out


@dataclass(frozen=True)
class Decoder:
    """The fitted decode of one mark: transitions by boundary, training rate, scale, shift."""

    log_t: np.ndarray  # (BOUNDARIES, 2, 2)
    prior: float
    scale: float
    shift: float

    def decode(self, p: np.ndarray, kinds: np.ndarray) -> np.ndarray:
        return viterbi(emissions(p, self.prior, self.scale, self.shift), kinds, self.log_t)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}_transitions": self.log_t.astype(np.float32),
            f"{prefix}_decode": np.array([self.prior, self.scale, self.shift], dtype=np.float32),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], prefix: str) -> Decoder | None:
        """None when the weights carry no decoder (older files: thresholds alone); raises
        ValueError on a misshapen one."""
        if f"{prefix}_transitions" not in arrays:
            return None
        log_t = np.asarray(arrays[f"{prefix}_transitions"], dtype=np.float64)
        values = [float(v) for v in np.asarray(arrays[f"{prefix}_decode"]).reshape(-1)]
        if log_t.shape != (BOUNDARIES, 2, 2) or len(values) != 3 or not 0 < values[0] < 1:
            raise ValueError(f"{prefix}: a misshapen sequence decoder")
        if not np.all(np.isfinite(log_t)) or not all(np.isfinite(values)):
            raise ValueError(f"{prefix}: a sequence decoder with non-finite values")
        return cls(log_t, values[0], values[1], values[2])
