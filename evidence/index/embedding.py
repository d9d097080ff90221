"""The embedder as the evidence domain sees it: a plain object, no runtime attached."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Embedder(Protocol):
    """Turns texts into unit-length vectors (the real one: `agents.runtime.embedder`)."""

    @property
    def model_id(self) -> str:
        """Identifies the model; vectors from different model ids are never mixed."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...
