"""What every part of the window shares: the data dir, the settings, and the models.

SQLite connections belong to one thread, so each worker opens its own Library through
`open_library()`; the embedder (thread-safe behind its lock) and the generator (one per
process) are shared. Vectors are reconciled once, by the start-up job, before any import.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from agents.runtime.generation import Generator
from evidence.datadir import DataDir
from evidence.errors import EvidenceError
from evidence.index.embedding import Embedder
from evidence.library import Library
from evidence.settings import Settings, read_settings, save_settings

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    data_dir: DataDir
    settings: Settings
    _embedder: Embedder | None = field(default=None, repr=False)
    _embedder_error: str | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _reconciled: bool = field(default=False, repr=False)
    # Problems found while opening (a settings file kept aside): each face says them once.
    notices: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, data_dir: DataDir, *, embedder: Embedder | None = None) -> AppContext:
        """The context for a data dir; `embedder` (tests, a team server) skips loading one."""
        data_dir.create()
        settings, problem = read_settings(data_dir.settings)
        for note in settings.validate():
            log.warning(note)
        return cls(data_dir, settings, embedder, notices=[problem] if problem else [])

    def embedder(self) -> Embedder:
        """The shared embedder, loaded once (any thread); raises EvidenceError with the reason."""
        with self._lock:
            if self._embedder is None:
                if self._embedder_error is not None:
                    raise EvidenceError(self._embedder_error)
                try:
                    self._embedder = _embedder_factory(self.data_dir, self.settings)()
                except EvidenceError as exc:
                    self._embedder_error = str(exc)
                    raise
            return self._embedder

    def generator(self) -> Generator:
        """The process's generator for the current settings (loads it on first use)."""
        from agents.models.generator_setup import generator_factory

        return generator_factory(self.data_dir, self.settings)()

    def open_library(self) -> Library:
        """A Library for the calling thread; close it in the same thread."""
        with self._lock:
            reconcile, self._reconciled = not self._reconciled, True
        return Library(self.data_dir, self.settings, self.embedder, reconcile=reconcile)

    def save_settings(self, settings: Settings) -> None:
        """Persist new settings; models are reloaded lazily with them.

        The shared Settings object is updated in place, so work already running (a Library,
        a web policy from NetworkPolicy.from_settings) sees the change at its next step:
        switching web access off stops the next request of a running import.
        """
        save_settings(self.data_dir.settings, settings)
        with self._lock:
            if (settings.embedding_model, settings.threads) != (
                self.settings.embedding_model,
                self.settings.threads,
            ):
                self._embedder, self._embedder_error = None, None
            for item in dataclasses.fields(Settings):
                setattr(self.settings, item.name, copy.copy(getattr(settings, item.name)))


def _embedder_factory(data_dir: DataDir, settings: Settings) -> Callable[[], Embedder]:
    # Imported when a model is first needed: the model package loads llama.cpp, and the
    # command line opens this context for every command (`sources` needs no model).
    from agents.models.embedder_setup import embedder_factory

    return embedder_factory(data_dir, settings)
