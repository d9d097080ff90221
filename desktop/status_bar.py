"""The main window's permanent status-bar widget: which generator model, CPU or GPU, the
last generation speed, and how big the index is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from urllib.parse import urlsplit

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from agents.runtime.generation import GenerationStats
from agents.runtime.gpu import NO_GPU_BUILD, GpuInfo, detect_gpu
from app.context import AppContext
from app.jobs import Report
from desktop.jobs import Job, JobRegistry
from desktop.library.library_status import plural
from evidence.index.records import IndexStatus
from evidence.settings import Settings

DEFAULT_GENERATOR = "Gemma 3 270M"


def generator_name(settings: Settings) -> str:
    if settings.generator_source == "server":
        return f"{settings.server_model or '?'} (model server)"
    if not settings.generator_model:
        return f"{DEFAULT_GENERATOR} (default)"
    return PurePath(settings.generator_model).stem


def device_text(info: GpuInfo, gpu_layers: int) -> tuple[str, str]:
    """A short label for where the model runs, and a tooltip that says why."""
    if not info.offload_supported:
        return "CPU", NO_GPU_BUILD
    if gpu_layers == 0:
        return "CPU", f"gpu_layers is 0 in the settings; detected: {info.summary}"
    if not info.devices:
        return "CPU (no GPU found)", info.summary
    name = info.devices[0].description or info.devices[0].name
    layers = "all layers that fit" if gpu_layers < 0 else f"{gpu_layers} layers"
    return f"GPU: {name}", f"{layers} on the GPU; {info.summary}"


def tokens_per_second(stats: GenerationStats) -> float | None:
    """Generation speed after the first token (prompt reading is a different speed)."""
    seconds = stats.seconds - stats.seconds_to_first_token
    if stats.generated_tokens > 1 and seconds > 0:
        return (stats.generated_tokens - 1) / seconds
    if stats.generated_tokens and stats.seconds > 0:
        return stats.generated_tokens / stats.seconds
    return None


def _detect(report: Report, cancelled: Callable[[], bool]) -> GpuInfo:
    return detect_gpu()


class StatusBarWidget(QWidget):
    def __init__(self, ctx: AppContext, jobs: JobRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        self.gpu: GpuInfo | None = None
        self.model_label = QLabel()
        self.device_label = QLabel("CPU/GPU: checking…")
        self.speed_label = QLabel("— tokens/s")
        self.speed_label.setToolTip("Speed of the last generation (after its first token)")
        self.index_label = QLabel("Index: reading…")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        for n, label in enumerate(
            (self.model_label, self.device_label, self.speed_label, self.index_label)
        ):
            if n:
                layout.addWidget(_separator())
            layout.addWidget(label)
        self.refresh_settings()
        job = Job("detect-gpu", _detect)
        job.finished.connect(self._on_gpu)
        jobs.start(job)

    def refresh_settings(self) -> None:
        """The settings changed: model name and device again."""
        settings = self.ctx.settings
        self.model_label.setText(f"Model: {generator_name(settings)}")
        self.model_label.setToolTip(settings.generator_model or "the bundled default model")
        if settings.generator_source == "server":  # the server's GPU, not this computer's
            self.model_label.setToolTip(f"on the model server at {settings.server_url}")
            host = urlsplit(settings.server_url).hostname or "?"
            self.device_label.setText(f"Server: {host}")
            self.device_label.setToolTip(settings.server_url)
        elif self.gpu is not None:
            self._on_gpu(self.gpu)

    def _on_gpu(self, info: GpuInfo) -> None:
        self.gpu = info
        if self.ctx.settings.generator_source == "server":
            return
        text, tip = device_text(info, self.ctx.settings.gpu_layers)
        self.device_label.setText(text)
        self.device_label.setToolTip(tip)

    def show_stats(self, stats: GenerationStats) -> None:
        rate = tokens_per_second(stats)
        self.speed_label.setText("— tokens/s" if rate is None else f"{rate:.1f} tokens/s")

    def show_index(self, status: IndexStatus) -> None:
        self.index_label.setText(
            f"Index: {plural(status.sources, 'source')}, {plural(status.passages, 'passage')}"
        )
        pending = (
            f"; {status.pending_vectors:,} waiting for vectors" if status.pending_vectors else ""
        )
        self.index_label.setToolTip(f"{status.embedded:,} passages have vectors{pending}")


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line
