"""PyInstaller runtime hook: load llama.cpp's backends when llama_cpp is first imported.

The package's llama.cpp is built with GGML_BACKEND_DL and GGML_CPU_ALL_VARIANTS: the CPU
code comes as one library per instruction set (libggml-cpu-x64.so ... -sapphirerapids.so)
and a GPU build adds libggml-cuda.so or libggml-vulkan.so beside them. ggml picks the best
variant this CPU supports, but only when someone calls ggml_backend_load_all_from_path();
llama-cpp-python does not, so this hook does, right after llama_cpp.llama_cpp has loaded
libllama (importing llama_cpp is lazy in the app, so a CLI command that never touches a
model never pays for it). A build without backend modules (macOS/Metal, a plain build) is
left alone. $DEBATE_PREP_GGML_BACKENDS names another folder to load backends from (e.g. a
CUDA build of libggml-cuda.so the user built); ggml itself also honours $GGML_BACKEND_PATH
(one extra backend file).
"""

from __future__ import annotations

import ctypes
import importlib.abc
import importlib.machinery
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

_TARGET = "llama_cpp.llama_cpp"
# ggml_log_callback(enum ggml_log_level, const char *, void *); levels 3 WARN, 4 ERROR.
_LOG_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_log = logging.getLogger("ggml")


def _route_log(level: int, text: bytes | None, _user: ctypes.c_void_p) -> None:
    message = (text or b"").decode("utf-8", "replace").rstrip()
    if message:
        _log.log(logging.WARNING if level in (3, 4) else logging.DEBUG, "%s", message)


# ggml keeps the raw pointer: the ctypes object must live as long as the process.
_ROUTE_LOG = _LOG_CALLBACK(_route_log)


def _names() -> tuple[str, str]:
    """(the ggml library's file name, the glob of backend modules) on this platform."""
    if sys.platform == "win32":
        return "ggml.dll", "ggml-*.dll"
    if sys.platform == "darwin":
        return "libggml.dylib", "libggml-*.so"
    return "libggml.so", "libggml-*.so"


def _backend_modules(folder: Path) -> list[Path]:
    ggml, pattern = _names()
    skip = {ggml, "libggml-base.so", "ggml-base.dll", "libggml-base.dylib"}
    return [p for p in folder.glob(pattern) if p.name not in skip]


def load_backends(lib_dir: Path, ggml: Any = None) -> int:
    """Load every backend ggml finds in lib_dir (and $DEBATE_PREP_GGML_BACKENDS); returns
    how many backends are registered afterwards (0 when this build has no modules).

    `ggml` is a ctypes library whose symbols resolve to the libggml that libllama uses
    (llama_cpp.llama_cpp._lib does: dlsym searches libllama's dependencies). Opening
    lib_dir/libggml.so by path instead could load a second copy (the wheel ships
    libggml.so and libggml.so.0 as two files), whose backend registry libllama never sees.
    """
    folders = [lib_dir]
    extra = os.environ.get("DEBATE_PREP_GGML_BACKENDS")
    if extra:
        folders.append(Path(extra))
    folders = [f for f in folders if f.is_dir() and _backend_modules(f)]
    if not folders:
        return 0
    if ggml is None:
        ggml = ctypes.CDLL(str(lib_dir / _names()[0]))
    ggml.ggml_backend_load_all_from_path.argtypes = [ctypes.c_char_p]
    ggml.ggml_backend_load_all_from_path.restype = None
    ggml.ggml_backend_reg_count.restype = ctypes.c_size_t
    # "loaded CPU backend from ..." is for the log, not for the terminal of a CLI user;
    # llama_cpp and the app install their own loggers right after.
    ggml.ggml_log_set.argtypes = [_LOG_CALLBACK, ctypes.c_void_p]
    ggml.ggml_log_set(_ROUTE_LOG, None)
    for folder in folders:
        ggml.ggml_backend_load_all_from_path(os.fsencode(folder))
    return int(ggml.ggml_backend_reg_count())


class _AfterExec(importlib.abc.Loader):
    """Wraps the frozen importer's loader for one module; runs `then` after it executes."""

    def __init__(self, inner: Any, then: Any) -> None:
        self._inner = inner
        self._then = then

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self._inner.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        # Windows finds ggml.dll by name (one copy); elsewhere go through libllama's handle.
        llama = None if sys.platform == "win32" else getattr(module, "_lib", None)
        self._then(Path(module.__file__ or "").parent / "lib", llama)

    def __getattr__(self, name: str) -> Any:  # get_code, get_resource_reader, ...
        return getattr(self._inner, name)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _TARGET:
            return None
        sys.meta_path.remove(self)  # once is enough
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _AfterExec(spec.loader, load_backends)
        return spec


if getattr(sys, "frozen", False) and _TARGET not in sys.modules:
    sys.meta_path.insert(0, _Finder())
