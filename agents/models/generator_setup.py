"""Build the generator the settings ask for, as a factory called lazily (loading takes seconds
and the memory of a whole model)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from agents.models.embedder_setup import chosen_model, default_threads
from evidence.datadir import DataDir
from evidence.settings import Settings

if TYPE_CHECKING:  # llama.cpp loads when a generator is made, not when a command starts
    from agents.runtime.llama_generator import LlamaGenerator
    from agents.runtime.openai_generator import OpenAIGenerator

    Loaded = LlamaGenerator | OpenAIGenerator

# One model per process: a second factory call with the same settings returns the loaded
# generator; different settings close it before loading the new one, so two models never
# share memory (closing makes its old holders fail with "the generator is closed").
_current: tuple[tuple[object, ...], Loaded] | None = None
_lock = threading.Lock()


def generator_factory(data_dir: DataDir, settings: Settings) -> Callable[[], Loaded]:
    def make() -> Loaded:
        global _current
        from agents.models.bundled import default_generator_path
        from agents.models.server_setup import server_generator, server_key
        from agents.runtime.llama_generator import LlamaGenerator

        if settings.generator_source == "server":  # a model server instead of this computer
            key: tuple[object, ...] = server_key(settings)
        else:
            path = chosen_model(
                settings.generator_model, "generator",
                lambda: default_generator_path(data_dir.models),
            )  # fmt: skip
            threads = settings.threads or default_threads()
            key = (str(path.resolve()), threads, settings.context_size, settings.gpu_layers)
        with _lock:
            if _current is not None:
                loaded_key, loaded = _current
                if loaded_key == key and not loaded.closed:
                    return loaded
                loaded.close()
                _current = None
            if settings.generator_source == "server":
                server = server_generator(settings)
                _current = (key, server)
                return server
            generator = LlamaGenerator(
                path,
                n_threads=threads,
                context_size=settings.context_size,
                gpu_layers=settings.gpu_layers,
            )
            _current = (key, generator)
            return generator

    return make
