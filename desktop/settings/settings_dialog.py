"""File → Settings…: edit the typed settings. Every value is checked before saving, and a
refused value says why (a model file that is not GGUF, a context size out of range...)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from agents.runtime.gguf_info import check_gguf_file
from agents.runtime.gpu import GpuInfo, detect_gpu
from app.context import AppContext
from desktop.library.import_results import mark_problem
from desktop.settings.model_server_box import ModelServerBox, server_problems
from desktop.settings.team_box import TeamSettingsBox, team_problems
from desktop.settings.web_settings import WebSettingsBox, web_problems
from evidence.errors import ModelFileError
from evidence.settings import Settings

CONTEXT_RANGE = (256, 1_048_576)
FILE_MB_RANGE = (1, 10_000)


def check_model(label: str, path: str) -> str | None:
    """Why the model file cannot be used, or None (an empty path means the bundled default)."""
    if not path:
        return None
    try:
        check_gguf_file(Path(path).expanduser())
    except ModelFileError as exc:
        return f"{label}: {exc}"
    return None


def check_settings(s: Settings, cores: int) -> list[str]:
    """Problems with the values, in words; empty when they can be saved."""
    problems = [
        p
        for p in (
            check_model("Generator model", s.generator_model),
            check_model("Embedding model", s.embedding_model),
        )
        if p
    ]
    if s.threads > cores:
        problems.append(
            f"Threads: {s.threads} is more than this computer's {cores} cores; "
            f"choose at most {cores}, or Automatic"
        )
    lo, hi = CONTEXT_RANGE
    if not lo <= s.context_size <= hi:
        problems.append(f"Context size must be between {lo:,} and {hi:,} tokens")
    lo, hi = FILE_MB_RANGE
    if not lo <= s.max_file_mb <= hi:
        problems.append(f"Largest file must be between {lo:,} and {hi:,} MB")
    return problems + web_problems(s) + server_problems(s) + team_problems(s)


class ModelField(QWidget):
    """A model path with Choose… and Default; empty means the bundled default."""

    def __init__(self, label: str, default_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(f"Default: {default_name} (bundled)")
        self.edit.setClearButtonEnabled(True)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose)
        default = QPushButton("Default")
        default.setToolTip(f"Use the bundled {default_name}")
        default.clicked.connect(self.edit.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(choose)
        row.addWidget(default)

    def path(self) -> str:
        return self.edit.text().strip()

    def _choose(self) -> None:
        start = str(Path(self.path()).parent) if self.path() else ""
        chosen, _ = QFileDialog.getOpenFileName(
            self, f"Choose the {self.label.lower()}", start, "GGUF models (*.gguf);;All (*)"
        )
        if chosen:
            self.edit.setText(chosen)


class SettingsDialog(QDialog):
    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, gpu: GpuInfo | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.cores = os.cpu_count() or 1
        self.setWindowTitle("Settings")
        self.setMinimumWidth(600)
        s = ctx.settings
        self.generator = ModelField("Generator model", "Gemma 3 270M")
        self.generator.edit.setText(s.generator_model)
        self.embedding = ModelField("Embedding model", "all-MiniLM-L6-v2")
        self.embedding.edit.setText(s.embedding_model)
        self.threads = _spin(0, 1024, s.threads, special="Automatic (all cores, up to 8)")
        self.context_size = _spin(0, 16_777_216, s.context_size, suffix=" tokens", step=1024)
        self.gpu_layers = _spin(-1, 9_999, s.gpu_layers, special="Automatic (what fits)")
        self.max_file_mb = _spin(0, 1_000_000, s.max_file_mb, suffix=" MB")
        self.follow_links = QCheckBox("Import links in a folder that lead out of it")
        self.follow_links.setChecked(s.follow_links)
        self.follow_links.setToolTip("Off: such links are skipped, each with a line saying so")
        self.web = WebSettingsBox(s)
        self.server = ModelServerBox(s, self.values)
        self.team = TeamSettingsBox(s)
        info = gpu if gpu is not None else detect_gpu()
        self.gpu_note = _note(f"Detected: {info.summary}. 0 = CPU only.")
        self.gpu_layers.setToolTip("0 keeps the whole model on the CPU")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Generator model:", self.generator)
        form.addRow("Embedding model:", self.embedding)
        form.addRow("", _note("A new embedding model computes new vectors on the next import."))
        form.addRow("Threads:", self.threads)
        form.addRow("", _note(f"This computer has {self.cores} cores."))
        form.addRow("Context size:", self.context_size)
        form.addRow("GPU layers:", self.gpu_layers)
        form.addRow("", self.gpu_note)
        form.addRow("Largest file to import:", self.max_file_mb)
        form.addRow("", self.follow_links)
        self.errors = QLabel()
        self.errors.setObjectName("SettingsErrors")
        self.errors.setWordWrap(True)
        self.errors.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.server)
        layout.addWidget(self.web)
        layout.addWidget(self.team)
        layout.addWidget(self.errors)
        layout.addWidget(buttons)
        self.adjustSize()  # the wrapped notes need their height-for-width before showing

    def values(self) -> Settings:
        """The settings as the form shows them (not yet checked)."""
        return self.team.apply(self.server.apply(self.web.apply(dataclasses.replace(
            self.ctx.settings,
            generator_model=self.generator.path(),
            embedding_model=self.embedding.path(),
            threads=self.threads.value(),
            context_size=self.context_size.value(),
            gpu_layers=self.gpu_layers.value(),
            max_file_mb=self.max_file_mb.value(),
            follow_links=self.follow_links.isChecked(),
        ))))  # fmt: skip

    def accept(self) -> None:
        """Save when every value is valid; otherwise list what is wrong and stay open."""
        settings = self.values()
        problems = check_settings(settings, self.cores)
        if not problems:
            try:
                self.ctx.save_settings(settings)
            except OSError as exc:
                problems = [f"Cannot save the settings: {exc.strerror or exc}"]
        if problems:
            self.errors.setText("Not saved:\n" + "\n".join(f"• {p}" for p in problems))
            mark_problem(self.errors, True)
            self.errors.show()
            return
        super().accept()

    def done(self, result: int) -> None:
        self.server.wait()  # a model list still being fetched ends with the dialog
        super().done(result)


def _spin(
    lo: int, hi: int, value: int, *, special: str = "", suffix: str = "", step: int = 1
) -> QSpinBox:
    # Wider than the valid range on purpose: out-of-range input is explained, not clamped.
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    box.setGroupSeparatorShown(True)
    if special:
        box.setSpecialValueText(special)
    return box


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    label.setFont(font)
    return label
