"""What the learned cutters' weight files share: reading, the format check, the IDF table
and the thresholds (agents/cutter/learned.py and learned_tokens.py; written by
bench/train_cutter.py and bench/train_token_cutter.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

# What a damaged, truncated or foreign file raises while it is read and checked.
LOAD_ERRORS = (OSError, KeyError, ValueError, IndexError, zipfile.BadZipFile, EOFError)


def read_weights(path: Path, expected_format: int) -> dict[str, np.ndarray]:
    """Every array of the file; ValueError when it was written in another format."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    found = int(arrays["format"].reshape(-1)[0])
    if found != expected_format:
        raise ValueError(f"format {found}, expected {expected_format}")
    return arrays


def idf_from(arrays: dict[str, np.ndarray]) -> tuple[dict[str, float], float]:
    keys = [str(k) for k in arrays["idf_keys"]]
    values = [float(v) for v in arrays["idf_values"]]
    return dict(zip(keys, values, strict=True)), float(arrays["idf_default"].reshape(-1)[0])


def idf_arrays(idf: dict[str, float], idf_default: float) -> dict[str, np.ndarray]:
    keys = sorted(idf)
    return {
        "idf_keys": np.array(keys),
        "idf_values": np.array([idf[k] for k in keys], dtype=np.float32),
        "idf_default": np.array([idf_default], dtype=np.float32),
    }


def thresholds_from(arrays: dict[str, np.ndarray]) -> tuple[float, float]:
    """(underline, highlight)."""
    values = [float(t) for t in arrays["thresholds"].reshape(-1)]
    return values[0], values[1]
