"""Build the embedder the settings ask for, as a factory the evidence library calls lazily."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from evidence.datadir import DataDir
from evidence.errors import ModelFileError
from evidence.index.embedding import Embedder
from evidence.settings import Settings


def default_threads() -> int:
    """Cores this process may use (affinity-aware), at most 8: embedding stops scaling there."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def embedding_threads() -> int:
    """Threads for the embedder: one per core this process may use (at most 8).

    Measured both ways on 2 cores (bench/embed_speed.py, issue 16): on a quiet machine two
    threads embedded 1.6x faster than one (18.9 against 12.0 passages/s); on a machine busy
    with other work (load 11-14) two were 5 to 15 times slower, since llama.cpp's threads wait
    for each other at every decode step. A debater's laptop importing a season is the quiet
    case; `threads` in the settings overrides this for a busy one.
    """
    return default_threads()


def chosen_model(setting: str, role: str, default: Callable[[], Path]) -> Path:
    """The model file a setting names (ModelFileError when it is gone), else the default."""
    if not setting:
        return default()
    path = Path(setting).expanduser()
    if not path.is_file():
        raise ModelFileError(f"{role} model {path} not found (see settings)")
    return path


def embedder_factory(data_dir: DataDir, settings: Settings) -> Callable[[], Embedder]:
    def make() -> Embedder:
        from agents.models.bundled import default_embedder_path, model_sha256
        from agents.runtime.embedder import LlamaEmbedder

        path = chosen_model(
            settings.embedding_model, "embedding", lambda: default_embedder_path(data_dir.models)
        )
        threads = settings.threads or embedding_threads()
        return LlamaEmbedder(path, n_threads=threads, sha256_of=model_sha256)

    return make
