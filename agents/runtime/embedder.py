"""Sentence embeddings with llama.cpp: the real `evidence.index.embedding.Embedder`."""

from __future__ import annotations

import ctypes
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

import llama_cpp
import numpy as np

from agents.runtime.gguf_info import check_gguf_file
from agents.runtime.lifecycle import ModelHolder
from agents.runtime.word_vectors import WordVectors
from evidence.errors import ModelFileError
from evidence.hashing import file_sha256

# all-MiniLM-L6-v2 was trained on inputs of at most 128 tokens and sentence-transformers
# cuts its input at 256 (max_seq_length); we cut at the same place so our vectors match
# its vectors for long texts too. Chunks are sized well under this anyway.
MAX_TOKENS = 256

_log = logging.getLogger("agents.llama_cpp")
# Errors llama.cpp logged since the last load began: a failed load says why only there.
_errors: deque[str] = deque(maxlen=8)
# enum ggml_log_level in this llama.cpp (llama_cpp._logger's table predates DEBUG = 1).
_GGML_ERROR = 4


def _route_log(level: int, text: bytes | None, user_data: ctypes.c_void_p) -> None:
    message = (text or b"").decode("utf-8", "replace").rstrip()
    if message:
        _log.debug("%s", message)
        if level == _GGML_ERROR:
            _errors.append(message)


# A module global: llama.cpp keeps the raw pointer, so the ctypes object must stay alive.
_LOG_CALLBACK = llama_cpp.llama_log_callback(_route_log)


def quiet_llama_logs() -> None:
    """Send llama.cpp's logging (process-wide) to Python logging at DEBUG, not to stderr."""
    llama_cpp.llama_log_set(_LOG_CALLBACK, ctypes.c_void_p(0))


