"""`debate-prep models list | download NAME | import FILE | use NAME|FILE | fit NAME|FILE`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from cli.exit_codes import ExitCode
from cli.models_change import run_download, run_import, run_use
from cli.models_report import run_fit, run_list
from cli.models_terminal import WEB_OFF_HINT
from evidence.datadir import DataDir
from evidence.errors import EvidenceError, NetworkDisabled
from evidence.settings import load_settings

log = logging.getLogger(__name__)


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
    from agents.models import load_catalog

    settings = load_settings(data_dir.settings)
    handler = {
        "list": run_list,
        "download": run_download,
        "import": run_import,
        "use": run_use,
        "fit": run_fit,
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
    return ExitCode.ERROR
