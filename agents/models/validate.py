"""Is a file a chat model this app can run, and is it still the file that was verified?"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.models import files
from agents.models.catalog import CatalogEntry
from agents.runtime.gguf_info import read_gguf_header
from evidence.errors import ModelFileError
from evidence.hashing import file_sha256

log = logging.getLogger(__name__)

# Encoder-only architectures: they embed text, they cannot generate it.
EMBEDDING_ARCHITECTURES = frozenset(
    {
        "bert",
        "nomic-bert",
        "nomic-bert-moe",
        "jina-bert-v2",
        "jina-bert-v3",
        "modern-bert",
        "neo-bert",
        "eurobert",
        "t5encoder",
    }
)


@dataclass(frozen=True)
class ModelCheck:
    architecture: str
    name: str
    has_chat_template: bool

    @property
    def warning(self) -> str:
        if self.has_chat_template:
            return ""
        return (
            "no chat template: a base model, it continues text rather than following "
            "instructions (the agents work best with an instruction-tuned model)"
        )


def validate_model_file(path: Path) -> ModelCheck:
    """ModelFileError unless `path` is a complete GGUF holding a text-generation model."""
    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{path} is a folder; choose a .gguf model file")
    header = read_gguf_header(path)  # not GGUF, empty, truncated: a specific message each
    meta = header.values
    _refuse_non_generators(path, meta, header.n_tensors)
    return ModelCheck(
        architecture=str(meta.get("general.architecture", "")),
        name=str(meta.get("general.name", path.stem)),
        has_chat_template=bool(meta.get("tokenizer.chat_template")),
    )


def _refuse_non_generators(path: Path, meta: dict[str, Any], n_tensors: int) -> None:
    arch = str(meta.get("general.architecture", ""))
    name = path.name
    if not arch:
        raise ModelFileError(f"{name} does not say which model architecture it holds")
    if n_tensors == 0:
        raise ModelFileError(f"{name} holds no weights (a vocabulary-only GGUF file)")
    if meta.get("general.type") == "adapter":
        raise ModelFileError(
            f"{name} is a LoRA adapter, not a complete model; import the model it adapts"
        )
    if arch == "clip" or meta.get("general.type") == "mmproj":
        raise ModelFileError(
            f"{name} is the vision projector (mmproj) of a multimodal model, not a language "
            "model; import the main .gguf file"
        )
    count = meta.get("split.count", 0)
    if isinstance(count, int) and count > 1:
        raise ModelFileError(
            f"{name} is part {int(meta.get('split.no', 0)) + 1} of {count} of a split model; "
            "merge the parts first (llama-gguf-split --merge) and import the merged file"
        )
    if arch in EMBEDDING_ARCHITECTURES or f"{arch}.pooling_type" in meta:
        raise ModelFileError(
            f"{name} is an embedding model ({arch}): it turns text into vectors and cannot "
            "write; choose an instruction-tuned chat model"
        )


def verify_model(path: Path, entry: CatalogEntry | None = None) -> str:
    """Check `path` is a usable model that is still the file its sidecar (or the catalog)
    names; re-hash only when size or mtime changed. Returns its sha256."""
    path = Path(path)
    validate_model_file(path)
    side = files.read_sidecar(path)
    if files.sidecar_current(path, side):
        sha = str(side["sha256"])
    else:
        try:
            sha = file_sha256(path)
        except OSError as exc:
            raise ModelFileError(f"cannot read {path}: {exc.strerror}") from None
        expected = side.get("sha256") or (entry.sha256 if entry else None)
        if expected and sha != expected:
            raise ModelFileError(
                f"{path.name} has changed since it was verified (SHA-256 {sha[:12]}…, "
                f"expected {str(expected)[:12]}…); download or import it again"
            )
        keep = {k: v for k, v in side.items() if k not in ("size", "mtime_ns", "file")}
        record = {"source": "found in the models folder", **keep, "sha256": sha}
        try:
            files.write_sidecar(path, record)
        except OSError as exc:  # a read-only models folder: still usable, checked next time
            log.warning("cannot record the hash of %s: %s", path, exc)
    if entry is not None and entry.sha256 and sha != entry.sha256:
        raise ModelFileError(
            f"{path.name} is not the file the catalog lists for {entry.name} (SHA-256 "
            f"{sha[:12]}…, the catalog says {entry.sha256[:12]}…); download it again"
        )
    return sha
