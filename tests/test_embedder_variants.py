"""The embedder's variants (issue 16): the Q8_0 MiniLM from our converter, many texts per
llama.cpp decode, and a changed embedder rebuilding a library's vectors. Real model files,
real llama.cpp, real SQLite and Chroma."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import gguf
import numpy as np
import pytest

from agents.models.bundled import default_embedder_path, embedder_file
from agents.runtime.embedder import LlamaEmbedder
from evidence.cards.card import Mark
from evidence.datadir import DataDir
from evidence.library import Library
from evidence.settings import Settings
from evidence.verbatim import read_verbatim
from tests.conftest import SAMPLES

pytest_plugins = ["tests.fixtures_models"]

REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


@pytest.fixture(scope="module")
def real_texts() -> list[str]:
    """Reference sentences, then real card bodies and their read text from the samples."""
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    texts = [str(item["text"]) for item in items]
    for card in read_verbatim(SAMPLES / "verbatim" / "1nc.docx").cards()[:12]:
        texts += [card.body, card.text_of(Mark.HIGHLIGHT) or card.tag]
    return [t for t in texts if t.strip()]


@pytest.fixture(scope="module")
def q8_gguf(models_cache: Path) -> Path:
    return default_embedder_path(models_cache, "q8_0")


@pytest.fixture(scope="module")
def f16_gguf(models_cache: Path) -> Path:
    return default_embedder_path(models_cache, "f16")


@pytest.fixture(scope="module")
def embedders(f16_gguf: Path, q8_gguf: Path) -> Iterator[dict[str, LlamaEmbedder]]:
    with LlamaEmbedder(f16_gguf, n_threads=1) as f16, LlamaEmbedder(q8_gguf, n_threads=1) as q8:
        yield {"f16": f16, "q8_0": q8}


def test_q8_file_holds_q8_0_weights_and_is_smaller(f16_gguf: Path, q8_gguf: Path) -> None:
    assert q8_gguf.name == embedder_file("q8_0") != f16_gguf.name
    reader = gguf.GGUFReader(q8_gguf)
    types = {t.name: t.tensor_type for t in reader.tensors}
    matrices = [n for n in types if n.endswith(".weight") and "norm" not in n]
    assert types["blk.0.attn_q.weight"] == gguf.GGMLQuantizationType.Q8_0
    assert types["token_embd.weight"] == gguf.GGMLQuantizationType.Q8_0
    assert types["position_embd.weight"] == gguf.GGMLQuantizationType.F32
    # 6 layers x (q, k, v, output, ffn up, ffn down), and the token embeddings
    assert sum(types[n] == gguf.GGMLQuantizationType.Q8_0 for n in matrices) == 6 * 6 + 1
    assert q8_gguf.stat().st_size < 0.6 * f16_gguf.stat().st_size


def test_q8_vectors_match_f16_and_sentence_transformers(
    embedders: dict[str, LlamaEmbedder], real_texts: list[str]
) -> None:
    f16 = np.array(embedders["f16"].embed(real_texts))
    q8 = np.array(embedders["q8_0"].embed(real_texts))
    # Measured: min 0.9995 on 40 real cards (bench/embed_speed.py's sample).
    assert (f16 * q8).sum(axis=1).min() >= 0.999
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    reference = np.array([item["vector"] for item in items], dtype=np.float64)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    ours = np.array(embedders["q8_0"].embed([item["text"] for item in items]))
    assert (reference * ours).sum(axis=1).min() >= 0.99


def test_q8_model_id_differs_from_f16(embedders: dict[str, LlamaEmbedder]) -> None:
    assert embedders["q8_0"].model_id.startswith("all-MiniLM-L6-v2-q8_0.gguf@")
    assert embedders["f16"].model_id.split("@")[0] != embedders["q8_0"].model_id.split("@")[0]


@pytest.mark.parametrize("batch_tokens", [256, 1024])
def test_packed_decodes_give_one_by_one_vectors_in_order(
    q8_gguf: Path, real_texts: list[str], batch_tokens: int
) -> None:
    # Short texts (read text, tags) pack several to a decode; each keeps its own vector.
    with LlamaEmbedder(q8_gguf, n_threads=1, batch_tokens=batch_tokens) as emb:
        batched = np.array(emb.embed(real_texts))
        single = np.array([emb.embed([t])[0] for t in real_texts])
    # Flash attention multiplies K and Q in half precision: packed and alone agree to about
    # 3e-4 (a text that saw its neighbours would be far off: the argmax below).
    assert (batched * single).sum(axis=1).min() > 0.999
    # In input order: each batched vector is nearest its own text's, not a neighbour's.
    distinct = [i for i, t in enumerate(real_texts) if real_texts.index(t) == i]
    sims = batched[distinct] @ single[distinct].T
    assert list(sims.argmax(axis=1)) == list(range(len(distinct)))


def test_a_changed_embedder_rebuilds_every_vector(
    tmp_path: Path, embedders: dict[str, LlamaEmbedder]
) -> None:
    data = DataDir(tmp_path / "data")
    sample = SAMPLES / "verbatim" / "neg-2.docx"
    with Library(data, Settings(), lambda: embedders["f16"]) as lib:
        list(lib.import_paths([sample]))
        passages = lib.status().passages
        assert lib.status().embedded == passages > 0
    with Library(data, Settings(), lambda: embedders["q8_0"]) as lib:
        # Nothing counts as embedded for the new model until it has made its own vectors.
        assert lib.status().embedded == 0
        assert lib.store.embedded_ids(embedders["q8_0"].model_id) == set()
        assert lib.vectors().count() == 0  # its own index: the F16 vectors are not in it
        list(lib.embed_pending())
        ids = {r[0] for r in lib.store.conn.execute("SELECT id FROM passages")}
        assert lib.store.embedded_ids(embedders["q8_0"].model_id) == ids
        assert lib.store.embedded_ids(embedders["f16"].model_id) == set()
        assert lib.vectors().all_ids() == ids
        assert lib.search("whaling moratorium", mode="vector")
