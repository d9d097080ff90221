"""llama.cpp's MiniLM vectors against sentence-transformers' own (no mocks, real model)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from agents.models.bundled import embedder_file
from agents.runtime.embedder import MAX_TOKENS, LlamaEmbedder
from evidence.index.embedding import Embedder

pytest_plugins = ["tests.fixtures_models"]

REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def test_vectors_match_sentence_transformers(minilm_embedder: LlamaEmbedder) -> None:
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    vectors = minilm_embedder.embed([item["text"] for item in items])
    scores = {
        item["text"]: cosine(item["vector"], vec) for item, vec in zip(items, vectors, strict=True)
    }
    low = {text: round(score, 6) for text, score in scores.items() if score < 0.99}
    assert not low, f"cosine to sentence-transformers below 0.99: {low}"


def test_satisfies_the_embedder_protocol(minilm_embedder: LlamaEmbedder) -> None:
    as_protocol: Embedder = minilm_embedder
    assert as_protocol.dim == 384
    assert as_protocol.model_id.startswith(f"{embedder_file()}@")
    (vector,) = as_protocol.embed(["Warming causes extinction."])
    assert len(vector) == 384
    assert math.isclose(math.fsum(x * x for x in vector), 1.0, rel_tol=1e-5)


def test_paraphrase_scores_higher_than_unrelated(minilm_embedder: LlamaEmbedder) -> None:
    anchor, paraphrase, unrelated = minilm_embedder.embed(
        [
            "Economic sanctions rarely change the behaviour of the targeted regime.",
            "Sanctions seldom make the government they target alter its conduct.",
            "The recipe calls for two cups of flour and a pinch of salt.",
        ]
    )
    assert cosine(anchor, paraphrase) > cosine(anchor, unrelated) + 0.3


def test_batch_gives_the_same_vectors_as_one_by_one(minilm_embedder: LlamaEmbedder) -> None:
    texts = [
        "hello",
        "",
        "Nuclear deterrence has prevented great-power war since 1945. " * 3,
        "A strong dollar makes American exports more expensive abroad.",
        "word " * 400,  # over MAX_TOKENS: truncated the same way in both paths
        "Debaters underline the words they would read and highlight what they read aloud.",
    ] * 3
    batched = minilm_embedder.embed(texts)
    single = [minilm_embedder.embed([text])[0] for text in texts]
    worst = min(cosine(a, b) for a, b in zip(batched, single, strict=True))
    assert worst > 0.999


def test_long_text_is_truncated_like_sentence_transformers(minilm_embedder: LlamaEmbedder) -> None:
    head = " ".join(f"claim{i % 50} evidence" for i in range(2500))  # 5,000 words
    assert minilm_embedder.count_tokens(head) > MAX_TOKENS
    a, b = minilm_embedder.embed([head + " the ending is about whales", head + " but cats differ"])
    assert math.isclose(math.fsum(x * x for x in a), 1.0, rel_tol=1e-5)
    # Only the first MAX_TOKENS tokens count, so different endings give the same vector.
    assert cosine(a, b) > 0.99999


def test_empty_input_gives_empty_output(minilm_embedder: LlamaEmbedder) -> None:
    assert minilm_embedder.embed([]) == []
    with pytest.raises(TypeError):
        minilm_embedder.embed("a single string is a sequence of characters")


def test_loading_prints_nothing(minilm_gguf: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # batch_tokens 2048 > the 512 it was trained for: llama.cpp warns, and must not print it.
    with LlamaEmbedder(minilm_gguf, n_threads=2, batch_tokens=2048) as emb:
        emb.embed(["quiet please"])
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_batch_sizes_llama_cpp_would_abort_on_are_rounded(minilm_gguf: Path) -> None:
    # An embedding context with n_batch 300 aborts the whole process inside llama.cpp.
    with LlamaEmbedder(minilm_gguf, n_threads=2, batch_tokens=300) as emb:
        assert len(emb.embed(["one", "two", "three"])) == 3


def test_closed_embedder_refuses_work(minilm_gguf: Path) -> None:
    emb = LlamaEmbedder(minilm_gguf, n_threads=1)
    emb.close()
    emb.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        emb.embed(["too late"])
