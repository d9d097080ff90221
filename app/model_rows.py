"""The rows of the model manager: every catalog model and every installed file, with its
state on this computer and a fit estimate. Built in a job (it reads GGUF headers and asks the
GPU for free memory), shown by desktop.models.models_table and `debate-prep models list`."""

from __future__ import annotations

from dataclasses import dataclass

from agents.models import (
    Catalog,
    CatalogEntry,
    FitEstimate,
    InstalledModel,
    available_ram_bytes,
    fit_for_settings,
    installed_models,
    load_catalog,
)
from agents.runtime.gpu import GpuInfo, detect_gpu
from evidence.datadir import DataDir
from evidence.settings import Settings
from evidence.units import gb


def size_text(n: int) -> str:
    """Sizes as the model pages write them: "1.12 GB", "312 MB", "115 kB"."""
    if n >= 1e9:
        return f"{n / 1e9:.2f} GB"
    if n >= 1e6:
        return f"{n / 1e6:,.0f} MB"
    return f"{n / 1e3:,.0f} kB"


@dataclass(frozen=True)
class ModelRow:
    name: str  # what `debate-prep models use` takes
    title: str
    size_bytes: int
    quantization: str
    licence: str
    status: str  # "ready", "not downloaded", "paused at 40% (resumes)", ... (see shown_status)
    fit: FitEstimate | None  # None: fit_problem says why
    entry: CatalogEntry | None  # None for a file the user imported
    installed: InstalledModel | None  # None until downloaded
    note: str  # what it is good for, licence caveats, checksum provenance
    fit_problem: str = ""  # why there is no fit estimate (an unreadable header, say)

    @property
    def shown_status(self) -> str:
        """The status as both faces show it: "active, ready", "not downloaded", ..."""
        return f"active, {self.status}" if self.active else self.status

    @property
    def usable(self) -> bool:
        return self.installed is not None and self.installed.usable

    @property
    def active(self) -> bool:
        return self.installed is not None and self.installed.active

    @property
    def downloadable(self) -> bool:
        return self.entry is not None and not self.entry.builtin and not self.usable


@dataclass(frozen=True)
class ModelTable:
    rows: list[ModelRow]
    machine: str  # "GPU: … · RAM available: 12.3 GB"
    gpu: GpuInfo
    ram_available: int | None


def model_table(
    data_dir: DataDir,
    settings: Settings,
    gpu: GpuInfo | None = None,
    catalog: Catalog | None = None,
) -> ModelTable:
    """Every catalog model (with its file or download, when there is one), then every other
    installed file. catalog: the bundled one unless given (`models --catalog FILE`)."""
    catalog = catalog if catalog is not None else load_catalog()
    gpu = gpu if gpu is not None else detect_gpu()
    ram = available_ram_bytes()
    listed = installed_models(data_dir.models, catalog=catalog, settings=settings)
    rows: list[ModelRow] = []
    seen: set[str] = set()
    for entry in catalog.entries:
        # A finished file wins over a partial one of the same model.
        mine = sorted((m for m in listed if m.entry == entry), key=lambda m: m.kind == "partial")
        have = mine[0] if mine else None
        seen.update(str(m.path) for m in mine)
        rows.append(_row(entry.name, entry.title, entry, have, settings, gpu, ram, data_dir))
    for model in listed:
        if str(model.path) in seen:
            continue
        rows.append(_row(model.name, model.title, None, model, settings, gpu, ram, data_dir))
    where = gpu.summary if gpu.devices else "no GPU: models run on the CPU"
    machine = f"{where} · RAM available: {gb(ram) if ram else 'unknown'}"
    return ModelTable(rows, machine, gpu, ram)


def _row(
    name: str,
    title: str,
    entry: CatalogEntry | None,
    have: InstalledModel | None,
    settings: Settings,
    gpu: GpuInfo,
    ram: int | None,
    data_dir: DataDir,
) -> ModelRow:
    on_disk = have is not None and have.usable and have.path.is_file()
    target = have.path if on_disk and have is not None else entry  # the header beats figures
    fit, fit_problem = None, ""
    if target is not None:
        try:
            fit = fit_for_settings(target, settings, data_dir.models, gpu=gpu, ram_available=ram)
        except Exception as exc:  # an unreadable header must not hide the other rows
            fit_problem = str(exc)
    if have is None:
        status = "not downloaded"
    elif have.kind == "partial":
        done = gb(have.size_bytes) if have.progress is None else f"{have.progress:.0%}"
        status = f"paused at {done} (resumes)"  # the total is unknown when no size was given
    else:
        status = have.status
    size = entry.size_bytes or entry.approx_size_bytes if entry else 0
    notes = [entry.notes if entry else "", have.note if have else ""]
    if entry and not entry.builtin:
        notes.append(
            "Checksum: SHA-256 from the catalog"
            if entry.sha256
            else "Checksum: recorded at the first complete download"
        )
    notes = [n.strip().rstrip(".") for n in notes if n.strip()]
    return ModelRow(
        name=name,
        title=title,
        size_bytes=(have.size_bytes if have and have.kind != "partial" else size) or size,
        quantization=entry.quantization if entry else "",
        licence=entry.license if entry else "",
        status=status,
        fit=fit,
        entry=entry,
        installed=have,
        note=". ".join(notes) + ("." if notes else ""),
        fit_problem=fit_problem,
    )
