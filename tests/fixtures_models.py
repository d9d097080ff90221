"""Real model files for tests, prepared once and kept across runs.

Load with `pytest_plugins = ["tests.fixtures_models"]`. Files live where tests/conftest.py
keeps its `embedder_path` ($DEBATE_PREP_TEST_CACHE, else .pytest_cache/models), so each
model is converted once per machine; the model-file sidecars (agents/models/files.py) make
later runs verify the files instead of rebuilding them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.models.bundled import default_embedder_path, default_generator_path
from agents.runtime.embedder import LlamaEmbedder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def models_cache() -> Path:
    folder = Path(os.environ.get("DEBATE_PREP_TEST_CACHE", ROOT / ".pytest_cache" / "models"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def minilm_gguf(models_cache: Path) -> Path:
    return default_embedder_path(models_cache)


@pytest.fixture(scope="session")
def generator_gguf(models_cache: Path) -> Path:
    return default_generator_path(models_cache)


@pytest.fixture(scope="session")
def minilm_embedder(minilm_gguf: Path) -> Iterator[LlamaEmbedder]:
    with LlamaEmbedder(minilm_gguf, n_threads=2) as emb:
        yield emb
