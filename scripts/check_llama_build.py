"""Check that the installed llama.cpp was built for the portable baseline, and fix it if not.

A wheel from pip's cache may have been built with native flags (AVX-512/AMX), which crash in
decode on some CPUs and do not run on older ones. `--fix` rebuilds it with $CMAKE_ARGS.
"""

from __future__ import annotations

import os
import subprocess
import sys

BAD_FEATURES = ("AVX512 = 1", "AMX_INT8 = 1", "AVX512_VNNI = 1")
SPEC = "llama-cpp-python==0.3.36"


def build_problem() -> str | None:
    """None when llama_cpp imports and reports no host-specific CPU features."""
    code = "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return "llama_cpp does not import: " + out.stderr.strip()[-300:]
    bad = [f for f in BAD_FEATURES if f in out.stdout]
    return f"built with host-specific features {bad}" if bad else None


def main() -> int:
    problem = build_problem()
    if problem is None:
        print("llama.cpp build OK (portable x86-64 baseline)")
        return 0
    print("llama.cpp:", problem)
    if "--fix" not in sys.argv:
        return 1
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps"]
    cmd += ["--no-cache-dir", "--no-binary", "llama-cpp-python", SPEC]
    print("rebuilding with CMAKE_ARGS =", os.environ.get("CMAKE_ARGS", "(unset)"))
    subprocess.run(cmd, check=True)
    problem = build_problem()
    print("llama.cpp after rebuild:", problem or "OK")
    return 0 if problem is None else 1


if __name__ == "__main__":
    raise SystemExit(main())
