"""Fit verdicts from fake GPU and RAM figures, and for the real bundled Gemma file."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.models.catalog import CatalogEntry, load_catalog
from agents.models.fit import Verdict, available_ram_bytes, estimate_fit
from agents.runtime.gguf_info import read_gguf_info
from agents.runtime.gpu import GpuDevice, GpuInfo
from evidence.errors import ModelFileError
from tests.conftest import model_cache_dir
from tests.fake_gguf import catalog_entry, tiny_gguf, write_catalog

GB = 1_000_000_000
NO_GPU = GpuInfo(offload_supported=False)


def gpu_with(free: int | None) -> GpuInfo:
    dev = GpuDevice("CUDA0", "Test GPU 8GB", False, free, 8 * GB if free is not None else None)
    return GpuInfo(offload_supported=True, devices=(dev,))


@pytest.fixture(scope="module")
def gemma() -> Path:
    from agents.models.bundled import default_generator_path

    return default_generator_path(model_cache_dir())  # prepared once per machine


@pytest.fixture
def entry(tmp_path: Path) -> CatalogEntry:
    e = catalog_entry("mid", "mid.gguf", "https://example.org/mid.gguf", ram_gb=6.0, vram_gb=5.0)
    return load_catalog(write_catalog(tmp_path / "c.json", e)).find("mid")


def test_catalog_figures_give_all_four_verdicts(entry: CatalogEntry) -> None:
    fits = estimate_fit(entry, context_size=4096, gpu=gpu_with(8 * GB), ram_available=16 * GB)
    assert fits.verdict is Verdict.GPU and fits.verdict.value == "fits in GPU memory"
    assert fits.needed_bytes == 5 * GB and fits.gpu_share == 1.0 and fits.basis == "catalog figures"
    assert fits.explanation.startswith("fits in GPU memory: needs about 5.0 GB")
    assert "8.0 GB free on Test GPU 8GB" in fits.explanation

    spills = estimate_fit(entry, context_size=4096, gpu=gpu_with(3 * GB), ram_available=16 * GB)
    assert spills.verdict is Verdict.PARTIAL and 0.5 < spills.gpu_share < 0.6  # 2.7 of 5 GB
    assert "only 3.0 GB free" in spills.explanation and "rest in RAM" in spills.explanation

    cpu = estimate_fit(entry, context_size=4096, gpu=NO_GPU, ram_available=16 * GB)
    assert cpu.verdict is Verdict.CPU and cpu.needed_bytes == 6 * GB and cpu.gpu_share == 0
    assert "no GPU support" in cpu.explanation and "16.0 GB of RAM available" in cpu.explanation

    too_big = estimate_fit(entry, context_size=4096, gpu=NO_GPU, ram_available=4 * GB)
    assert too_big.verdict is Verdict.TOO_BIG and not too_big.runs
    assert "only 4.0 GB of RAM available" in too_big.explanation

    # A GPU too small and too little RAM for the rest: too big, though it would half fit.
    both_short = estimate_fit(entry, context_size=4096, gpu=gpu_with(2 * GB), ram_available=GB)
    assert both_short.verdict is Verdict.TOO_BIG


def test_gpu_layers_zero_and_unknown_gpu_memory_count_on_ram(entry: CatalogEntry) -> None:
    off = estimate_fit(
        entry, context_size=4096, gpu=gpu_with(8 * GB), ram_available=16 * GB, gpu_layers=0
    )
    assert off.verdict is Verdict.CPU and "gpu_layers is 0" in off.explanation
    unknown = estimate_fit(entry, context_size=4096, gpu=gpu_with(None), ram_available=16 * GB)
    assert unknown.verdict is Verdict.CPU and "free GPU memory is unknown" in unknown.explanation
    tiny_gpu = estimate_fit(entry, context_size=4096, gpu=gpu_with(GB // 4), ram_available=16 * GB)
    assert (
        tiny_gpu.verdict is Verdict.CPU and "the GPU has only 0.2 GB free" in tiny_gpu.explanation
    )


def test_header_of_a_file_decides_with_the_loaders_rules(tmp_path: Path) -> None:
    path = tiny_gguf(tmp_path / "tiny.gguf")  # 2 layers + output: 3 offloadable
    need = read_gguf_info(path).memory_bytes(2048)  # context capped at the trained 2048
    est = estimate_fit(path, context_size=100_000, gpu=gpu_with(8 * GB), ram_available=GB)
    assert (est.verdict, est.needed_bytes, est.context) == (Verdict.GPU, need, 2048)
    assert est.basis == "GGUF header"
    # Room for 2 of the 3 layers: what choose_gpu_layers would load.
    partial = estimate_fit(
        path, context_size=2048, gpu=gpu_with(int(need * 0.8 / 0.9)), ram_available=GB
    )
    assert partial.verdict is Verdict.PARTIAL and partial.gpu_share == pytest.approx(2 / 3)
    assert estimate_fit(path, context_size=2048, gpu=NO_GPU, ram_available=GB).runs
    assert not estimate_fit(path, context_size=2048, gpu=NO_GPU, ram_available=need // 2).runs


def test_installed_catalog_model_is_judged_by_its_file(tmp_path: Path, entry: CatalogEntry) -> None:
    models = tmp_path / "models"
    tiny_gguf(models / "mid.gguf")
    est = estimate_fit(entry, context_size=2048, gpu=NO_GPU, ram_available=GB, models_dir=models)
    assert est.basis == "GGUF header" and est.needed_bytes < GB
    (models / "broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    with pytest.raises(ModelFileError, match="truncated"):
        estimate_fit(models / "broken.gguf", context_size=2048, gpu=NO_GPU, ram_available=GB)


def test_the_real_bundled_gemma(gemma: Path) -> None:
    info = read_gguf_info(gemma)
    small = estimate_fit(gemma, context_size=4096, gpu=NO_GPU, ram_available=8 * GB)
    assert small.verdict is Verdict.CPU and small.needed_bytes == info.memory_bytes(4096)
    # weights (253 MB) + logits buffer for a 262k vocabulary (0.5 GB) + KV cache
    assert 0.7 * GB < small.needed_bytes < 1.2 * GB
    bigger = estimate_fit(gemma, context_size=32768, gpu=NO_GPU, ram_available=8 * GB)
    assert bigger.needed_bytes > small.needed_bytes  # the KV cache grows with the context
    assert estimate_fit(
        gemma, context_size=4096, gpu=gpu_with(4 * GB), ram_available=GB
    ).verdict is (Verdict.GPU)
    assert not estimate_fit(gemma, context_size=4096, gpu=NO_GPU, ram_available=GB // 2).runs


def test_without_figures_this_machine_is_measured(tmp_path: Path) -> None:
    ram = available_ram_bytes()
    assert ram is not None and 100_000_000 < ram < 1 << 50
    est = estimate_fit(tiny_gguf(tmp_path / "tiny.gguf"), context_size=512)
    assert est.runs and est.ram_available_bytes is not None  # a 1.5 MB model fits anywhere
