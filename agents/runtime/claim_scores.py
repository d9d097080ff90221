"""How likely a causal language model finds each of a few continuations after one prefix.

The contradiction check asks the generator which of a tag and its opposites the card's
sentences make more likely (agents/team/entailment.py). The prefix is evaluated once; each
continuation is then decoded as one batch with logits on every position, and the KV cache
is cut back to the prefix before the next. llama-cpp-python's `Llama.eval` keeps only the
last position's logits unless the whole context was made with logits_all (which would copy
prefix logits too: 262k floats per token for Gemma 3), so this uses its batch and context
objects directly (`_batch`, `_ctx`, stable in 0.3.x).
"""

from __future__ import annotations

from collections.abc import Sequence

import llama_cpp
import numpy as np

MAX_CONTINUATION = 64  # tokens scored per continuation; a tag is one sentence


def tokenize(llama: llama_cpp.Llama, text: str, *, bos: bool) -> list[int]:
    return list(llama.tokenize(text.encode("utf-8"), add_bos=bos, special=False))


def continuation_logprobs(
    llama: llama_cpp.Llama, prefix: str, continuations: Sequence[str]
) -> list[float]:
    """Summed log-probability of each continuation's tokens after `prefix` (the prefix is
    cut from its start to fit the context). The caller holds the model's lock and resets
    its own prompt cache: the KV cache is left holding this prefix."""
    conts = [tokenize(llama, c, bos=False)[:MAX_CONTINUATION] for c in continuations]
    room = llama.n_ctx() - max((len(c) for c in conts), default=0) - 2
    head = tokenize(llama, prefix, bos=True)
    if len(head) > room:
        head = head[:1] + head[len(head) - room + 1 :]
    *body, last = head
    n_past = len(body)
    cached = llama.n_tokens == n_past and np.array_equal(llama.input_ids[:n_past], body)
    if not cached:  # the same prefix as the last call (one card, several tags) is kept
        llama.reset()  # type: ignore[no-untyped-call]
        if body:
            llama.eval(body)
    n_vocab = llama.n_vocab()
    out: list[float] = []
    for cont in conts:
        if not cont:
            out.append(0.0)
            continue
        batch = [last, *cont]
        llama._ctx.kv_cache_seq_rm(-1, n_past, -1)
        llama._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
        llama._ctx.decode(llama._batch)
        rows = np.ctypeslib.as_array(
            llama._ctx.get_logits(),  # type: ignore[no-untyped-call]
            shape=(len(batch) * n_vocab,),
        ).reshape(len(batch), n_vocab)[:-1]
        rows = rows.astype(np.float64)
        top = rows.max(axis=1)
        norm = top + np.log(np.exp(rows - top[:, None]).sum(axis=1))
        out.append(float((rows[np.arange(len(cont)), cont] - norm).sum()))
    llama._ctx.kv_cache_seq_rm(-1, n_past, -1)
    llama.n_tokens = n_past
    return out
