"""Check the packaged llama.cpp build: backends load, the right CPU variant wins, it generates.

Run with the installer venv's Python (scripts/build_installer.py does, after preparing the
models). It loads the backends exactly as the frozen app does (rthooks/pyi_rth_ggml_backends),
reports which CPU variant ggml picks on this machine, generates a few tokens with the
generator and embeds a sentence with the embedder. With --variants it also runs each CPU
variant alone in a child process (those this CPU cannot run are reported as skipped), so a
build can be checked for older CPUs on a newer one.

Usage: python installer/check_llama.py MODELS_DIR [--variants]
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROMPT = "The three branches of the United States government are"
# CPU variants the package leaves out (installer/hooks/hook-llama_cpp.py, SKIP): the build
# venv has them, the frozen app does not, so the check must not let ggml pick them. On this
# project's AMX machines the Sapphire Rapids variant dies with SIGILL embedding Q8_0.
LEFT_OUT = ("ggml-cpu-sapphirerapids",)


def shipped_view(folder: Path, into: Path) -> Path:
    """`into` holding links to the libraries of `folder` the package ships."""
    for path in folder.iterdir():
        if path.is_file() and not any(s in path.name for s in LEFT_OUT):
            (into / path.name).symlink_to(path)
    return into


def lib_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        raise SystemExit("llama_cpp is not installed")
    return Path(spec.origin).parent / "lib"


def cpu_variants(folder: Path) -> list[Path]:
    return sorted(folder.glob("libggml-cpu-*.so")) + sorted(folder.glob("ggml-cpu-*.dll"))


def ggml_name() -> str:
    return "ggml.dll" if sys.platform == "win32" else "libggml.so"


def variant_scores(folder: Path) -> dict[str, int]:
    """What ggml_backend_score() of each CPU variant says on this CPU (0: cannot run)."""
    scores = {}
    # The variants have no run path of their own: they find libggml-base among the
    # libraries already loaded (import llama_cpp first), as when ggml loads them.
    for path in cpu_variants(folder):
        lib = ctypes.CDLL(str(path))
        lib.ggml_backend_score.restype = ctypes.c_int
        scores[path.name] = int(lib.ggml_backend_score())
    return scores


def generate(models: Path, n_tokens: int = 16) -> dict[str, Any]:
    import llama_cpp

    manifest = json.loads((models / "bundled.json").read_text(encoding="utf-8"))["models"]
    llm = llama_cpp.Llama(
        str(models / manifest["generator"]["file"]), n_ctx=256, n_threads=2, verbose=False
    )
    started = time.perf_counter()
    out = llm(PROMPT, max_tokens=n_tokens, temperature=0.0, top_k=1)
    seconds = time.perf_counter() - started
    text = out["choices"][0]["text"]  # type: ignore[index]
    used = out["usage"]["completion_tokens"]  # type: ignore[index]
    emb = llama_cpp.Llama(
        str(models / manifest["embedder"]["file"]), embedding=True, n_threads=2, verbose=False
    )
    vector = emb.embed("Sanctions rarely change a regime's behaviour.")
    return {
        "text": text,
        "tokens_per_s": round(used / seconds, 1),
        "embedding_dims": len(vector),
        "system_info": llama_cpp.llama_print_system_info().decode().strip(),
    }


def run_one(models: Path, variant: str) -> int:
    """Child process: only this CPU variant is registered, then generate."""
    folder = lib_dir()
    import llama_cpp

    # Through libllama's handle, as the frozen app does (pyi_rth_ggml_backends).
    ggml = (
        ctypes.CDLL(str(folder / ggml_name()))
        if sys.platform == "win32"
        else llama_cpp.llama_cpp._lib
    )
    ggml.ggml_backend_load.restype = ctypes.c_void_p
    ggml.ggml_backend_load.argtypes = [ctypes.c_char_p]
    if not ggml.ggml_backend_load(os.fsencode(folder / variant)):
        print(json.dumps({"variant": variant, "error": "ggml_backend_load failed"}))
        return 1
    print(json.dumps({"variant": variant, **generate(models)}))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--only"]:
        return run_one(Path(argv[2]), argv[1])
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    models = Path(argv[0])
    folder = lib_dir()
    sys.path.insert(0, str(HERE / "rthooks"))
    import llama_cpp
    from pyi_rth_ggml_backends import load_backends

    # As in the frozen app: libllama is loaded first, then the backends through its handle,
    # from a folder holding what the package ships (ggml picks the best variant there).
    llama = None if sys.platform == "win32" else llama_cpp.llama_cpp._lib
    # (Links need no privileges outside Windows; there ggml.dll is found by name, one copy.)
    view = (
        folder
        if sys.platform == "win32"
        else shipped_view(folder, Path(tempfile.mkdtemp(prefix="ggml-shipped-")))
    )
    registered = load_backends(view, llama)
    scores = variant_scores(view)  # none in a plain or Metal build
    best = max(scores, key=lambda k: scores[k]) if scores else None
    result: dict[str, Any] = {
        "lib_dir": str(folder),
        "variants": scores,
        "picked": best,
        "backends_registered": registered,
        **generate(models),
    }
    if "--variants" in argv:
        runs = {}
        for name, score in scores.items():
            if score == 0:
                runs[name] = "skipped: this CPU lacks its instructions"
                continue
            child = subprocess.run(
                [sys.executable, __file__, "--only", name, str(models)],
                capture_output=True,
                text=True,
                check=False,
            )
            lines = child.stdout.strip().splitlines()
            if child.returncode != 0 or not lines:
                runs[name] = f"FAILED rc={child.returncode}: {child.stderr.strip()[-300:]}"
            else:
                one = json.loads(lines[-1])
                same = "same text" if one["text"] == result["text"] else "different text"
                runs[name] = f"ok {one['tokens_per_s']} tok/s, {same}: {one['text']!r}"
        result["variant_runs"] = runs
    print(json.dumps(result, indent=1))
    if (scores and registered < 1) or not result["text"].strip() or result["embedding_dims"] != 384:
        return 1
    failed = [k for k, v in result.get("variant_runs", {}).items() if v.startswith("FAILED")]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
