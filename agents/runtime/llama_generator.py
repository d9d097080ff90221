"""Text generation with llama.cpp: the real `agents.runtime.generation.Generator`."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import llama_cpp

from agents.runtime.claim_scores import continuation_logprobs
from agents.runtime.generation import (
    GenerationError,
    GenerationRequest,
    GenerationStats,
)
from agents.runtime.lifecycle import ModelHolder
from agents.runtime.llama_chat import ChatTemplate
from agents.runtime.llama_runtime import (
    decode,
    feed_prompt,
    fingerprint,
    load_model,
    reusable_after,
)
from agents.runtime.llama_sampling import TokenSampler, TokenText, check_grammar, request_grammar
from evidence.cancel import CancelCheck

log = logging.getLogger(__name__)

RETRY_TEMPERATURE = 0.7  # a greedy retry would repeat the same invalid output


class GenerationCancelled(GenerationError):
    """complete_json was cancelled before the answer was complete."""


class LlamaGenerator(ModelHolder):
    """A GGUF model loaded once, generating for one caller at a time.

    Thread rule: one instance is meant for one thread (llama.cpp contexts are not
    thread-safe). Calls from other threads wait on a lock, held from a stream's first piece
    to its end; a second stream() (or close()) on the thread whose previous stream is still
    open raises RuntimeError instead of deadlocking. Close or finish streams you abandon.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        n_threads: int | None = None,
        context_size: int = 4096,
        gpu_layers: int = -1,
    ) -> None:
        self._path = Path(model_path)
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._stats = GenerationStats()
        self._reusable = 0  # cached prompt tokens a next prompt may reuse (see feed_prompt)
        loaded = load_model(
            self._path, n_threads=n_threads, context_size=context_size, gpu_layers=gpu_layers
        )
        self._llama: llama_cpp.Llama | None = loaded.llama
        self.gpu_layers = loaded.gpu_layers
        self.device_note = loaded.device_note  # what runs where, and why
        self._vocab = llama_cpp.llama_model_get_vocab(loaded.llama.model)
        self._chat = ChatTemplate.from_model(loaded.llama, self._vocab)
        self._model_id = f"{self._path.name}@{fingerprint(self._path)}"

    @property
    def model_id(self) -> str:
        """File name and a fingerprint of its size and header."""
        return self._model_id

    @property
    def context_size(self) -> int:
        return int(self._live().n_ctx())

    @property
    def has_chat_template(self) -> bool:
        return self._chat is not None

    @property
    def closed(self) -> bool:
        return self._llama is None

    @property
    def last_stats(self) -> GenerationStats:
        return self._stats

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text` as a prompt, BOS included. Needs no lock: the
        tokenizer only reads the model, so this works while a stream is open."""
        return len(self._tokenize(text))

    def chat_prompt(self, system: str, user: str) -> str:
        if self._chat is None:
            return f"{system}\n\n{user}" if system else user
        return self._chat.render(system, user)

    def stream(
        self, request: GenerationRequest, cancel: CancelCheck = lambda: False
    ) -> Iterator[str]:
        """Yield text as it is generated. cancel() is checked before every token (and
        between prompt chunks): once it is true, no further token is computed. The prompt
        is checked here, before the first piece is asked for."""
        if request.max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")
        with self._session():
            tokens = self._tokenize(request.prompt)
            n_ctx = self._live().n_ctx()
            if not tokens:
                raise GenerationError("the prompt is empty")
            if len(tokens) + request.max_tokens > n_ctx:
                raise GenerationError(
                    f"the prompt is {len(tokens)} tokens; the model's context holds {n_ctx}: "
                    f"with up to {request.max_tokens} tokens of answer that does not fit; "
                    "shorten the prompt, lower max_tokens or raise the context size"
                )
            gbnf = request_grammar(request.json_schema, request.grammar)
            if gbnf is not None:
                check_grammar(self._vocab, gbnf)
        return self._generate(request, tokens, gbnf, cancel)

    def complete(self, request: GenerationRequest, cancel: CancelCheck = lambda: False) -> str:
        return "".join(self.stream(request, cancel))

    def complete_json(
        self, request: GenerationRequest, cancel: CancelCheck = lambda: False, retries: int = 2
    ) -> Any:
        """The parsed JSON answer to a request with a json_schema. The grammar makes the
        output follow the schema, but a length cut-off leaves it unfinished: then retry
        with another seed (and some temperature), and finally raise GenerationError."""
        if request.json_schema is None:
            raise ValueError("complete_json needs a request with a json_schema")
        raw, reason = "", ""
        for attempt in range(retries + 1):
            if attempt:
                temperature = max(request.temperature, RETRY_TEMPERATURE)
                seed = request.seed + attempt
                request = dataclasses.replace(request, seed=seed, temperature=temperature)
            raw = self.complete(request, cancel)
            stats = self._stats
            if stats.stopped_by == "cancel":
                raise GenerationCancelled("cancelled before the answer was complete")
            try:
                value = json.loads(raw)
            except ValueError as exc:
                cut = " (cut off at max_tokens)" if stats.stopped_by == "length" else ""
                reason = f"{exc}{cut}"
                continue
            self._stats = dataclasses.replace(stats, extra={**stats.extra, "attempts": attempt + 1})
            return value
        excerpt = raw if len(raw) <= 200 else raw[:200] + "…"
        raise GenerationError(
            f"the model did not produce valid JSON in {retries + 1} attempts ({reason}); "
            f"last output: {excerpt!r}"
        )

    def continuation_logprobs(self, prefix: str, continuations: Sequence[str]) -> list[float]:
        """Each continuation's summed token log-probability after `prefix` (claim_scores):
        the contradiction check's vote on which of a tag and its opposites a card supports."""
        with self._session():
            self._reusable = 0  # the KV cache no longer holds the last prompt
            return continuation_logprobs(self._live(), prefix, continuations)

    def reset_cache(self) -> None:
        """Forget the evaluated prompt, so the next prompt is evaluated in full (benchmarks)."""
        with self._session():
            self._reusable = 0

    def close(self) -> None:
        """Free the model and its context, after a stream running in another thread ends.
        Idempotent; generation fails afterwards."""
        if getattr(self, "_llama", None) is None:
            return
        with self._session():
            llama, self._llama = self._llama, None
            if llama is not None:
                llama.close()

    # -- internals --------------------------------------------------------------------

    @contextlib.contextmanager
    def _session(self) -> Iterator[None]:
        me = threading.get_ident()
        if self._owner == me:
            raise RuntimeError(
                "this thread's previous stream() is still open: finish or close it first"
            )
        with self._lock:
            self._owner = me
            try:
                yield
            finally:
                self._owner = None

    def _live(self) -> llama_cpp.Llama:
        if self._llama is None:
            raise RuntimeError("the generator is closed")
        return self._llama

    def _tokenize(self, text: str) -> list[int]:
        llama = self._live()
        # Chat prompts carry the template's control tokens as text: parse them as special.
        # Plain prompts must not: evidence quoting "<eos>" would end the prompt early.
        special = self._chat is not None
        tokens = llama.tokenize(text.encode("utf-8", "replace"), add_bos=True, special=special)
        bos = llama.token_bos()
        if len(tokens) > 1 and tokens[0] == tokens[1] == bos:
            tokens = tokens[1:]  # the template wrote BOS and llama.cpp added another
        return tokens

    def _generate(
        self, request: GenerationRequest, tokens: list[int], gbnf: str | None, cancel: CancelCheck
    ) -> Iterator[str]:
        with self._session():
            llama = self._live()
            start = time.perf_counter()
            first = 0.0
            generated = cached = 0
            outcome = "cancel"  # also what closing the stream early means
            sampler: TokenSampler | None = None
            try:
                reusable, self._reusable = self._reusable, 0
                cached = feed_prompt(llama, tokens, reusable, cancel)
                if cached < 0:
                    return
                self._reusable = reusable_after(tokens)
                prompt_done = time.perf_counter()
                sampler = TokenSampler(
                    llama.ctx, self._vocab, temperature=request.temperature,
                    seed=request.seed, gbnf=gbnf,
                    penalties=(request.frequency_penalty, request.presence_penalty),
                )  # fmt: skip
                text = TokenText(self._vocab, request.stop)
                pending: int | None = None
                outcome = "length"
                for _ in range(request.max_tokens):
                    if cancel():
                        outcome = "cancel"
                        return
                    if pending is not None:  # evaluated only now: a cancel skips the work
                        decode(llama, [pending])
                    token = sampler.sample()
                    if not generated:
                        first = time.perf_counter() - start
                    if llama_cpp.llama_vocab_is_eog(self._vocab, token):
                        outcome = "stop"
                        break
                    generated += 1
                    piece, hit = text.push(token)
                    if piece:
                        yield piece
                    if hit:
                        outcome = "stop"
                        return
                    pending = token
                tail = text.flush()
                if tail:
                    yield tail
            except (GeneratorExit, KeyboardInterrupt):  # the caller closed the stream
                outcome = "cancel"
                raise
            except BaseException:
                outcome = "error"
                raise
            finally:
                end = time.perf_counter()
                extra: dict[str, Any] = {"cached_prompt_tokens": max(cached, 0)}
                if sampler is not None:
                    extra["prompt_seconds"] = prompt_done - start
                    extra["grammar_resampled"] = sampler.resampled
                    sampler.close()
                self._stats = GenerationStats(
                    prompt_tokens=len(tokens),
                    generated_tokens=generated,
                    seconds_to_first_token=first,
                    seconds=end - start,
                    stopped_by=outcome,
                    extra=extra,
                )
