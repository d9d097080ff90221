"""Text generation on an OpenAI-compatible model server: the same Generator interface as the
local llama.cpp one, over streaming chat completions (server-sent events).

The server applies its model's chat template, so prompts are packed messages
(chat_messages). JSON answers ask for the schema through `response_format`, stepping down
to what the server accepts (json_schema, then llama.cpp's json_object with a schema, then
the schema in the prompt), remembered per generator."""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterator
from typing import Any

import httpx

from agents.runtime import chat_messages
from agents.runtime.generation import GenerationError, GenerationRequest, GenerationStats
from agents.runtime.lifecycle import ModelHolder
from agents.runtime.openai_client import ServerClient
from agents.runtime.openai_errors import (
    ServerFailure,
    ServerGarbage,
    StreamCut,
    error_for_status,
    error_for_transport,
    server_reason,
)
from agents.runtime.sse_stream import StatusReply
from agents.runtime.stop_strings import StopScanner
from evidence.cancel import CancelCheck
from evidence.network import NetworkPolicy

log = logging.getLogger(__name__)

# Ways to ask for JSON of a schema, most exact first; a server that refuses one gets the next.
JSON_MODES = ("json_schema", "json_object_schema", "json_object", "prompt")
CHARS_PER_TOKEN = 4.0  # the estimate when the server reports no usage (English prose)


