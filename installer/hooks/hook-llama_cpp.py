"""llama-cpp-python loads libllama and libggml with ctypes from llama_cpp/lib, and ggml
loads its backends (one CPU library per instruction set, GPU backends) from the same folder
at run time: collect them all there. Only the unversioned names are listed; the versioned
sonames they link to (libggml.so.0, ...) follow as their dependencies."""

import sys
from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

_, _pkg_dir = get_package_paths("llama_cpp")
_lib = Path(_pkg_dir) / "lib"
if sys.platform == "win32":
    _patterns = ["*.dll"]
elif sys.platform == "darwin":
    _patterns = ["*.dylib", "*.so", "*.metal"]
else:
    _patterns = ["*.so"]
# Left out: the AMX variant (Sapphire Rapids and later Xeons). llama.cpp's AMX code has crash
# reports, and a native build crashed in decode on this project's AMX machines
# (shared/RESEARCH.md); those CPUs get the best AVX-512 variant instead (zen4: AVX-512 with
# VBMI, VNNI and BF16), which ran here. installer/check_llama.py --variants tests the rest.
SKIP = ("ggml-cpu-sapphirerapids",)
binaries = [
    (str(p), "llama_cpp/lib")
    for pattern in _patterns
    for p in sorted(_lib.glob(pattern))
    if not any(s in p.name for s in SKIP)
]
# The OpenAI-compatible server (FastAPI, uvicorn) is not part of the app.
excludedimports = ["llama_cpp.server"]
