"""One log file per data directory, rotated; the terminal only hears warnings with -v."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def setup_logging(log_file: Path, verbose: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_debate_prep", False):
            root.removeHandler(handler)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=5 * 2**20, backupCount=3, encoding="utf-8"
    )
    to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [to_file]
    if verbose:
        to_err = logging.StreamHandler()
        to_err.setLevel(logging.DEBUG)
        to_err.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(to_err)
    for handler in handlers:
        handler._debate_prep = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    # Chroma and httpx are chatty at INFO; their warnings still reach the file.
    for noisy in ("chromadb", "httpx", "httpcore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
