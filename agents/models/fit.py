"""Will this model run on this machine, and where? A verdict before anything is loaded
(loading first would already need the memory), like Jan's model hub shows.

The decision for a file on disk is the loader's own (agents.runtime.llama_runtime: the context is
capped at the model's training context, layers are chosen by gpu.choose_gpu_layers), so the
verdict says what loading will actually do. A catalog model not downloaded yet is judged by
the catalog's RAM and VRAM figures.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from agents.models.catalog import CatalogEntry
from agents.runtime.gguf_info import read_gguf_info
from agents.runtime.gpu import HEADROOM, NO_GPU_BUILD, GpuInfo, choose_gpu_layers, detect_gpu
from evidence.settings import Settings
from evidence.units import gb

# Leave a tenth of available RAM for the app itself, the OS and the library's search.
RAM_HEADROOM = 0.9
# A catalog entry states no layer count; below this share a GPU helps too little to use.
_MIN_SHARE = 0.1


class Verdict(StrEnum):
    GPU = "fits in GPU memory"
    PARTIAL = "spills to system memory"
    CPU = "runs on the CPU"
    TOO_BIG = "too big for this machine"


@dataclass(frozen=True)
class FitEstimate:
    verdict: Verdict
    needed_bytes: int  # weights + KV cache for the context + buffers
    gpu_free_bytes: int | None  # None: no usable GPU, or its free memory is unknown
    ram_available_bytes: int | None  # None: could not be read
    gpu_share: float  # fraction of the model placed on the GPU (0 = all on the CPU)
    context: int  # the context size the estimate is for
    basis: str  # "GGUF header" or "catalog figures"
    explanation: str  # one line for the user

    @property
    def runs(self) -> bool:
        return self.verdict is not Verdict.TOO_BIG


def estimate_fit(
    model: Path | str | CatalogEntry,
    *,
    context_size: int,
    gpu: GpuInfo | None = None,
    ram_available: int | None = None,
    gpu_layers: int = -1,
    models_dir: Path | None = None,
) -> FitEstimate:
    """A verdict for a GGUF file, or a catalog entry (read from its file when it is
    installed in models_dir). gpu and ram_available default to this machine's figures;
    gpu_layers is the setting (-1 = decide, 0 = CPU only). Raises ModelFileError for a
    file that is not a readable GGUF."""
    gpu = detect_gpu() if gpu is None else gpu
    ram = available_ram_bytes() if ram_available is None else ram_available
    path: Path | None = None
    if isinstance(model, CatalogEntry):
        local = Path(models_dir) / model.file if models_dir else None
        if local is not None and local.is_file():
            path = local
    else:
        path = Path(model)
    free = gpu.free_bytes if gpu.offload_supported else None

    if path is not None:
        info = read_gguf_info(path)  # ModelFileError unless a complete GGUF
        n_ctx = min(context_size, info.n_ctx_train) if info.n_ctx_train else context_size
        need_gpu = need_ram = info.memory_bytes(n_ctx)
        layers, note = choose_gpu_layers(
            need_gpu, info.n_layers, free, gpu_layers, offload_supported=gpu.offload_supported
        )
        total = info.n_layers + 1 if info.n_layers > 0 else -1
        share = 1.0 if layers == total or layers < 0 else (layers / total if total > 0 else 0.0)
        basis = "GGUF header"
    else:
        assert isinstance(model, CatalogEntry)
        n_ctx = min(context_size, model.context)
        need_gpu, need_ram = int(model.vram_gb * 1e9), int(model.ram_gb * 1e9)
        share, note = _catalog_share(need_gpu, free, gpu, gpu_layers)
        basis = "catalog figures"
    return _verdict(need_gpu, need_ram, share, free, ram, n_ctx, basis, note, gpu)


def fit_for_settings(
    model: Path | str | CatalogEntry,
    settings: Settings,
    models_dir: Path,
    *,
    gpu: GpuInfo | None = None,
    ram_available: int | None = None,
) -> FitEstimate:
    """estimate_fit with the context size and GPU layers the settings will load it with."""
    return estimate_fit(
        model,
        context_size=settings.context_size,
        gpu=gpu,
        ram_available=ram_available,
        gpu_layers=settings.gpu_layers,
        models_dir=models_dir,
    )


def _catalog_share(need: int, free: int | None, gpu: GpuInfo, gpu_layers: int) -> tuple[float, str]:
    if not gpu.offload_supported:
        return 0.0, NO_GPU_BUILD
    if gpu_layers == 0:
        return 0.0, "CPU only: gpu_layers is 0 in the settings"
    if free is None:
        return 0.0, ""
    share = min(1.0, HEADROOM * free / need) if need else 1.0
    return (share if share >= _MIN_SHARE else 0.0), ""


def _verdict(
    need_gpu: int,
    need_ram: int,
    share: float,
    free: int | None,
    ram: int | None,
    n_ctx: int,
    basis: str,
    note: str,
    gpu: GpuInfo,
) -> FitEstimate:
    ram_text = "unknown available RAM" if ram is None else f"{gb(ram)} of RAM available"
    if free is None:  # nothing known to fit on the GPU: judge by system memory alone
        share = 0.0
    free_text = gb(free or 0)
    where = f"with a {n_ctx:,}-token context, from the {basis}"

    def result(verdict: Verdict, need: int, why: str) -> FitEstimate:
        line = f"{verdict.value}: needs about {gb(need)} {where}; {why}"
        return FitEstimate(verdict, need, free, ram, share, n_ctx, basis, line)

    if share >= 1.0:
        return result(Verdict.GPU, need_gpu, f"{free_text} free on {_gpu_name(gpu)}")
    spill = int(need_ram * (1.0 - share))
    ram_ok = ram is None or spill <= RAM_HEADROOM * ram
    if share > 0.0:
        if ram_ok:
            return result(
                Verdict.PARTIAL,
                need_gpu,
                f"only {free_text} free on {_gpu_name(gpu)}, so about {share:.0%} runs on "
                f"the GPU and the rest in RAM ({ram_text}; slower than all on the GPU)",
            )
        return result(
            Verdict.TOO_BIG,
            need_gpu,
            f"{free_text} free on the GPU and {ram_text} are not enough together",
        )
    if not ram_ok:
        return result(Verdict.TOO_BIG, need_ram, f"only {ram_text}; choose a smaller model")
    if note.startswith("CPU only: "):  # no GPU build, gpu_layers=0, or a GPU too small
        why = note.removeprefix("CPU only: ")
    elif free is None:
        why = "free GPU memory is unknown, so this counts on system memory"
    else:
        why = f"the GPU has only {free_text} free"
    return result(Verdict.CPU, need_ram, f"{why}; {ram_text}")


def _gpu_name(gpu: GpuInfo) -> str:
    names = [d.description or d.name for d in gpu.devices]
    return ", ".join(n for n in names if n) or "the GPU"


def available_ram_bytes() -> int | None:
    """Memory available to a new program without swapping; None when it cannot be read.
    (psutil is not a dependency: /proc/meminfo on Linux, the Win32 API on Windows.)"""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if sys.platform == "win32":
        return _windows_available()
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _windows_available() -> int | None:
    class MemoryStatus(ctypes.Structure):
        _fields_ = [
            ("dwLength", ctypes.c_ulong),
            ("dwMemoryLoad", ctypes.c_ulong),
            ("ullTotalPhys", ctypes.c_ulonglong),
            ("ullAvailPhys", ctypes.c_ulonglong),
            ("ullTotalPageFile", ctypes.c_ulonglong),
            ("ullAvailPageFile", ctypes.c_ulonglong),
            ("ullTotalVirtual", ctypes.c_ulonglong),
            ("ullAvailVirtual", ctypes.c_ulonglong),
            ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
        ]

    status = MemoryStatus()
    status.dwLength = ctypes.sizeof(MemoryStatus)
    windll = getattr(ctypes, "windll", None)
    if windll is None or not windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
        return None
    return int(status.ullAvailPhys)
