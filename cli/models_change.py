"""`debate-prep models download | import | use`: get a model (resumable, Ctrl+C keeps what
arrived), copy in a GGUF file, and make a model the one the agents use."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from cli.exit_codes import ExitCode
from cli.interrupt import ctrl_c
from cli.models_terminal import show_bytes, show_download
from cli.terminal import ProgressBar
from evidence.datadir import DataDir
from evidence.errors import EvidenceError
from evidence.settings import Settings
from evidence.units import gb

if TYPE_CHECKING:  # the model manager loads llama.cpp: import it only when a command runs
    from agents.models import Catalog

log = logging.getLogger(__name__)


def run_download(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.models import DownloadCancelled, download_model, estimate_fit
    from evidence.network import NetworkPolicy

    entry = catalog.find(args.name)
    if entry.builtin:
        print(f"{entry.title} comes with the app: nothing to download")
        return ExitCode.OK
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
    line = ProgressBar(entry.name)
    with ctrl_c("the download (it can resume later)") as stop:
        try:
            path = download_model(
                entry,
                data_dir.models,
                policy,
                progress=lambda p: show_download(line, p),
                cancel=stop,
                timeout_s=settings.web_timeout_s,
            )
        except DownloadCancelled as exc:
            line.finish()
            print(f"cancelled: {exc}", file=sys.stderr)
            return ExitCode.CANCELLED
        except KeyboardInterrupt:  # a second Ctrl+C: stop at once; what was written is kept
            line.finish()
            print("aborted: run the same command again to resume", file=sys.stderr)
            return ExitCode.CANCELLED
        finally:
            line.finish()
    print(f"downloaded and verified: {path}")
    return _use_if_asked(args.use, entry.name, entry.name, data_dir, catalog)


def run_import(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.models import import_model

    line = ProgressBar(f"import {args.file.name}")

    def copied(done: int, total: int) -> None:
        show_bytes(line, "copying", done, total)

    try:
        model = import_model(args.file, data_dir.models, catalog=catalog, progress=copied)
    finally:
        line.finish()
    print(f"imported {model.name}: {model.path} ({gb(model.size_bytes)})")
    if model.note:
        print(f"note: {model.note}", file=sys.stderr)
    return _use_if_asked(args.use, str(model.path), model.name, data_dir, catalog)


def _use_if_asked(
    use: bool, choice: str, name: str, data_dir: DataDir, catalog: Catalog
) -> ExitCode:
    """After a download or import: `--use` makes it the active model, else say how to."""
    from agents.models import use_model

    if use:
        use_model(choice, data_dir, catalog=catalog)
        print(f"now using {name}")
    else:
        print(f"use it with: debate-prep models use {name}")
    return ExitCode.OK


def run_use(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.models import active_model, use_model

    new = use_model(args.model, data_dir, catalog=catalog)
    model = active_model(new, data_dir.models, catalog=catalog)
    print(f"now using {model.name} ({model.path})")
    print("the agents load it the next time they write; no restart needed")
    return ExitCode.OK
