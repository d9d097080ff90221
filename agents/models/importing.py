"""Importing a GGUF model file the user has: validated, copied into models/ atomically
with a sha256 sidecar, under a name that never shadows another model's."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from agents.models import files
from agents.models.bundled import EMBEDDER_FILE
from agents.models.catalog import Catalog, load_catalog
from agents.models.describe import (
    BUILTIN_FILE,
    InstalledModel,
    builtin_file,
    describe,
    describe_any,
    same_file,
)
from agents.models.minilm_gguf import temp_beside
from agents.models.validate import validate_model_file, verify_model
from evidence import hashing
from evidence.errors import ModelFileError
from evidence.hashing import file_sha256

log = logging.getLogger(__name__)


def import_model(
    file: Path | str,
    models_dir: Path,
    *,
    catalog: Catalog | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> InstalledModel:
    """Copy a GGUF model the user has into models/ (atomically, with a sha256 sidecar).
    Importing the same file again is a no-op that returns the model already there."""
    src = Path(file).expanduser()
    if not src.exists():
        raise ModelFileError(f"no file at {src}")
    check = validate_model_file(src)
    if check.warning:
        log.warning("imported %s: %s", src, check.warning)
    models_dir = Path(models_dir)
    catalog = catalog if catalog is not None else load_catalog()
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        if same_file(src.parent, models_dir):  # already in place: adopt it
            verify_model(src, catalog.by_file(src.name))
            return replace(describe_any(src, models_dir, catalog), note=check.warning)
        size = src.stat().st_size
        sha = functools.cache(lambda: file_sha256(src))
        # Hash the source first only when a duplicate is possible (same size) or a catalog
        # checksum decides its name; otherwise the copy is the only read.
        for existing in (p for p in models_dir.glob("*.gguf") if p.stat().st_size == size):
            side = files.read_sidecar(existing)
            if side.get("sha256") == sha() and files.sidecar_current(existing, side):
                log.info("%s is already installed as %s", src, existing)
                return replace(describe_any(existing, models_dir, catalog), note=check.warning)
        dest = _destination(src, models_dir, catalog, size, sha)
        files.check_space(models_dir, size, f"importing {src.name}")
        _copy_verified(src, dest, size, progress)
    except OSError as exc:
        if files.is_disk_full(exc):
            raise ModelFileError(f"the disk is full: {src.name} was not imported") from None
        raise ModelFileError(f"cannot import {src}: {exc.strerror or exc}") from None
    log.info("imported %s as %s", src, dest)
    return replace(describe(dest, catalog), note=check.warning)


def _destination(
    src: Path, models_dir: Path, catalog: Catalog, size: int, sha: Callable[[], str]
) -> Path:
    """models/<name>; a name that belongs to another model (a catalog file with another
    checksum or size, the bundled model, an earlier import) gets a suffix instead of being
    overwritten, so a catalog name always means the catalog's file."""
    dest = models_dir / src.name
    entry = catalog.by_file(src.name)
    reserved = {EMBEDDER_FILE.lower(), BUILTIN_FILE.lower(), builtin_file(catalog).lower()}
    if entry is None:
        other_model = False
    elif entry.sha256 is not None:
        other_model = sha() != entry.sha256
    else:
        other_model = entry.size_bytes not in (None, size)
    if not (dest.exists() or src.name.lower() in reserved or other_model):
        return dest
    stem = src.name[: -len(".gguf")] if src.name.lower().endswith(".gguf") else src.name
    n = 2
    while (models_dir / f"{stem}-{n}.gguf").exists() or catalog.by_file(f"{stem}-{n}.gguf"):
        n += 1
    return models_dir / f"{stem}-{n}.gguf"


def _copy_verified(
    src: Path, dest: Path, size: int, progress: Callable[[int, int], None] | None
) -> None:
    digest = hashlib.sha256()
    with temp_beside(dest) as tmp:
        done = 0
        with src.open("rb") as fin, tmp.open("wb") as fout:
            while block := fin.read(hashing.BLOCK):
                fout.write(block)
                digest.update(block)
                done += len(block)
                if progress is not None:
                    progress(done, size)
            fout.flush()
            os.fsync(fout.fileno())
        if done != size:
            raise ModelFileError(f"{src} changed while it was being copied; try again")
        validate_model_file(tmp)
        record = {
            "sha256": digest.hexdigest(),
            "source": "imported",
            "imported_from": str(src),
            "imported": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        files.write_sidecar(dest, record, stat_of=tmp)
        os.replace(tmp, dest)
