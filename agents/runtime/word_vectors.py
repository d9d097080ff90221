"""Contextual vectors per word from the embedding model: llama.cpp with pooling off.

A second llama.cpp context over the embedder's already loaded model (no second copy of the
weights) with LLAMA_POOLING_TYPE_NONE returns one vector per token. We tokenize the words
one by one (WordPiece splits at whitespace and punctuation anyway, so the tokens are those of
the whole text) and so know which tokens make each word: a word's vector is the mean of its
tokens' vectors. Long texts are read in windows of at most WINDOW_TOKENS tokens, cut at a
sentence end where one is near, each window with its own [CLS] and [SEP].
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import llama_cpp
import numpy as np

# all-MiniLM-L6-v2 was trained on inputs of at most 128 tokens; windows of this size keep
# the model in the range it knows and a decode cheap.
WINDOW_TOKENS = 128
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*$")


def windows(token_counts: Sequence[int], ends_sentence: Sequence[bool], size: int) -> list[int]:
    """Word indexes where each window starts (the first is 0): greedy, at most `size` tokens
    per window (a longer single word stands alone), cut after the last sentence end of a full
    window when that end lies in its second half."""
    starts = [0]
    used = 0
    last_end = -1
    i = 0
    n = len(token_counts)
    while i < n:
        count = token_counts[i]
        if used and used + count > size:
            start = starts[-1]
            cut = last_end + 1 if last_end >= 0 and last_end + 1 - start > (i - start) // 2 else i
            starts.append(cut)
            i, used, last_end = cut, 0, -1
            continue
        used += count
        if ends_sentence[i]:
            last_end = i
        i += 1
    return starts


class WordVectors:
    """Per-word contextual vectors from a loaded llama.cpp embedding model.

    `model` is the llama_cpp model pointer of a loaded Llama (its `.model`); the caller keeps
    that Llama alive for as long as this object is used and closes this first.
    """

    def __init__(self, llama: llama_cpp.Llama, *, n_threads: int | None = None) -> None:
        self._llama = llama
        self._dim = int(llama.n_embd())
        size = WINDOW_TOKENS
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = size
        params.n_batch = size
        params.n_ubatch = size  # a non-causal model needs the batch in one ubatch
        params.embeddings = True
        params.pooling_type = llama_cpp.LLAMA_POOLING_TYPE_NONE
        if n_threads:
            params.n_threads = n_threads
            params.n_threads_batch = n_threads
        self._ctx: llama_cpp.llama_context_p | None = llama_cpp.llama_init_from_model(
            llama.model, params
        )
        if not self._ctx:
            self._ctx = None
            raise RuntimeError("llama.cpp could not make a per-token embedding context")
        self._batch: llama_cpp.llama_batch | None = llama_cpp.llama_batch_init(size, 0, 1)
        self._cls = max(int(llama.token_bos()), 0)
        self._sep = max(int(llama.token_eos()), 0)
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return self._dim

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        """One float32 row per word (zeros for a word with no tokens)."""
        out = np.zeros((len(words), self._dim), dtype=np.float32)
        if not words:
            return out
        with self._lock:
            tokens = [
                self._llama.tokenize(w.encode("utf-8", "replace"), add_bos=False, special=False)
                for w in words
            ]
            # A single word longer than a window keeps its first tokens only.
            tokens = [t[: WINDOW_TOKENS - 2] for t in tokens]
            ends = [bool(_SENTENCE_END.search(w)) for w in words]
            starts = windows([len(t) for t in tokens], ends, WINDOW_TOKENS - 2)
            for a, b in zip(starts, [*starts[1:], len(words)], strict=True):
                flat = [tok for t in tokens[a:b] for tok in t]
                hidden = self._decode([self._cls, *flat, self._sep])[1:-1]
                k = 0
                for i in range(a, b):
                    m = len(tokens[i])
                    if m:
                        out[i] = hidden[k : k + m].mean(axis=0)
                    k += m
        return out

    def _decode(self, tokens: list[int]) -> np.ndarray:
        if self._ctx is None or self._batch is None:
            raise RuntimeError("the word-vector context is closed")
        batch = self._batch
        for pos, token in enumerate(tokens):
            batch.token[pos] = token
            batch.pos[pos] = pos  # type: ignore[call-overload]
            batch.n_seq_id[pos] = 1
            batch.seq_id[pos][0] = 0
            batch.logits[pos] = True
        batch.n_tokens = len(tokens)
        memory = llama_cpp.llama_get_memory(self._ctx)
        if memory:
            llama_cpp.llama_memory_clear(memory, True)
        status = llama_cpp.llama_decode(self._ctx, batch)
        if status != 0:
            raise RuntimeError(f"llama.cpp could not embed the tokens (llama_decode {status})")
        pointer = llama_cpp.llama_get_embeddings(self._ctx)
        return np.ctypeslib.as_array(pointer, shape=(len(tokens), self._dim)).copy()

    def close(self) -> None:
        """Free the context (not the model). Idempotent."""
        if self._batch is not None:
            llama_cpp.llama_batch_free(self._batch)
            self._batch = None
        if self._ctx is not None:
            llama_cpp.llama_free(self._ctx)
            self._ctx = None
