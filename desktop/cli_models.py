"""`debate-prep models list | download NAME | import FILE | use NAME|FILE | fit NAME|FILE`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from evidence.datadir import DataDir
from evidence.errors import EvidenceError, NetworkDisabled
from evidence.settings import Settings, load_settings

if TYPE_CHECKING:  # the model manager loads llama.cpp: import it only when a command runs
    from agents.model_manager import Catalog, CatalogEntry, DownloadProgress

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERROR, EXIT_CANCELLED = 0, 1, 130
WEB_OFF_HINT = (
    "downloads need web access: turn it on with `debate-prep settings web_access=on` "
    "(or the web switch in the window)"
)


def add_model_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models = sub.add_parser("models", help="models: list, download, import, use, fit")
    models.add_argument(
        "--catalog", type=Path, help="read this catalog file instead of the bundled one"
    )
    msub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    msub.add_parser("list", help="catalog and installed models, with sizes and fit")
    download = msub.add_parser("download", help="download a catalog model (resumable)")
    download.add_argument("name", help="catalog name (a unique prefix is enough)")
    imp = msub.add_parser("import", help="copy a GGUF model file you have into the library")
    imp.add_argument("file", type=Path)
    for parser in (download, imp):
        parser.add_argument("--use", action="store_true", help="then make it the active model")
    use = msub.add_parser("use", help="make a model the one the agents use (no restart)")
    use.add_argument("model", metavar="NAME|FILE", help="installed model, 'builtin' or a file")
    fit = msub.add_parser("fit", help="will this model fit this machine's GPU and memory?")
    fit.add_argument("model", metavar="NAME|FILE")
    fit.add_argument("--context", type=int, help="context size (default: the settings')")


def run_models(data_dir: DataDir, args: argparse.Namespace) -> int:
    from agents.model_manager import load_catalog

    settings = load_settings(data_dir.settings)
    handler = {
        "list": _list,
        "download": _download,
        "import": _import,
        "use": _use,
        "fit": _fit,
    }[args.models_command]
    try:
        catalog = load_catalog(args.catalog)
        return handler(data_dir, settings, catalog, args)
    except NetworkDisabled as exc:
        log.warning("%s", exc)
        print(f"error: {exc}\n{WEB_OFF_HINT}", file=sys.stderr)
    except EvidenceError as exc:  # catalog, model file, web: each says what went wrong
        log.error("models %s: %s", args.models_command, exc)
        print(f"error: {exc}", file=sys.stderr)
    return EXIT_ERROR


def _list(data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace) -> int:
    from agents.gpu import detect_gpu, gb
    from agents.model_manager import available_ram_bytes, estimate_fit, installed_models

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
            est = estimate_fit(
                target,
                context_size=settings.context_size,
                gpu=gpu,
                ram_available=ram,
                gpu_layers=settings.gpu_layers,
                models_dir=data_dir.models,
            )
            row["fit"] = {"verdict": est.verdict.value, "needed_bytes": est.needed_bytes}
            row["fit_explanation"] = est.explanation
        except EvidenceError as exc:
            row["fit"], row["fit_explanation"] = {"verdict": "unknown"}, str(exc)
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
        return EXIT_OK
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
    return EXIT_OK


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


def _download(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.model_manager import DownloadCancelled, download_model, estimate_fit, use_model
    from evidence.network import NetworkPolicy

    entry = catalog.find(args.name)
    if entry.builtin:
        print(f"{entry.title} comes with the app: nothing to download")
        return EXIT_OK
    policy = NetworkPolicy.from_settings(settings)
    policy.check(f"downloading {entry.title}")  # says so before anything else when off
    try:
        est = estimate_fit(
            entry, context_size=settings.context_size, gpu_layers=settings.gpu_layers
        )
        print(f"fit: {est.explanation}", file=sys.stderr)
        if not est.runs:
            print("warning: this model will probably not load on this machine", file=sys.stderr)
    except EvidenceError as exc:
        log.info("no fit estimate for %s: %s", entry.name, exc)
    line = _ProgressLine(entry.name)
    with _ctrl_c() as stop:
        try:
            path = download_model(
                entry,
                data_dir.models,
                policy,
                progress=line.update,
                cancel=stop.is_set,
                timeout_s=settings.web_timeout_s,
            )
        except DownloadCancelled as exc:
            line.finish()
            print(f"cancelled: {exc}", file=sys.stderr)
            return EXIT_CANCELLED
        except KeyboardInterrupt:  # a second Ctrl+C: stop at once; what was written is kept
            line.finish()
            print("aborted: run the same command again to resume", file=sys.stderr)
            return EXIT_CANCELLED
        finally:
            line.finish()
    print(f"downloaded and verified: {path}")
    if args.use:
        use_model(entry.name, data_dir, catalog=catalog)
        print(f"now using {entry.name}")
    else:
        print(f"use it with: debate-prep models use {entry.name}")
    return EXIT_OK


def _import(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.gpu import gb
    from agents.model_manager import import_model, use_model

    line = _ProgressLine(f"import {args.file.name}")

    def copied(done: int, total: int) -> None:
        line.update_bytes("copying", done, total)

    try:
        model = import_model(args.file, data_dir.models, catalog=catalog, progress=copied)
    finally:
        line.finish()
    print(f"imported {model.name}: {model.path} ({gb(model.size_bytes)})")
    if model.note:
        print(f"note: {model.note}", file=sys.stderr)
    if args.use:
        use_model(str(model.path), data_dir, catalog=catalog)
        print(f"now using {model.name}")
    else:
        print(f"use it with: debate-prep models use {model.name}")
    return EXIT_OK


def _use(data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace) -> int:
    from agents.model_manager import active_model, use_model

    new = use_model(args.model, data_dir, catalog=catalog)
    model = active_model(new, data_dir.models, catalog=catalog)
    print(f"now using {model.name} ({model.path})")
    print("the agents load it the next time they write; no restart needed")
    return EXIT_OK


def _fit(data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace) -> int:
    from agents.gpu import detect_gpu, gb
    from agents.model_manager import estimate_fit

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
        return EXIT_OK
    print(f"{target.name}: {est.verdict.value}")
    print(f"  needs about {gb(est.needed_bytes)} for a {est.context:,}-token context ({est.basis})")
    print(f"  GPU: {gpu.summary}")
    ram = "unknown" if est.ram_available_bytes is None else gb(est.ram_available_bytes)
    print(f"  RAM available: {ram}")
    print(f"  {est.explanation}")
    return EXIT_OK


def _fit_target(name: str, data_dir: DataDir, catalog: Catalog) -> Path | CatalogEntry:
    from agents.model_manager import find_installed

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


class _ProgressLine:
    """One status line on stderr: redrawn in place on a terminal, every 10% on a pipe."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last, self._tenth, self._shown = 0.0, -1, False

    def update(self, p: DownloadProgress) -> None:
        if p.phase == "done":
            return
        from agents.gpu import gb

        if p.phase == "checking":
            self.update_bytes("checking the part kept from last time", p.done, p.total)
            return
        pct = f"{p.fraction:6.1%}" if p.fraction is not None else "   ?  "
        size = f"{p.done / 1e6:,.0f}/{p.total / 1e6:,.0f} MB" if p.total else gb(p.done)
        left = _clock(p.seconds_left) + " left" if p.seconds_left is not None else ""
        self._show(
            f"{self.label}  {pct}  {size}  {p.bytes_per_s / 1e6:.1f} MB/s  {left}",
            p.fraction,
        )

    def update_bytes(self, what: str, done: int, total: int | None) -> None:
        frac = done / total if total else None
        pct = f"{frac:.0%}" if frac is not None else f"{done / 1e6:,.0f} MB"
        self._show(f"{self.label}: {what} {pct}", frac)

    def _show(self, text: str, frac: float | None) -> None:
        now = time.monotonic()
        tenth = int(10 * frac) if frac is not None else -1
        if self.tty:
            if now - self._last < 0.2 and frac != 1.0:
                return
            self.stream.write("\r\x1b[2K" + text[:120])
            self._shown = True
        else:
            if tenth == self._tenth and now - self._last < 10.0:
                return
            self._tenth = tenth
            self.stream.write(text + "\n")
        self._last = now
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


@contextmanager
def _ctrl_c() -> Iterator[threading.Event]:
    """Ctrl+C sets the event (the download stops between chunks, keeping what it has); a
    second Ctrl+C aborts at once. The previous handler comes back afterwards."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(_sig: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print("\nstopping… (the download can resume later; Ctrl+C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
