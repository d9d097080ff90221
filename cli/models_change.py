"""`debate-prep models download | import | use`: get a model (resumable, Ctrl+C keeps what
arrived), copy in a GGUF file, and make a model the one the agents use."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from cli.models_terminal import EXIT_CANCELLED, EXIT_OK, ProgressLine, ctrl_c
from evidence.datadir import DataDir
from evidence.errors import EvidenceError
from evidence.settings import Settings

if TYPE_CHECKING:  # the model manager loads llama.cpp: import it only when a command runs
    from agents.models import Catalog

log = logging.getLogger(__name__)


def run_download(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.models import DownloadCancelled, download_model, estimate_fit, use_model
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
    line = ProgressLine(entry.name)
    with ctrl_c() as stop:
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


def run_import(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.models import import_model, use_model
    from agents.runtime.gpu import gb

    line = ProgressLine(f"import {args.file.name}")

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


def run_use(
    data_dir: DataDir, settings: Settings, catalog: Catalog, args: argparse.Namespace
) -> int:
    from agents.models import active_model, use_model

    new = use_model(args.model, data_dir, catalog=catalog)
    model = active_model(new, data_dir.models, catalog=catalog)
    print(f"now using {model.name} ({model.path})")
    print("the agents load it the next time they write; no restart needed")
    return EXIT_OK
