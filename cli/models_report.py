"""`debate-prep models list` and `models fit`: the catalog and installed models with their
sizes, and whether each fits this machine's GPU and memory."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.exit_codes import ExitCode
from cli.models_terminal import WEB_OFF_HINT
from evidence.datadir import DataDir
from evidence.errors import EvidenceError
from evidence.settings import Settings

if TYPE_CHECKING:  # the model manager loads llama.cpp: import it only when a command runs
    from agents.models import Catalog, CatalogEntry


def run_list(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.models import available_ram_bytes, fit_for_settings, installed_models
    from agents.runtime.gpu import detect_gpu
    from evidence.units import gb

    gpu, ram = detect_gpu(), available_ram_bytes()
    installed = installed_models(data_dir.models, catalog=catalog, settings=settings)
    rows: list[dict[str, Any]] = []
    for entry in catalog:
        mine = [m for m in installed if m.entry == entry]
        usable = next((m for m in mine if m.usable), None)
        partial = next((m for m in mine if m.kind == "partial"), None)
        status = usable.status if usable else partial.status if partial else "not downloaded"
        active = bool(usable and usable.active)
        rows.append(_row(entry.name, entry, status, active, usable.path if usable else None))
    for m in installed:
        if m.entry is None:
            rows.append(_row(m.name, None, m.status, m.active, m.path, m.size_bytes))
    for row in rows:
        target: Path | CatalogEntry | None = row.pop("_target")
        if target is None:  # an external file that is gone
            row["fit"], row["fit_explanation"] = {"verdict": "unknown"}, row["status"]
            continue
        try:
            est = fit_for_settings(target, settings, data_dir.models, gpu=gpu, ram_available=ram)
            row["fit"] = {"verdict": est.verdict.value, "needed_bytes": est.needed_bytes}
            row["fit_explanation"] = est.explanation
        except EvidenceError as exc:
            row["fit"], row["fit_explanation"] = {"verdict": "unknown"}, str(exc)
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return ExitCode.OK
    print(f"{'':2}{'MODEL':<28} {'SIZE':>7}  {'QUANT':<7} {'LICENCE':<18} {'FIT':<24} STATUS")
    for r in rows:
        mark = "* " if r["active"] else "  "
        size = gb(r["size_bytes"]) if r["size_bytes"] else "?"
        status = ("active, " if r["active"] else "") + r["status"]
        print(
            f"{mark}{r['name'][:28]:<28} {size:>7}  {r['quantization'][:7]:<7} "
            f"{r['license'][:18]:<18} {r['fit']['verdict'][:24]:<24} {status}"
        )
    ram_text = gb(ram) if ram is not None else "unknown"
    print(f"\nthis machine: {gpu.summary}; {ram_text} of RAM available")
    print("details: `debate-prep models fit NAME`; get one: `debate-prep models download NAME`")
    if not settings.web_access:
        print(f"note: web access is off; {WEB_OFF_HINT}")
    return ExitCode.OK


def _row(
    name: str,
    entry: CatalogEntry | None,
    status: str,
    active: bool,
    path: Path | None,
    size: int | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "title": entry.title if entry else name,
        "kind": ("builtin" if entry.builtin else "catalog") if entry else "imported",
        "size_bytes": entry.size_bytes or entry.approx_size_bytes if entry else size,
        "quantization": entry.quantization if entry else "?",
        "license": entry.license if entry else "?",
        "status": status,
        "active": active,
        "path": str(path) if path else None,
        "url": entry.url if entry else None,
        "page_url": entry.page_url if entry else None,
        "sha256": entry.sha256 if entry else None,
        "notes": entry.notes if entry else "",
        "_target": path if path is not None and path.is_file() else entry,
    }


def run_fit(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.models import estimate_fit
    from agents.runtime.gpu import detect_gpu
    from evidence.units import gb

    target = _fit_target(args.model, data_dir, catalog)
    gpu = detect_gpu()
    est = estimate_fit(
        target,
        context_size=args.context or settings.context_size,
        gpu=gpu,
        gpu_layers=settings.gpu_layers,
        models_dir=data_dir.models,
    )
    if args.json:
        print(json.dumps({**asdict(est), "verdict": est.verdict.value}, indent=1))
        return ExitCode.OK
    print(f"{target.name}: {est.verdict.value}")
    print(f"  needs about {gb(est.needed_bytes)} for a {est.context:,}-token context ({est.basis})")
    print(f"  GPU: {gpu.summary}")
    ram = "unknown" if est.ram_available_bytes is None else gb(est.ram_available_bytes)
    print(f"  RAM available: {ram}")
    print(f"  {est.explanation}")
    return ExitCode.OK


def _fit_target(name: str, data_dir: DataDir, catalog: Catalog) -> Path | CatalogEntry:
    from agents.models import find_installed

    as_path = Path(name).expanduser()
    if as_path.is_file():
        return as_path  # judged where it is: fit never copies a file
    try:
        model = find_installed(name, data_dir.models, catalog)
    except EvidenceError:  # not downloaded yet: judge by the catalog's figures
        return catalog.find(name)
    if model.path.is_file():
        return model.path
    if model.entry is not None:
        return model.entry
    raise EvidenceError(f"{model.name} is not prepared yet; its size is unknown")