class OpenAIGenerator(ModelHolder):
    """One model on one server. Thread-safe: each stream has its own request."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        policy: NetworkPolicy,
        context_size: int = 4096,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 120.0,
    ) -> None:
        if not model:
            raise GenerationError("no model name: pick one of the server's models in Settings")
        self._server = ServerClient(
            base_url, api_key, policy,
            connect_timeout_s=connect_timeout_s, read_timeout_s=read_timeout_s,
        )  # fmt: skip
        self._model = model
        self._context = context_size
        self._json_mode = 0  # index into JSON_MODES: the first one this server accepted
        self._stats = GenerationStats()
        self._closed = False
        self.device_note = f"{model} on the model server at {self._server.base}"

    @property
    def model_id(self) -> str:
        return f"{self._model}@{self._server.base}"

    @property
    def base_url(self) -> str:
        return self._server.base

    @property
    def context_size(self) -> int:
        return self._context

    @property
    def has_chat_template(self) -> bool:
        return True  # the server applies the model's own template to the messages

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def last_stats(self) -> GenerationStats:
        return self._stats

    def count_tokens(self, text: str) -> int:
        """An estimate: the server's tokenizer is not at hand (nor a standard endpoint)."""
        return max(1, math.ceil(len(chat_messages.text_of(text)) / CHARS_PER_TOKEN))

    def chat_prompt(self, system: str, user: str) -> str:
        return chat_messages.encode(system, user)

    def stream(
        self, request: GenerationRequest, cancel: CancelCheck = lambda: False
    ) -> Iterator[str]:
        """Yield text as the server streams it; cancel() is checked at least every 50 ms, and
        the connection is closed at once when it is true. The network switch is checked
        here, before the first piece is asked for."""
        if request.max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")
        if self._closed:
            raise RuntimeError("the generator is closed")
        if not request.prompt:
            raise GenerationError("the prompt is empty")
        self._server.check()
        return self._generate(request, cancel)

    def check_network(self) -> None:
        """Raise ModelServerError when the network switch forbids this server."""
        self._server.check()

    def complete(self, request: GenerationRequest, cancel: CancelCheck = lambda: False) -> str:
        return "".join(self.stream(request, cancel))

    def close(self) -> None:
        if not getattr(self, "_closed", True):
            self._closed = True
            self._server.close()

    # -- internals --------------------------------------------------------------------

    def _generate(self, request: GenerationRequest, cancel: CancelCheck) -> Iterator[str]:
        start = time.perf_counter()
        first = 0.0
        pieces = 0
        usage: dict[str, Any] = {}
        outcome = "error"
        mode = None
        stops = StopScanner(request.stop)
        try:
            while True:
                mode = JSON_MODES[self._json_mode] if request.json_schema is not None else None
                events = self._server.stream("/chat/completions", self._payload(request, mode))
                finish = ""
                try:
                    for data in events.events(cancel):
                        if data.strip() == "[DONE]":
                            finish = finish or "stop"
                            break
                        chunk = _chunk(data, self._server.base)
                        usage = chunk.get("usage") or usage
                        for choice in chunk.get("choices") or ():
                            delta = choice.get("delta") or {}
                            piece = delta.get("content") or choice.get("text") or ""
                            if piece:
                                pieces += 1
                                first = first or time.perf_counter() - start
                                out = stops.push(piece)
                                if out:
                                    yield out
                                if stops.hit:
                                    outcome = "stop"
                                    return  # closing `events` closes the connection
                            finish = choice.get("finish_reason") or finish
                except StatusReply as reply:
                    if mode is not None and _refuses_format(reply) and self._step_down():
                        continue
                    raise self._status_error(reply) from None
                except httpx.HTTPError as exc:
                    raise error_for_transport(exc, self._server.base, pieces) from exc
                finally:
                    events.close()  # also when a stop string ended the answer early
                if events.cancelled:
                    outcome = "cancel"
                    return
                if not finish:
                    raise StreamCut(
                        f"the model server at {self._server.base} ended the stream after "
                        f"{pieces} tokens without finishing the answer; it may have crashed"
                    )
                tail = stops.flush()
                if tail:
                    yield tail
                outcome = "length" if finish == "length" else "stop"
                return
        except GeneratorExit:  # the caller closed the stream
            outcome = "cancel"
            raise
        finally:
            self._record(request, start, first, pieces, usage, outcome, mode)

    def _payload(self, request: GenerationRequest, mode: str | None) -> dict[str, Any]:
        messages = chat_messages.decode(request.prompt)
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "seed": request.seed,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.stop:
            payload["stop"] = list(request.stop)
        for name in ("frequency_penalty", "presence_penalty"):  # OpenAI's names, when set
            value = getattr(request, name, 0.0)
            if value:
                payload[name] = value
        schema = request.json_schema
        if schema is not None and mode is not None:
            if mode == "json_schema":
                spec = {"name": "answer", "schema": schema}
                payload["response_format"] = {"type": "json_schema", "json_schema": spec}
            elif mode == "json_object_schema":
                payload["response_format"] = {"type": "json_object", "schema": schema}
            else:
                if mode == "json_object":
                    payload["response_format"] = {"type": "json_object"}
                messages[-1]["content"] += (
                    "\n\nAnswer with JSON only, matching this JSON schema: " + json.dumps(schema)
                )
        elif request.grammar is not None:
            payload["grammar"] = request.grammar  # llama.cpp servers read it; others ignore it
        return payload

    def _step_down(self) -> bool:
        if self._json_mode + 1 >= len(JSON_MODES):
            return False
        self._json_mode += 1
        log.info("the model server refused that JSON mode; trying %s", JSON_MODES[self._json_mode])
        return True

    def _status_error(self, reply: StatusReply) -> GenerationError:
        if reply.status < 400:  # a 200 that is not an event stream
            return ServerGarbage(
                f"the model server at {self._server.base} did not stream its answer "
                f"(content type {reply.headers.get('content-type', 'none')!r}): "
                f"{server_reason(reply.body)[:120]!r}"
            )
        return error_for_status(
            reply.status, reply.body, reply.headers, self._server.base, self._model
        )

    def _record(
        self, request: GenerationRequest, start: float, first: float, pieces: int,
        usage: dict[str, Any], outcome: str, mode: str | None,
    ) -> None:  # fmt: skip
        # Usage the server reports wins; else one streamed piece is one token (llama.cpp and
        # vLLM send a chunk per token) and the prompt is estimated.
        reported = isinstance(usage.get("completion_tokens"), int)
        self._stats = GenerationStats(
            prompt_tokens=int(usage.get("prompt_tokens") or self.count_tokens(request.prompt)),
            generated_tokens=int(usage["completion_tokens"]) if reported else pieces,
            seconds_to_first_token=first,
            seconds=time.perf_counter() - start,
            stopped_by=outcome,
            extra={"server": self._server.base, "usage": "reported" if reported else "counted",
                   "json_mode": mode or ""},
        )  # fmt: skip


def _chunk(data: str, base: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except ValueError:
        chunk = None
    if not isinstance(chunk, dict):
        raise ServerGarbage(
            f"the model server at {base} sent something that is not JSON in its stream: "
            f"{data[:80]!r}"
        )
    if "error" in chunk:  # llama.cpp and vLLM report a failure mid-stream this way
        reason = server_reason(data.encode())
        raise ServerFailure(f"the model server at {base} failed mid-answer: {reason}")
    return chunk


def _refuses_format(reply: StatusReply) -> bool:
    # llama-cpp-python answers a response_format it cannot read with 500 (a validation error).
    text = reply.body.decode("utf-8", "replace").lower()
    if reply.status in (400, 422):
        return "response_format" in text or "schema" in text
    return reply.status == 500 and "response_format" in text
