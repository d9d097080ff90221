"""A scripted stand-in for the model, for testing the loop's control flow only (the real
model runs in tests/test_agents_real.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from agents.runtime.generation import GenerationRequest, GenerationStats
from evidence.cancel import CancelCheck


class ScriptedGenerator:
    def __init__(self, replies: list[str], *, on_token: Callable[[], object] | None = None) -> None:
        self.replies = list(replies)
        self.requests: list[GenerationRequest] = []
        self.on_token = on_token  # called after each streamed word (e.g. a Ctrl-C mid-tag)
        self._stats = GenerationStats()

    model_id = "scripted"
    context_size = 4096
    has_chat_template = False

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def chat_prompt(self, system: str, user: str) -> str:
        return f"{system}\n\n{user}"

    @property
    def last_stats(self) -> GenerationStats:
        return self._stats

    def stream(
        self, request: GenerationRequest, cancel: CancelCheck = lambda: False
    ) -> Iterator[str]:
        self.requests.append(request)
        reply = self.replies.pop(0) if self.replies else "Evidence proves the claim."
        for word in reply.split(" "):
            if cancel():
                return
            yield word + " "
            if self.on_token is not None:
                self.on_token()
