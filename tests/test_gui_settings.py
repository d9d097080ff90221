"""The Settings dialog refuses what cannot work (saying why) and saves valid changes
atomically; the status bar shows the model, CPU/GPU, speed and index size."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from agents.runtime.generation import GenerationStats
from agents.runtime.gpu import GpuDevice, GpuInfo
from desktop.settings.settings_dialog import SettingsDialog
from desktop.status_bar import device_text, tokens_per_second
from evidence.settings import load_settings
from tests.gui_helpers import screenshot

NO_GPU = GpuInfo(offload_supported=False)


def dialog(qtbot, ctx, gpu: GpuInfo = NO_GPU) -> SettingsDialog:  # type: ignore[no-untyped-def]
    dlg = SettingsDialog(ctx, gpu=gpu)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_non_gguf_model_is_refused_with_reason(qtbot, app_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = app_ctx.data_dir.settings.read_text()
    fake = tmp_path / "model.gguf"
    fake.write_text("this is a text file, not a model\n")
    dlg = dialog(qtbot, app_ctx)
    dlg.generator.edit.setText(str(fake))
    dlg.accept()
    assert dlg.isVisible() and dlg.result() == 0  # still open, nothing saved
    message = dlg.errors.text()
    assert "Generator model: not a GGUF model file (starts with b'this')" in message
    assert str(fake) in message
    assert app_ctx.data_dir.settings.read_text() == before
    assert app_ctx.settings.generator_model != str(fake)
    qtbot.wait(20)
    screenshot(dlg, "settings-dialog-error")

    # A truncated real model is refused too, with its own reason.
    real = Path(app_ctx.settings.generator_model)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(real.read_bytes()[: 1 << 20])
    dlg.generator.edit.setText(str(cut))
    dlg.accept()
    assert "truncated GGUF file" in dlg.errors.text()


def test_out_of_range_values_are_explained(qtbot, app_ctx) -> None:  # type: ignore[no-untyped-def]
    dlg = dialog(qtbot, app_ctx)
    dlg.context_size.setValue(100)
    dlg.max_file_mb.setValue(0)
    dlg.threads.setValue(dlg.cores + 1)
    dlg.accept()
    text = dlg.errors.text()
    assert "Context size must be between 256 and 1,048,576 tokens" in text
    assert "Largest file must be between 1 and 10,000 MB" in text
    assert f"more than this computer's {dlg.cores} cores" in text
    assert load_settings(app_ctx.data_dir.settings).context_size == 4096


def test_valid_changes_are_saved(qtbot, app_ctx, embedder_path: Path) -> None:  # type: ignore[no-untyped-def]
    gpu = GpuInfo(True, (GpuDevice("CUDA0", "NVIDIA H100", False, 70 * 10**9, 80 * 10**9),))
    dlg = dialog(qtbot, app_ctx, gpu)
    assert "Detected: NVIDIA H100 (70.0 GB free)" in dlg.gpu_note.text()
    assert dlg.threads.value() == 1 and dlg.generator.path() == app_ctx.settings.generator_model
    dlg.threads.setValue(min(2, dlg.cores))
    dlg.context_size.setValue(8192)
    dlg.gpu_layers.setValue(0)
    dlg.max_file_mb.setValue(40)
    dlg.web.access.setChecked(True)
    dlg.embedding.edit.setText(str(embedder_path))
    qtbot.wait(20)
    screenshot(dlg, "settings-dialog")
    dlg.accept()
    assert dlg.result() == 1, dlg.errors.text()
    saved = load_settings(app_ctx.data_dir.settings)
    assert (saved.threads, saved.context_size, saved.gpu_layers) == (min(2, dlg.cores), 8192, 0)
    assert (saved.max_file_mb, saved.web_access) == (40, True)
    assert saved.embedding_model == str(embedder_path)
    assert app_ctx.settings == saved  # the running app uses them at once
    assert not list(app_ctx.data_dir.settings.parent.glob("*.tmp*"))  # atomic: no leftovers

    # "Default" empties the path: the bundled model again.
    again = dialog(qtbot, app_ctx)
    again.generator.edit.clear()
    again.accept()
    assert load_settings(app_ctx.data_dir.settings).generator_model == ""


def test_dark_palette_dialog(qtbot, app_ctx, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop.app import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, True)
    try:
        dlg = dialog(qtbot, app_ctx)
        (tmp_path / "x.gguf").write_bytes(b"")
        dlg.embedding.edit.setText(str(tmp_path / "x.gguf"))
        dlg.accept()
        assert "Embedding model: model file is empty" in dlg.errors.text()
        color = dlg.errors.palette().color(dlg.errors.foregroundRole())
        assert color.lightness() > 150  # light red on the dark background
        qtbot.wait(20)
        screenshot(dlg, "settings-dialog-dark")
    finally:
        apply_theme(app, False)


def test_menu_and_status_bar(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    actions = {a.text(): a for a in main_window.menuBar().actions()[0].menu().actions()}
    assert actions["Se&ttings…"].shortcut() == QKeySequence("Ctrl+,")
    bar = main_window.status
    assert bar.model_label.text() == "Model: gemma-3-270m-q4_k_m"
    qtbot.waitUntil(lambda: bar.gpu is not None, timeout=10_000)
    assert bar.device_label.text() == device_text(bar.gpu, main_window.ctx.settings.gpu_layers)[0]
    bar.show_stats(GenerationStats(generated_tokens=41, seconds_to_first_token=0.5, seconds=2.5))
    assert bar.speed_label.text() == "20.0 tokens/s"
    qtbot.waitUntil(
        lambda: bar.index_label.text() == "Index: 0 sources, 0 passages", timeout=30_000
    )
    qtbot.wait(20)
    screenshot(main_window.statusBar(), "status-bar")


def test_device_and_speed_words() -> None:
    assert device_text(NO_GPU, -1)[0] == "CPU"
    assert "no GPU support" in device_text(NO_GPU, 5)[1]
    gpu = GpuInfo(True, (GpuDevice("CUDA0", "NVIDIA H100", False, None, None),))
    assert device_text(gpu, -1)[0] == "GPU: NVIDIA H100"
    assert device_text(gpu, 0) == (
        "CPU",
        "gpu_layers is 0 in the settings; detected: NVIDIA H100 (unknown free memory)",
    )
    assert device_text(GpuInfo(True, ()), -1)[0] == "CPU (no GPU found)"
    assert tokens_per_second(GenerationStats()) is None
    assert tokens_per_second(GenerationStats(generated_tokens=1, seconds=0.25)) == 4.0
