"""A model's own chat template (the Jinja text in its GGUF header), rendered to a prompt."""

from __future__ import annotations

import logging
from typing import Any

import jinja2
import llama_cpp
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

log = logging.getLogger(__name__)


class ChatTemplate:
    """Renders system + user messages with the template, ending in the assistant's turn."""

    def __init__(self, template: str, *, bos_token: str = "", eos_token: str = "") -> None:
        # Raises jinja2.TemplateError when the template does not compile.
        self._formatter = Jinja2ChatFormatter(
            template=template,
            eos_token=eos_token,
            bos_token=bos_token,
            add_generation_prompt=True,
        )

    @classmethod
    def from_model(cls, llama: Any, vocab: llama_cpp.llama_vocab_p) -> ChatTemplate | None:
        """The model's template, or None for a base model (or a template that is broken)."""
        metadata: dict[str, str] = getattr(llama, "metadata", {}) or {}
        template = metadata.get("tokenizer.chat_template")
        if not template:
            return None
        try:
            return cls(
                template,
                bos_token=_token_text(vocab, llama.token_bos()),
                eos_token=_token_text(vocab, llama.token_eos()),
            )
        except jinja2.TemplateError as exc:
            log.warning("the model's chat template does not compile (%s): plain prompts", exc)
            return None

    def render(self, system: str, user: str) -> str:
        messages: list[Any] = [{"role": "user", "content": user}]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        try:
            return str(self._formatter(messages=messages).prompt)
        except (ValueError, jinja2.TemplateError):
            if not system:
                raise
        # Some templates refuse a system role (raise_exception in the template): fold the
        # system text into the user's turn, as those models' own docs suggest.
        merged: list[Any] = [{"role": "user", "content": f"{system}\n\n{user}"}]
        return str(self._formatter(messages=merged).prompt)


def _token_text(vocab: llama_cpp.llama_vocab_p, token: int) -> str:
    if token < 0:
        return ""
    text = llama_cpp.llama_vocab_get_text(vocab, token)
    return text.decode("utf-8", "replace") if text else ""
