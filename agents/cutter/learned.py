"""The learned cutter: per-word underline and highlight from a model trained on real cards.

Three small heads (agents/cutter/head.py) over the features of agents/cutter/word_features.py:
a first underline guess, then the underline and the highlight decisions, both with that guess
around the word (its window, clause, sentence, card) as extra inputs. The underline is
decoded as runs (agents/cutter/sequence.py: Viterbi with transitions by boundary kind) when
the weights carry that decoder, else by threshold; the highlight by threshold; decoder and
thresholds were chosen on the training split (cross-validated by file group); then the
debaters' rules (agents/cutter/rules.py) are applied. The weights, the decoder, the
thresholds and the IDF table live in resources/cutter/ and are made by bench/train_cutter.py.

With an embedder that gives contextual word vectors (the app's llama.cpp embedder) and token
weights in resources/cutter/ (none ship today: bench/train_token_cutter.py's did not beat
these on validation), `learned_cut_marks` uses the token model of learned_tokens.py instead.
Damaged weights log a warning and fall back: from the token model to these features, from
these to the clause heuristic (agents/cutter/extractive.py), as it does without an embedder.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agents.cutter.extractive import HIGHLIGHT_COLOR, cut_marks
from agents.cutter.head import Head
from agents.cutter.learned_tokens import (
    TokenCutterModel,
    TokenInputs,
    TokenWeightsError,
    WordVectorSource,
    default_token_model,
    token_inputs,
    token_weights_present,
    word_vector_source,
)
from agents.cutter.rules import apply_rules
from agents.cutter.sequence import Decoder, boundaries
from agents.cutter.text import Word, split_words, to_spans
from agents.cutter.weights import LOAD_ERRORS, idf_from, read_weights, thresholds_from
from agents.cutter.word_features import (
    CONTEXT_COLUMNS,
    CardLayout,
    context_features,
    feature_count,
    layout,
    word_features,
)
from evidence.cards.card import Mark, Span
from evidence.index.embedding import Embedder
from resources import resource_path

log = logging.getLogger(__name__)

WEIGHTS_FILE = ("cutter", "cutter_weights.npz")
FORMAT = 1


class CutterWeightsError(Exception):
    """The learned cutter's weights file is missing or unreadable."""


