"""The run's generator, watched: the first error that means the model cannot answer at all
(`GeneratorUnavailable`: a model server gone, its key refused, its model unknown) is noted,
so the run stops there instead of failing every later step and tagging with fallbacks."""

from __future__ import annotations

from collections.abc import Iterator

from agents.runtime.generation import (
    GenerationRequest,
    GenerationStats,
    Generator,
    GeneratorUnavailable,
)
from evidence.cancel import CancelCheck


class WatchedGenerator:
    """A Generator that passes everything to `inner` and keeps the first unavailable error's
    reason in `down` ("" while the model answers)."""

    def __init__(self, inner: Generator) -> None:
        self.inner = inner
        self.down = ""

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def context_size(self) -> int:
        return self.inner.context_size

    @property
    def has_chat_template(self) -> bool:
        return self.inner.has_chat_template

    @property
    def last_stats(self) -> GenerationStats:
        return self.inner.last_stats

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def chat_prompt(self, system: str, user: str) -> str:
        return self.inner.chat_prompt(system, user)

    def stream(
        self, request: GenerationRequest, cancel: CancelCheck = lambda: False
    ) -> Iterator[str]:
        try:
            yield from self.inner.stream(request, cancel)
        except GeneratorUnavailable as exc:
            self.down = self.down or str(exc)
            raise
