"""What the embedding benches share (bench/retrieval_eval.py, bench/embed_speed.py): the
MiniLM file per quantization, prepared once per run; token counts as the embedder sees them
(cut at its context); the machine's load; the JSON printed and optionally written."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from agents.models.bundled import default_embedder_path
from agents.runtime.embedder import LlamaEmbedder


def model_files(models_dir: Path, quantizations: Iterable[str]) -> dict[str, Path]:
    """The MiniLM GGUF for each quantization (f16, q8_0), converted into `models_dir`."""
    return {q: default_embedder_path(models_dir, q) for q in sorted(set(quantizations))}


def tokens_of(embedder: LlamaEmbedder, texts: Sequence[str]) -> int:
    """The tokens the embedder reads of `texts` (each cut at its context, as it embeds)."""
    return sum(min(embedder.count_tokens(t), embedder.max_tokens) for t in texts)


def load_avg() -> list[float]:
    """The 1, 5 and 15 minute load averages: on a shared machine, how busy it was."""
    return [round(x, 2) for x in os.getloadavg()]


def emit(result: dict[str, Any], out: Path | None) -> None:
    """Print the result as JSON, and write it to `out` as well when given."""
    text = json.dumps(result, indent=1)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