@dataclass(frozen=True)
class CutterModel:
    first: Head
    underline: Head
    highlight: Head
    idf: dict[str, float]
    idf_default: float
    underline_threshold: float
    highlight_threshold: float
    # The underline's sequence decode (agents/cutter/sequence.py) when the weights carry one;
    # else the threshold.
    underline_decoder: Decoder | None = None

    def underline_marks(self, body: str, words: list[Word], p_u: np.ndarray) -> np.ndarray:
        """The underline decision per word, before the rules."""
        if self.underline_decoder is None:
            return np.asarray(p_u >= self.underline_threshold)
        return self.underline_decoder.decode(p_u, boundaries(body, words))

    def probabilities(
        self, tag: str, body: str, words: list[Word], card: CardLayout, vectors: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """P(underline) and P(highlight) per word."""
        x = word_features(tag, body, words, card, vectors, self.idf, self.idf_default)
        staged = np.hstack([x, context_features(self.first.probabilities(x), card)])
        return self.underline.probabilities(staged), self.highlight.probabilities(staged)


def load_model(path: Path) -> CutterModel:
    """Raises CutterWeightsError, with the reason in words, for anything unusable."""
    try:
        arrays = read_weights(path, FORMAT)
        first = Head.from_arrays(arrays, "f")
        underline = Head.from_arrays(arrays, "u")
        highlight = Head.from_arrays(arrays, "h")
        staged = first.inputs + CONTEXT_COLUMNS
        if first.inputs != feature_count():
            raise ValueError(
                f"made for {first.inputs} features, this version has {feature_count()}"
            )
        if underline.inputs != staged or highlight.inputs != staged:
            raise ValueError("the heads do not fit together")
        idf, idf_default = idf_from(arrays)
        t_u, t_h = thresholds_from(arrays)
        decoder = Decoder.from_arrays(arrays, "u")
        return CutterModel(first, underline, highlight, idf, idf_default, t_u, t_h, decoder)
    except LOAD_ERRORS as exc:
        raise CutterWeightsError(f"cannot load the cutter weights {path}: {exc}") from exc


@functools.cache
def default_model() -> CutterModel:
    """The shipped weights, loaded once per process (raises CutterWeightsError)."""
    return load_model(resource_path(*WEIGHTS_FILE))


def model_cut(tag: str, body: str, embedder: Embedder, model: CutterModel) -> list[Span]:
    words = split_words(body)
    if not words:
        return []
    card = layout(tag, body, words)
    vectors = np.asarray(embedder.embed(card.texts), dtype=np.float64)
    return cut_from_vectors(tag, body, words, card, vectors, model)


def cut_from_vectors(
    tag: str,
    body: str,
    words: list[Word],
    card: CardLayout,
    vectors: np.ndarray,
    model: CutterModel,
) -> list[Span]:
    """The cut once the card's one embedding pass is done (timed apart from it)."""
    p_u, p_h = model.probabilities(tag, body, words, card, vectors)
    return marks(
        body, words, card, model.underline_marks(body, words, p_u), p_h >= model.highlight_threshold
    )


def token_cut(
    tag: str, body: str, embedder: Embedder, source: WordVectorSource, model: TokenCutterModel
) -> list[Span]:
    """The cut with contextual word vectors: one token pass over the body and the tag's
    embedding."""
    words = split_words(body)
    if not words:
        return []
    card = layout(tag, body, words)
    inputs = token_inputs(tag, words, card, embedder, source, model)
    return cut_from_token_inputs(tag, body, words, card, inputs, model)


def cut_from_token_inputs(
    tag: str,
    body: str,
    words: list[Word],
    card: CardLayout,
    inputs: TokenInputs,
    model: TokenCutterModel,
) -> list[Span]:
    """The token cut once the embedding is done (timed apart from it)."""
    p_u, p_h = model.probabilities(tag, body, words, card, inputs)
    return marks(
        body, words, card, p_u >= model.underline_threshold, p_h >= model.highlight_threshold
    )


def marks(
    body: str, words: list[Word], card: CardLayout, underline: np.ndarray, highlight: np.ndarray
) -> list[Span]:
    """Spans from the model's word decisions, after the debaters' rules."""
    word_clause = np.zeros(len(words), dtype=int)
    for ci, (a, b) in enumerate(card.clauses):
        word_clause[a:b] = ci
    under, high = apply_rules(words, list(underline), list(highlight), word_clause)
    return to_spans(body, words, under, Mark.UNDERLINE) + to_spans(
        body, words, high, Mark.HIGHLIGHT, HIGHLIGHT_COLOR
    )


def learned_cut_marks(tag: str, body: str, embedder: Embedder | None = None) -> list[Span]:
    """A `MarkCutter`: the learned cut with contextual word vectors when the embedder gives
    them (learned_tokens.py), else with the older features; the clause heuristic without an
    embedder or when no weights can be loaded (with a warning in the log, once per process)."""
    if embedder is None:
        return cut_marks(tag, body, embedder)
    source = word_vector_source(embedder)
    if source is not None and token_weights_present():
        try:
            return token_cut(tag, body, embedder, source, default_token_model())
        except TokenWeightsError as exc:
            _warn_once(str(exc), "the older learned features")
    try:
        model = default_model()
    except CutterWeightsError as exc:
        _warn_once(str(exc), "the heuristic cutter")
        return cut_marks(tag, body, embedder)
    return model_cut(tag, body, embedder, model)


@functools.cache
def _warn_once(reason: str, instead: str) -> None:
    log.warning("%s; using %s instead", reason, instead)
