"""The generator as the agents see it: a small interface, so the embedded llama.cpp runtime
can later be swapped for an OpenAI-compatible server without touching the callers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from evidence.cancel import CancelCheck


class GenerationError(Exception):
    """A generation step failed for a reason the user can read (prompt too long, model
    output not parseable after retries, out of memory)."""


class GeneratorUnavailable(GenerationError):
    """The generator cannot answer any request (a model server that does not answer, refuses
    the key or does not serve the model): the next step would fail the same way, so a run
    stops here rather than fall back at every step."""


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str  # the full prompt text (use Generator.chat_prompt to build one for chat models)
    max_tokens: int = 256
    temperature: float = 0.2
    stop: tuple[str, ...] = ()
    json_schema: dict[str, Any] | None = None  # constrain output to JSON of this schema
    grammar: str | None = None  # or a GBNF grammar (llama.cpp); json_schema wins if both
    seed: int = 1234
    # Repetition penalties with OpenAI's meaning (and names), over the tokens generated so
    # far: each token's logit is lowered by frequency * its count + presence * (count > 0).
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0


@dataclass(frozen=True)
class GenerationStats:
    prompt_tokens: int = 0
    generated_tokens: int = 0
    seconds_to_first_token: float = 0.0
    seconds: float = 0.0
    stopped_by: str = ""  # "stop", "length", "cancel"
    extra: dict[str, Any] = field(default_factory=dict)


class Generator(Protocol):
    @property
    def model_id(self) -> str: ...

    @property
    def context_size(self) -> int: ...

    @property
    def has_chat_template(self) -> bool: ...

    def count_tokens(self, text: str) -> int: ...

    def chat_prompt(self, system: str, user: str) -> str:
        """The prompt for a chat model (its own template); for a base model, system + user."""
        ...

    def stream(
        self, request: GenerationRequest, cancel: CancelCheck = lambda: False
    ) -> Iterator[str]:
        """Yield text pieces as they are generated; stop within one token of cancel().
        Raises GenerationError when the prompt does not fit the context."""
        ...

    @property
    def last_stats(self) -> GenerationStats: ...
