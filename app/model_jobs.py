"""The model manager's long work as plain job functions: list, download, import, use.
The core reports progress through `report` and checks `cancelled`; the window runs them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agents.models import (
    CatalogEntry,
    DownloadCancelled,
    InstalledModel,
    download_model,
    generator_setting,
    import_model,
)
from agents.runtime.gpu import GpuInfo
from app.context import AppContext
from app.jobs import JobFn, Report
from app.model_rows import ModelTable, model_table
from evidence.cancel import CancelCheck
from evidence.network import NetworkPolicy


@dataclass(frozen=True)
class ImportProgress:
    done: int
    total: int


@dataclass(frozen=True)
class Outcome:
    """How a download or import ended when it did not fail."""

    name: str
    path: Path | None  # None when cancelled
    cancelled: bool = False
    kept_bytes: int = 0  # what a cancelled download keeps for its resume


@dataclass(frozen=True)
class Chosen:
    """A model checked complete and verified, ready to become the generator."""

    title: str
    generator_model: str  # the setting's value ("" = the bundled model)


def list_job(ctx: AppContext, gpu: GpuInfo | None) -> JobFn:
    def run(report: Report, cancelled: CancelCheck) -> ModelTable:
        return model_table(ctx.data_dir, ctx.settings, gpu)

    return run


def download_job(ctx: AppContext, entry: CatalogEntry) -> JobFn:
    def run(report: Report, cancelled: CancelCheck) -> Outcome:
        policy = NetworkPolicy.from_settings(ctx.settings)  # the switch stops it mid-way
        try:
            path = download_model(
                entry,
                ctx.data_dir.models,
                policy,
                progress=report,
                cancel=lambda: cancelled() or not policy.enabled,
                timeout_s=float(ctx.settings.web_timeout_s),
            )
        except DownloadCancelled as exc:
            return Outcome(entry.name, None, cancelled=True, kept_bytes=exc.kept_bytes)
        return Outcome(entry.name, path)

    return run


def import_job(ctx: AppContext, file: Path) -> JobFn:
    def run(report: Report, cancelled: CancelCheck) -> Outcome:
        model: InstalledModel = import_model(
            file, ctx.data_dir.models, progress=lambda d, t: report(ImportProgress(d, t))
        )
        return Outcome(model.name, model.path)

    return run


def choose_job(ctx: AppContext, name: str, title: str) -> JobFn:
    """Check a model before it is used: verifying may hash gigabytes, never on the GUI thread."""

    def run(report: Report, cancelled: CancelCheck) -> Chosen:
        return Chosen(title, generator_setting(name, ctx.data_dir.models))

    return run
