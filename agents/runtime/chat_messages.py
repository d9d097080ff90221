"""Chat prompts for a model server: the Generator interface carries one prompt string, and a
server applies its model's own chat template to messages. `encode` packs the system and user
turns into that string (a marker no prompt text starts with, then JSON); `decode` unpacks
them, and a plain prompt (a base model's completion text) becomes one user turn."""

from __future__ import annotations

import json

# NUL never starts a rendered prompt template (and parsed evidence holds no NUL bytes).
_MARK = "\x00chat-messages\x00"


def encode(system: str, user: str) -> str:
    return _MARK + json.dumps({"system": system, "user": user}, ensure_ascii=False)


def decode(prompt: str) -> list[dict[str, str]]:
    """The messages for a chat-completions request."""
    if not prompt.startswith(_MARK):
        return [{"role": "user", "content": prompt}]
    turns = json.loads(prompt[len(_MARK) :])
    messages = [{"role": "user", "content": str(turns["user"])}]
    if turns.get("system"):
        messages.insert(0, {"role": "system", "content": str(turns["system"])})
    return messages


def text_of(prompt: str) -> str:
    """The words the model reads (for estimating the prompt's length)."""
    return "\n\n".join(m["content"] for m in decode(prompt))
