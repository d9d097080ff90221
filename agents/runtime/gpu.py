"""Can this llama.cpp build use a GPU, how much memory is free there, and how many layers
of a model to put on it. Every decision comes with a sentence the user can read: "GPU not
detected, or silently not used" is a top complaint about local-LLM apps."""

from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass

import llama_cpp

from evidence.units import gb

log = logging.getLogger(__name__)

# Leave 10% of free GPU memory for the driver, other programs and allocation slack.
HEADROOM = 0.9
NO_GPU_BUILD = (
    "CPU only: this llama.cpp build has no GPU support "
    "(install a CUDA/Metal/Vulkan build to use your GPU)"
)
# enum ggml_backend_dev_type: CPU, GPU, IGPU (integrated, host memory), ACCEL, META.
_GPU, _IGPU = 1, 2


@dataclass(frozen=True)
class GpuDevice:
    name: str
    description: str
    integrated: bool
    free_bytes: int | None
    total_bytes: int | None


@dataclass(frozen=True)
class GpuInfo:
    offload_supported: bool
    devices: tuple[GpuDevice, ...] = ()

    @property
    def free_bytes(self) -> int | None:
        """Free memory over all GPUs (llama.cpp splits layers across them); None if unknown."""
        known = [d.free_bytes for d in self.devices if d.free_bytes is not None]
        return sum(known) if known else None

    @property
    def summary(self) -> str:
        if not self.offload_supported:
            return "no GPU support in this llama.cpp build"
        if not self.devices:
            return "GPU support built in, no GPU device found, unknown free memory"
        parts = []
        for d in self.devices:
            free = "unknown free memory" if d.free_bytes is None else f"{gb(d.free_bytes)} free"
            parts.append(f"{d.description or d.name} ({free})")
        return "; ".join(parts)


def detect_gpu() -> GpuInfo:
    """What the loaded llama.cpp library offers. Never raises: an odd build means "unknown"."""
    try:
        offload = bool(llama_cpp.llama_supports_gpu_offload())
    except (AttributeError, OSError):
        return GpuInfo(offload_supported=False)
    if not offload:
        return GpuInfo(offload_supported=False)
    try:
        devices = _backend_devices()
    except (AttributeError, OSError, ImportError) as exc:  # bindings missing in this build
        log.info("cannot list llama.cpp devices: %s", exc)
        devices = ()
    return GpuInfo(offload_supported=True, devices=devices)


def choose_gpu_layers(
    model_bytes: int,
    n_layers: int,
    free_bytes: int | None,
    requested: int,
    *,
    offload_supported: bool = True,
) -> tuple[int, str]:
    """The n_gpu_layers to load with, and why.

    requested: the gpu_layers setting; -1 = decide: every layer if the model (weights plus
    KV cache and buffers) fits in 90% of free memory, else the proportion that fits, else
    none. n_layers is the model's block count; llama.cpp counts the output layer as one more,
    so "all" is n_layers + 1 (-1 when n_layers is unknown, which llama.cpp reads as all).
    """
    if not offload_supported:
        ignored = f"; gpu_layers={requested} in the settings is ignored" if requested > 0 else ""
        return 0, NO_GPU_BUILD + ignored
    if requested == 0:
        return 0, "CPU only: gpu_layers is 0 in the settings"
    total = n_layers + 1 if n_layers > 0 else -1
    if requested > 0:
        n = min(requested, total) if total > 0 else requested
        of = f" of {total}" if total > 0 else ""
        return n, f"GPU: {n}{of} layers offloaded (gpu_layers={requested} in the settings)"
    need = f"the model needs about {gb(model_bytes)}"
    if free_bytes is None:
        return total, (
            f"GPU: all layers offloaded ({need}; free GPU memory is unknown, "
            "so a failed load falls back to the CPU)"
        )
    budget = HEADROOM * free_bytes
    if model_bytes <= budget:
        return total, f"GPU: all layers offloaded ({need}, {gb(free_bytes)} free)"
    fit = int(budget / model_bytes * total) if total > 0 else 0
    if fit >= 1:
        return fit, (
            f"GPU: {fit} of {total} layers offloaded, the rest on the CPU ({need}, "
            f"only {gb(free_bytes)} free on the GPU)"
        )
    return 0, f"CPU only: {need}, the GPU has only {gb(free_bytes)} free"


def _backend_devices() -> tuple[GpuDevice, ...]:
    # llama-cpp-python 0.3 binds none of ggml's device API, but libggml exports it.
    from llama_cpp._ggml import libggml

    count = libggml.ggml_backend_dev_count
    count.restype, count.argtypes = ctypes.c_size_t, []
    get = libggml.ggml_backend_dev_get
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    kind = libggml.ggml_backend_dev_type
    kind.restype, kind.argtypes = ctypes.c_int, [ctypes.c_void_p]
    name = libggml.ggml_backend_dev_name
    name.restype, name.argtypes = ctypes.c_char_p, [ctypes.c_void_p]
    desc = libggml.ggml_backend_dev_description
    desc.restype, desc.argtypes = ctypes.c_char_p, [ctypes.c_void_p]
    memory = libggml.ggml_backend_dev_memory
    size_p = ctypes.POINTER(ctypes.c_size_t)
    memory.restype, memory.argtypes = None, [ctypes.c_void_p, size_p, size_p]

    found: list[GpuDevice] = []
    for i in range(count()):
        dev = get(i)
        dev_type = kind(dev)
        if dev_type not in (_GPU, _IGPU):
            continue
        free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
        memory(dev, ctypes.byref(free), ctypes.byref(total))
        known = total.value > 0  # backends that cannot tell report zeros
        found.append(
            GpuDevice(
                name=(name(dev) or b"").decode("utf-8", "replace"),
                description=(desc(dev) or b"").decode("utf-8", "replace"),
                integrated=dev_type == _IGPU,
                free_bytes=free.value if known else None,
                total_bytes=total.value if known else None,
            )
        )
    # A discrete GPU is what layers go to when there is one; integrated share host memory.
    discrete = tuple(d for d in found if not d.integrated)
    return discrete or tuple(found)
