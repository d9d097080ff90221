"""Loading a GGUF model into llama.cpp (GPU when it fits, else CPU, with the reason) and
feeding it prompt tokens: the parts of generation below the sampling loop."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
import numpy as np

from agents.runtime.embedder import _errors, quiet_llama_logs
from agents.runtime.generation import GenerationError
from agents.runtime.gguf_info import GgufInfo, read_gguf_info
from agents.runtime.gpu import choose_gpu_layers, detect_gpu
from evidence.cancel import CancelCheck
from evidence.errors import ModelFileError
from evidence.units import gb

log = logging.getLogger(__name__)

# Prompt tokens per llama_decode: cancel is checked between chunks, so a long prompt on a
# slow CPU can still be stopped within a second or two; also the unit of prompt caching.
PROMPT_CHUNK = 128
_MEMORY_WORDS = ("insufficient memory", "failed to allocate", "out of memory", "unable to alloc")


@dataclass
class LoadedModel:
    llama: llama_cpp.Llama
    info: GgufInfo
    gpu_layers: int
    device_note: str  # where the layers went and why, for the user


def load_model(
    path: Path, *, n_threads: int | None, context_size: int, gpu_layers: int
) -> LoadedModel:
    """Load with n_ctx = min(context_size, the model's training context). A GPU load that
    fails is retried on the CPU; the note says so. Raises ModelFileError."""
    info = read_gguf_info(path)  # ModelFileError unless a complete GGUF
    n_ctx = min(context_size, info.n_ctx_train) if info.n_ctx_train else context_size
    quiet_llama_logs()
    gpu = detect_gpu()
    layers, note = choose_gpu_layers(
        info.memory_bytes(n_ctx),
        info.n_layers,
        gpu.free_bytes,
        gpu_layers,
        offload_supported=gpu.offload_supported,
    )
    if layers != 0:
        note = f"{note}; {gpu.summary}"
    try:
        llama = _load(path, info, n_ctx, n_threads, layers)
    except ModelFileError as exc:
        if layers == 0:
            raise
        note = f"CPU: loading {layers} layers onto the GPU failed ({exc}); running on the CPU"
        layers = 0
        llama = _load(path, info, n_ctx, n_threads, 0)
    log.info("generator %s: %s", path.name, note)
    return LoadedModel(llama, info, layers, note)


def _load(
    path: Path, info: GgufInfo, n_ctx: int, n_threads: int | None, layers: int
) -> llama_cpp.Llama:
    _errors.clear()
    try:
        return llama_cpp.Llama(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            n_gpu_layers=layers,
            verbose=False,
        )
    except Exception as exc:  # llama-cpp-python raises bare ValueError/RuntimeError
        reason = " / ".join(_errors) if _errors else str(exc)
        if isinstance(exc, MemoryError) or any(w in reason.lower() for w in _MEMORY_WORDS):
            raise ModelFileError(
                f"not enough memory to load {path.name} (needs about "
                f"{gb(info.memory_bytes(n_ctx))} with a {n_ctx}-token context): choose a "
                "smaller model, a smaller context size or fewer GPU layers"
            ) from exc
        raise ModelFileError(f"cannot load generator model {path}: {reason}") from exc


def feed_prompt(
    llama: llama_cpp.Llama, tokens: list[int], reusable: int, cancel: CancelCheck
) -> int:
    """Evaluate the prompt in chunks of PROMPT_CHUNK tokens at fixed positions (0, 128, ...),
    reusing cached chunks it shares with the last prompt. Returns the reused token count, or
    -1 when cancelled.

    `reusable`: how many cached tokens were evaluated in such full chunks. Only those are
    reused: llama.cpp's logits depend on how tokens were batched (up to 0.6 apart for the
    same token alone or in a batch), and with free reuse the same greedy request gave one
    answer cold and another warm. With aligned chunks the logits are bit-identical.
    """
    n = min(llama.n_tokens, reusable, len(tokens) - 1)  # the last token is always evaluated
    same = np.asarray(llama.input_ids[:n]) == np.asarray(tokens[:n], dtype=np.intc)
    keep = int(same.argmin()) if not same.all() else n
    keep -= keep % PROMPT_CHUNK
    if keep == 0 or getattr(llama, "_is_recurrent", True) or getattr(llama, "_is_hybrid", True):
        keep = 0  # a recurrent state cannot be cut back to a prefix
        llama.reset()  # type: ignore[no-untyped-call]
    else:
        llama.n_tokens = keep  # Llama.eval drops the KV cache from here on
    for i in range(keep, len(tokens), PROMPT_CHUNK):
        if cancel():
            return -1
        decode(llama, tokens[i : i + PROMPT_CHUNK])
    return keep


def reusable_after(tokens: list[int]) -> int:
    """Tokens of this prompt that a later prompt may reuse: its full chunks."""
    return len(tokens) - len(tokens) % PROMPT_CHUNK


def decode(llama: llama_cpp.Llama, tokens: list[int]) -> None:
    try:
        llama.eval(tokens)
    except RuntimeError as exc:  # llama_decode failed: no KV slot, backend error
        raise GenerationError(f"llama.cpp could not evaluate the text: {exc}") from exc


def fingerprint(path: Path) -> str:
    """Size and header hashed: a full sha256 of a multi-GB model takes tens of seconds."""
    digest = hashlib.sha256(str(path.stat().st_size).encode())
    with path.open("rb") as fh:
        digest.update(fh.read(1 << 20))  # metadata, tensor names, types and offsets
    return digest.hexdigest()[:12]