def _safe_batch_size(tokens: int) -> int:
    """Round up to a size llama.cpp accepts for an embedding context.

    llama.cpp pads n_ctx to a multiple of 256; with embeddings on, an n_batch above 256
    that is not itself a multiple of 256 fails an assert while building the pooling
    graph and aborts the process (seen with 257, 384, 513, 640; 512, 768, 2048 load).
    """
    return tokens if tokens <= 256 else -(-tokens // 256) * 256


class LlamaEmbedder(ModelHolder):
    """Unit-length sentence vectors from a GGUF embedding model (mean pooling, e.g. MiniLM).

    Texts are cut to min(n_ctx, MAX_TOKENS) tokens, keeping the closing [SEP] as
    sentence-transformers does, and packed several to one llama.cpp decode of at most
    `batch_tokens` tokens. Small decodes are faster: llama.cpp attends across the whole
    packed batch (masking other texts), so cost grows with its square. Measured on 2
    cores with 170-token chunks: 35 chunks/s at 256 tokens per decode, 19-26 at 512,
    7-9 at 2048. Flash attention (`flash_attn`, on by default) does that attention in one
    fused step: 1.25x the texts/s on 2 cores (43.5 against 34.8, 200 real card vector texts,
    interleaved), vectors within cosine 0.9999 of the unfused ones; llama.cpp's CPU code has
    it, so a backend without it still runs. Calls are serialised by a lock: a llama.cpp
    context is not thread-safe.
    `sha256_of` names the model (model_id); agents.models passes one that trusts a current
    sidecar instead of hashing the file at every start.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        n_threads: int | None = None,
        n_ctx: int = 512,
        batch_tokens: int = 256,
        sha256_of: Callable[[Path], str] = file_sha256,
        flash_attn: bool = True,
    ) -> None:
        self._path = Path(model_path)
        self._n_threads = n_threads
        check_gguf_file(self._path)
        quiet_llama_logs()
        self._max_tokens = max(2, min(n_ctx, MAX_TOKENS))
        self._batch_tokens = _safe_batch_size(max(batch_tokens, self._max_tokens))
        _errors.clear()
        try:
            # One context holds one packed batch; each text in it starts at position 0.
            # n_ubatch == n_batch: a non-causal model aborts the process (GGML_ASSERT
            # "encoder requires n_ubatch >= n_tokens") if a batch needs two ubatches.
            self._llama: llama_cpp.Llama | None = llama_cpp.Llama(
                model_path=str(self._path),
                embedding=True,
                n_ctx=self._batch_tokens,
                n_batch=self._batch_tokens,
                n_ubatch=self._batch_tokens,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                flash_attn=flash_attn,
                verbose=False,
            )
        except Exception as exc:  # llama-cpp-python raises bare ValueError/RuntimeError
            reason = _errors[0] if _errors else str(exc)
            raise ModelFileError(f"cannot load embedding model {self._path}: {reason}") from exc
        # llama-cpp-python annotates pooling_type() as str; it returns the enum's int.
        if int(self._llama.pooling_type()) == llama_cpp.LLAMA_POOLING_TYPE_NONE:
            self.close()
            raise ModelFileError(
                f"cannot load embedding model {self._path}: it has no pooling "
                "(not a sentence-embedding model)"
            )
        self._dim = int(self._llama.n_embd())
        self._n_seq_max = int(self._llama.context_params.n_seq_max)
        self._batch: llama_cpp.llama_batch | None = llama_cpp.llama_batch_init(
            self._batch_tokens, 0, 1
        )
        self._lock = threading.Lock()
        self._model_id = f"{self._path.name}@{sha256_of(self._path)[:12]}"
        self._word_vectors: WordVectors | None = None

    @property
    def model_id(self) -> str:
        """File name and the start of its sha256: a rebuilt or different file is a new model."""
        return self._model_id

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_tokens(self) -> int:
        """Tokens per text, [CLS] and [SEP] included; the rest of a longer text is ignored."""
        return self._max_tokens

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text` before truncation, [CLS] and [SEP] included."""
        with self._lock:
            return len(self._tokenize(text))

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not a single string")
        with self._lock:
            vectors: list[list[float]] = []
            group: list[list[int]] = []
            used = 0
            for text in texts:
                tokens = self._tokenize(text)
                if len(tokens) > self._max_tokens:
                    tokens = tokens[: self._max_tokens - 1] + tokens[-1:]
                full = used + len(tokens) > self._batch_tokens or len(group) >= self._n_seq_max
                if group and full:
                    vectors.extend(self._decode(group))
                    group, used = [], 0
                group.append(tokens)
                used += len(tokens)
            if group:
                vectors.extend(self._decode(group))
            return vectors

    def word_vectors(self, words: Sequence[str]) -> np.ndarray:
        """Contextual vectors, one row per word (agents/runtime/word_vectors.py): a second
        context over this same loaded model, made on first use."""
        with self._lock:
            if self._word_vectors is None:
                llama, _ = self._live()
                self._word_vectors = WordVectors(llama, n_threads=self._n_threads)
            source = self._word_vectors
        return source.word_vectors(words)

    def close(self) -> None:
        """Free the model and its context. Idempotent; embed() fails afterwards."""
        if getattr(self, "_word_vectors", None) is not None:
            self._word_vectors.close()  # type: ignore[union-attr]
            self._word_vectors = None
        if getattr(self, "_batch", None) is not None:
            llama_cpp.llama_batch_free(self._batch)
            self._batch = None
        llama = getattr(self, "_llama", None)
        if llama is not None:
            self._llama = None
            llama.close()

    def _live(self) -> tuple[llama_cpp.Llama, llama_cpp.llama_batch]:
        if self._llama is None or self._batch is None:
            raise RuntimeError("the embedder is closed")
        return self._llama, self._batch

    def _tokenize(self, text: str) -> list[int]:
        llama, _ = self._live()
        # special=False: a chunk quoting "[SEP]" must not end the sentence early.
        tokens = llama.tokenize(text.encode("utf-8", "replace"), add_bos=True, special=False)
        return tokens or [max(llama.token_bos(), 0)]

    def _decode(self, group: list[list[int]]) -> list[list[float]]:
        llama, batch = self._live()
        n = 0
        for seq, tokens in enumerate(group):
            for pos, token in enumerate(tokens):
                batch.token[n] = token
                # The binding annotates pos as an array of arrays; it is an int32 array.
                batch.pos[n] = pos  # type: ignore[call-overload]
                batch.n_seq_id[n] = 1
                batch.seq_id[n][0] = seq
                batch.logits[n] = True
                n += 1
        batch.n_tokens = n
        ctx = llama.ctx
        memory = llama_cpp.llama_get_memory(ctx)
        if memory:  # BERT keeps no KV cache; other models might
            llama_cpp.llama_memory_clear(memory, True)
        status = llama_cpp.llama_decode(ctx, batch)
        if status != 0:
            raise RuntimeError(f"llama.cpp could not embed the batch (llama_decode {status})")
        out = np.empty((len(group), self._dim), dtype=np.float32)
        for seq in range(len(group)):
            pointer = llama_cpp.llama_get_embeddings_seq(ctx, seq)
            out[seq] = np.ctypeslib.as_array(pointer, shape=(self._dim,))
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        result: list[list[float]] = out.tolist()
        return result
