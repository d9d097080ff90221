"""What a GGUF header says about a model: enough to size the context and the GPU offload
before llama.cpp loads anything (loading first would already need the memory)."""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.errors import ModelFileError

# GGUF value types: struct formats of the scalars; 8 is a string, 9 an array.
_SCALARS = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9
_F16_BYTES = 2


@dataclass(frozen=True)
class GgufInfo:
    file_bytes: int
    architecture: str
    name: str
    n_layers: int  # repeating blocks; 0 when the header does not say
    n_ctx_train: int  # 0 when the header does not say
    n_vocab: int
    kv_bytes_per_token: int  # f16 keys and values over all layers; 0 when unknown

    def memory_bytes(self, n_ctx: int, n_batch: int = 512) -> int:
        """Roughly what loading needs: weights, the KV cache, and the output logits buffer
        (n_batch x vocabulary floats: 0.5 GB for Gemma's 262k vocabulary, more than its
        weights)."""
        return self.file_bytes + self.kv_bytes_per_token * n_ctx + n_batch * self.n_vocab * 4


def read_gguf_info(path: Path) -> GgufInfo:
    """Read the model's shape from its header. Call check_gguf_file first."""
    path = Path(path)
    try:
        with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            meta, lengths = read_gguf_metadata(buf)
            size = len(buf)
    except (OSError, ValueError, struct.error) as exc:
        raise ModelFileError(f"cannot read the GGUF header of {path}: {exc}") from None
    arch = str(meta.get("general.architecture", ""))

    def number(key: str) -> int:
        value = meta.get(f"{arch}.{key}")
        return int(value) if isinstance(value, int | float) else 0

    layers, heads = number("block_count"), number("attention.head_count")
    heads_kv = number("attention.head_count_kv") or heads  # an array when it varies by layer
    head_dim = number("embedding_length") // heads if heads else 0
    k_dim = number("attention.key_length") or head_dim
    v_dim = number("attention.value_length") or head_dim
    return GgufInfo(
        file_bytes=size,
        architecture=arch,
        name=str(meta.get("general.name", path.stem)),
        n_layers=layers,
        n_ctx_train=number("context_length"),
        n_vocab=lengths.get("tokenizer.ggml.tokens", 0),
        kv_bytes_per_token=layers * heads_kv * (k_dim + v_dim) * _F16_BYTES,
    )


def read_gguf_metadata(buf: mmap.mmap | bytes) -> tuple[dict[str, Any], dict[str, int]]:
    """The header's scalar and string values, and the length of each array (arrays of
    strings such as the vocabulary are skipped, not decoded: that is what makes
    gguf.GGUFReader take seconds)."""
    _, _, n_kv = struct.unpack_from("<IQQ", buf, 4)
    values: dict[str, Any] = {}
    lengths: dict[str, int] = {}
    pos = 24
    for _ in range(n_kv):
        key, pos = _string(buf, pos)
        (vtype,) = struct.unpack_from("<I", buf, pos)
        pos += 4
        if vtype == _ARRAY:
            (count,) = struct.unpack_from("<Q", buf, pos + 4)
            lengths[key] = int(count)
            pos = _skip(buf, pos, vtype)
        elif vtype == _STRING:
            values[key], pos = _string(buf, pos)
        elif vtype in _SCALARS:
            (values[key],) = struct.unpack_from("<" + _SCALARS[vtype], buf, pos)
            pos += struct.calcsize(_SCALARS[vtype])
        else:
            raise ValueError(f"unknown GGUF value type {vtype}")
    return values, lengths


def _string(buf: mmap.mmap | bytes, pos: int) -> tuple[str, int]:
    (length,) = struct.unpack_from("<Q", buf, pos)
    end = pos + 8 + int(length)
    if end > len(buf):
        raise ValueError("a string runs past the end of the file")
    return bytes(buf[pos + 8 : end]).decode("utf-8", "replace"), end


def _skip(buf: mmap.mmap | bytes, pos: int, vtype: int) -> int:
    if vtype in _SCALARS:
        return pos + struct.calcsize(_SCALARS[vtype])
    if vtype == _STRING:
        return _string(buf, pos)[1]
    if vtype != _ARRAY:
        raise ValueError(f"unknown GGUF value type {vtype}")
    etype, count = struct.unpack_from("<IQ", buf, pos)
    pos += 12
    if etype in _SCALARS:
        return pos + int(count) * struct.calcsize(_SCALARS[etype])
    if count > len(buf) - pos:  # each string or array element takes at least 8 bytes
        raise ValueError("an array runs past the end of the file")
    for _ in range(count):
        pos = _skip(buf, pos, etype)
    return pos
