"""The learned cutter's sequence decode: Viterbi over marked/not with boundary-kind transitions."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from agents.cutter import learned
from agents.cutter.learned import CutterWeightsError, load_model
from agents.cutter.sequence import (
    NONE,
    PARAGRAPH,
    SENTENCE,
    STOP,
    Decoder,
    boundaries,
    log_transitions,
    transition_counts,
    viterbi,
)
from agents.cutter.text import split_words
from resources import resource_path


def _path_score(
    score: np.ndarray, kinds: np.ndarray, log_t: np.ndarray, path: tuple[int, ...]
) -> float:
    total = sum(float(score[i]) for i, on in enumerate(path) if on)
    return total + sum(float(log_t[kinds[i], path[i], path[i + 1]]) for i in range(len(path) - 1))


def test_viterbi_finds_the_best_path() -> None:
    rng = np.random.default_rng(7)
    for _ in range(60):
        n = int(rng.integers(1, 9))
        score = rng.standard_normal(n) * 2
        kinds = rng.integers(0, 5, n)
        log_t = np.log(rng.dirichlet([1.0, 1.0], size=(5, 2)))
        best = max(
            itertools.product((0, 1), repeat=n),
            key=lambda p: _path_score(score, kinds, log_t, p),
        )
        got = tuple(int(x) for x in viterbi(score, kinds, log_t))
        assert _path_score(score, kinds, log_t, got) == pytest.approx(
            _path_score(score, kinds, log_t, best)
        )


def test_runs_end_at_clause_edges_not_mid_phrase() -> None:
    body = "the plan fails, because sanctions never work against regimes. lunch was then served"
    words = split_words(body)
    kinds = boundaries(body, words)
    assert kinds[2] == STOP and kinds[8] == SENTENCE and kinds[1] == NONE
    assert kinds[-1] == PARAGRAPH
    # Transitions as debaters mark: switching is rare mid-phrase, common at a stop.
    counts = np.zeros((5, 2, 2))
    counts[NONE] = [[90, 2], [2, 90]]
    counts[STOP] = counts[SENTENCE] = [[10, 10], [10, 10]]
    counts[PARAGRAPH] = counts[4] = [[10, 10], [10, 10]]
    decoder = Decoder(log_transitions(counts), 0.5, 1.0, 0.0)
    # Evidence for the second clause, with one weak word ("sanctions") inside it and one
    # strong stray word ("lunch") in the last sentence.
    p = np.full(len(words), 0.3)
    p[3:9] = [0.8, 0.45, 0.8, 0.8, 0.8, 0.8]
    p[9] = 0.75
    marked = decoder.decode(p, kinds)
    assert [w.text for w, on in zip(words, marked, strict=True) if on] == [
        "because",
        "sanctions",
        "never",
        "work",
        "against",
        "regimes.",
    ]
    assert list(p >= 0.5) != list(marked), "a threshold would keep the stray word"


def test_transition_counts_follow_the_marks() -> None:
    kinds = np.array([NONE, STOP, NONE, PARAGRAPH])
    counts = transition_counts(kinds, np.array([True, True, False, False]))
    assert counts[NONE, 1, 1] == 1 and counts[STOP, 1, 0] == 1 and counts[NONE, 0, 0] == 1
    assert counts.sum() == 3


def test_decoder_arrays_round_trip_and_old_files_have_none() -> None:
    decoder = Decoder(log_transitions(np.ones((5, 2, 2))), 0.3, 1.5, -0.5)
    back = Decoder.from_arrays(decoder.arrays("u"), "u")
    assert back is not None and back.scale == 1.5 and back.shift == -0.5
    assert back.prior == pytest.approx(0.3)
    assert Decoder.from_arrays({}, "u") is None
    with pytest.raises(ValueError, match="misshapen"):
        Decoder.from_arrays({"u_transitions": np.zeros((2, 2)), "u_decode": np.ones(3)}, "u")


def test_weights_with_a_damaged_decoder_are_refused(tmp_path: Path) -> None:
    with np.load(resource_path(*learned.WEIGHTS_FILE), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["u_transitions"] = np.full((5, 2, 2), np.nan, dtype=np.float32)
    arrays["u_decode"] = np.array([0.3, 1.0, 0.0], dtype=np.float32)
    bad = tmp_path / "bad.npz"
    np.savez_compressed(bad, **arrays)
    with pytest.raises(CutterWeightsError, match="non-finite"):
        load_model(bad)
