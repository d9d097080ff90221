"""Reading a GGUF file's header: whether the file is a complete model, and what its header
says (architecture, layers, context, vocabulary) to size the context and the GPU offload
before llama.cpp loads anything (loading first would already need the memory).

One walk over the header in place (mmap), with the gguf library's type codes and tensor
sizes. Not gguf.GGUFReader: it makes numpy views of every vocabulary entry (9 s for
Gemma's 262k tokens, against 0.1 s here, on every load and every fit estimate), and a file
cut short makes it fail with numpy's reshape or index errors instead of saying so.
"""

from __future__ import annotations

import math
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gguf

from evidence.errors import ModelFileError

_T = gguf.GGUFValueType
_SCALARS: dict[int, struct.Struct] = {
    _T.UINT8: struct.Struct("<B"),
    _T.INT8: struct.Struct("<b"),
    _T.UINT16: struct.Struct("<H"),
    _T.INT16: struct.Struct("<h"),
    _T.UINT32: struct.Struct("<I"),
    _T.INT32: struct.Struct("<i"),
    _T.FLOAT32: struct.Struct("<f"),
    _T.BOOL: struct.Struct("<?"),
    _T.UINT64: struct.Struct("<Q"),
    _T.INT64: struct.Struct("<q"),
    _T.FLOAT64: struct.Struct("<d"),
}
_U32, _U64 = _SCALARS[_T.UINT32], _SCALARS[_T.UINT64]
_MAX_DIMS = 4  # GGML_MAX_DIMS
_F16_BYTES = 2


@dataclass(frozen=True)
class GgufHeader:
    file_bytes: int
    n_tensors: int
    values: dict[str, Any]  # scalar and string metadata
    array_lengths: dict[str, int]  # arrays (the vocabulary, ...) are counted, not decoded
    data_end: int  # where the last tensor's data ends: beyond file_bytes, the file is cut


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


def check_gguf_file(path: Path) -> None:
    """Raise ModelFileError unless `path` is a complete GGUF file (header and tensor data)."""
    read_gguf_header(path)


def read_gguf_info(path: Path) -> GgufInfo:
    """The model's shape, from the header of a complete GGUF file (else ModelFileError)."""
    path = Path(path)
    header = read_gguf_header(path)
    meta = header.values
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
        file_bytes=header.file_bytes,
        architecture=arch,
        name=str(meta.get("general.name", path.stem)),
        n_layers=layers,
        n_ctx_train=number("context_length"),
        n_vocab=header.array_lengths.get("tokenizer.ggml.tokens", 0),
        kv_bytes_per_token=layers * heads_kv * (k_dim + v_dim) * _F16_BYTES,
    )


def read_gguf_header(path: Path) -> GgufHeader:
    """The header of a complete GGUF file; ModelFileError naming what is wrong (missing,
    empty, not GGUF, truncated, damaged). Reads the header only, never the tensor data, so
    a multi-GB model takes as long as a small one."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ModelFileError(f"model file is missing: {path}") from None
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {path}: {exc.strerror}") from None
    if not path.is_file():
        raise ModelFileError(f"model path is not a file: {path}")
    if size == 0:
        raise ModelFileError(f"model file is empty: {path}")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
            if magic != b"GGUF":
                raise ModelFileError(f"not a GGUF model file (starts with {magic!r}): {path}")
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                header = _parse(buf)
    except OSError as exc:
        raise ModelFileError(f"cannot read model file {path}: {exc.strerror or exc}") from None
    except struct.error:
        raise ModelFileError(f"truncated GGUF file {path}: the header is cut short") from None
    except (ValueError, KeyError, OverflowError) as exc:
        raise ModelFileError(f"damaged or truncated GGUF header in {path}: {exc}") from None
    if header.data_end > size:
        raise ModelFileError(
            f"truncated GGUF file {path}: {size:,} bytes, its tensors need {header.data_end:,}"
        )
    return header


def _parse(buf: mmap.mmap | bytes) -> GgufHeader:
    """Walk the header (the magic is already checked). Raises struct.error where the buffer
    ends inside the header, ValueError where it makes no sense (KeyError for a tensor type
    the gguf library has no size for)."""
    version, n_tensors, n_kv = struct.unpack_from("<IQQ", buf, 4)
    if version < 2:
        raise ValueError(f"unsupported GGUF version {version}")
    values: dict[str, Any] = {}
    lengths: dict[str, int] = {}
    alignment, pos = gguf.GGUF_DEFAULT_ALIGNMENT, 24
    for _ in range(n_kv):
        key, pos = _string(buf, pos)
        (vtype,) = _U32.unpack_from(buf, pos)
        pos += 4
        if vtype == _T.ARRAY:
            lengths[key] = _U64.unpack_from(buf, pos + 4)[0]
            pos = _skip_array(buf, pos)
        elif vtype == _T.STRING:
            values[key], pos = _string(buf, pos)
        elif vtype in _SCALARS:
            (values[key],) = _SCALARS[vtype].unpack_from(buf, pos)
            pos += _SCALARS[vtype].size
        else:
            raise ValueError(f"unknown GGUF value type {vtype}")
        if key == "general.alignment" and vtype == _T.UINT32:
            alignment = values[key]
            if alignment <= 0 or alignment & (alignment - 1):
                raise ValueError(f"alignment {alignment} is not a power of two")
    end = 0
    for _ in range(n_tensors):
        _, pos = _string(buf, pos)
        (n_dims,) = _U32.unpack_from(buf, pos)
        if n_dims > _MAX_DIMS:
            raise ValueError(f"a tensor with {n_dims} dimensions")
        dims = struct.unpack_from(f"<{n_dims}Q", buf, pos + 4)
        ttype, offset = struct.unpack_from("<IQ", buf, pos + 4 + 8 * n_dims)
        pos += 4 + 8 * n_dims + 12
        block, type_size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType(ttype)]
        end = max(end, offset + math.prod(dims) // block * type_size)
    data_start = -(-pos // alignment) * alignment
    return GgufHeader(len(buf), n_tensors, values, lengths, data_start + end)


def _string(buf: mmap.mmap | bytes, pos: int) -> tuple[str, int]:
    (length,) = _U64.unpack_from(buf, pos)
    end = pos + 8 + length
    if end > len(buf):
        raise ValueError("a string runs past the end of the file")
    return bytes(buf[pos + 8 : end]).decode("utf-8", "replace"), end


def _skip_array(buf: mmap.mmap | bytes, pos: int) -> int:
    """The position after an array, without decoding it (the vocabulary is most of a header).
    llama.cpp reads arrays of scalars and of strings only, so nothing else is a model."""
    etype, count = struct.unpack_from("<IQ", buf, pos)
    pos += 12
    if etype in _SCALARS:
        pos += count * _SCALARS[etype].size
    elif etype != _T.STRING:
        raise ValueError(f"an array of GGUF value type {etype}")
    elif count > len(buf) - pos:  # every string takes at least 8 bytes
        raise ValueError("an array runs past the end of the file")
    else:
        for _ in range(count):
            pos += 8 + _U64.unpack_from(buf, pos)[0]
            if pos > len(buf):
                break
    if pos > len(buf):  # most often a file cut inside its vocabulary
        raise struct.error("an array runs past the end of the file")
    return pos
