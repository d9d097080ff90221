"""Continuation log-probabilities on the bundled Gemma (agents/runtime/claim_scores.py): the
batched scores equal token-by-token decoding, a reused prefix gives the same scores as a cold
one, and generation after scoring is what it was before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from agents.runtime.claim_scores import continuation_logprobs, tokenize
from agents.runtime.generation import GenerationRequest
from agents.runtime.llama_generator import LlamaGenerator

pytest_plugins = ["tests.fixtures_models"]

PREFIX = "Evidence: Sanctions have repeatedly failed to change the regime's behaviour.\n\nIn short:"


@pytest.fixture(scope="module")
def gemma(generator_gguf: Path) -> Iterator[LlamaGenerator]:
    with LlamaGenerator(generator_gguf, n_threads=1, context_size=512) as gen:
        yield gen


def _one_by_one(gen: LlamaGenerator, prefix: str, text: str) -> float:
    """The same log-probability, one llama.eval per token (the slow, obvious way)."""
    llama = gen._live()
    tokens = tokenize(llama, prefix, bos=True)
    cont = tokenize(llama, text, bos=False)
    llama.reset()  # type: ignore[no-untyped-call]
    total = 0.0
    for i, tok in enumerate(cont):
        llama.eval(tokens if i == 0 else [cont[i - 1]])
        logits = llama._ctx.get_logits()  # type: ignore[no-untyped-call]
        row = np.ctypeslib.as_array(logits, shape=(llama.n_vocab(),))
        row = row.astype(np.float64)
        total += float(row[tok] - (row.max() + np.log(np.exp(row - row.max()).sum())))
    llama.reset()  # type: ignore[no-untyped-call]
    return total


def test_scores_match_token_by_token_decoding(gemma: LlamaGenerator) -> None:
    claims = [" Sanctions fail.", " Sanctions work very well."]
    batched = gemma.continuation_logprobs(PREFIX, claims)
    slow = [_one_by_one(gemma, PREFIX, c) for c in claims]
    assert batched == pytest.approx(slow, abs=0.25)  # batching moves logits a little
    assert all(s < 0 for s in batched)
    # The prefix kept from the last call is reused: the same scores as a cold start.
    assert gemma.continuation_logprobs(PREFIX, claims) == pytest.approx(batched, abs=0.05)
    assert gemma.continuation_logprobs(PREFIX, [""]) == [0.0]


def test_the_evidence_moves_the_scores(gemma: LlamaGenerator) -> None:
    """A claim the prefix states gains against one it does not: PMI over an empty prefix."""
    claims = [" the Eiffel Tower is in Paris.", " the Eiffel Tower is in Rome."]
    told = gemma.continuation_logprobs("The Eiffel Tower stands in Paris.\nSo", claims)
    assert told[0] > told[1]
    llama = gemma._live()
    # A prefix longer than the context is cut from its start, not refused.
    long = continuation_logprobs(llama, "word " * 2000 + "So", claims)
    assert len(long) == 2 and all(np.isfinite(long))


def test_generation_after_scoring_is_unchanged(gemma: LlamaGenerator) -> None:
    request = GenerationRequest("The capital of France is", max_tokens=8, temperature=0.0)
    before = gemma.complete(request)
    gemma.continuation_logprobs(PREFIX, [" Sanctions fail."])
    assert gemma.complete(request) == before
