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
    from app.model_rows import ModelRow


def run_list(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.runtime.gpu import detect_gpu
    from app.model_rows import model_table
    from evidence.units import gb

    table = model_table(data_dir, settings, detect_gpu(), catalog)
    rows = [_row(r) for r in table.rows]
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return ExitCode.OK
    print(f"{'':2}{'MODEL':<28} {'SIZE':>7}  {'QUANT':<7} {'LICENCE':<18} {'FIT':<24} STATUS")
    for r, row in zip(rows, table.rows, strict=True):
        mark = "* " if r["active"] else "  "
        size = gb(r["size_bytes"]) if r["size_bytes"] else "?"
        print(
            f"{mark}{r['name'][:28]:<28} {size:>7}  {r['quantization'][:7]:<7} "
            f"{r['license'][:18]:<18} {r['fit']['verdict'][:24]:<24} {row.shown_status}"
        )
    ram = gb(table.ram_available) if table.ram_available is not None else "unknown"
    print(f"\nthis machine: {table.gpu.summary}; {ram} of RAM available")
    print("details: `debate-prep models fit NAME`; get one: `debate-prep models download NAME`")
    if not settings.web_access:
        print(f"note: web access is off; {WEB_OFF_HINT}")
    return ExitCode.OK


def _row(row: ModelRow) -> dict[str, Any]:
    """One model as `models list --json` gives it."""
    entry, have = row.entry, row.installed
    if row.fit is not None:
        fit = {"verdict": row.fit.verdict.value, "needed_bytes": row.fit.needed_bytes}
    else:
        fit = {"verdict": "unknown"}
    return {
        "name": row.name,
        "title": row.title,
        "kind": ("builtin" if entry.builtin else "catalog") if entry else "imported",
        "size_bytes": row.size_bytes,
        "quantization": row.quantization or "?",
        "license": row.licence or "?",
        "status": row.status,
        "active": row.active,
        "path": str(have.path) if have and (have.usable or entry is None) else None,
        "url": entry.url if entry else None,
        "page_url": entry.page_url if entry else None,
        "sha256": entry.sha256 if entry else None,
        "notes": entry.notes if entry else "",
        "fit": fit,
        "fit_explanation": row.fit.explanation if row.fit else row.fit_problem or row.status,
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
