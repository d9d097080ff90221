"""The Model part of the Settings dialog: the generator runs on this computer or on a model
server (any OpenAI-compatible one: llama.cpp's server, vLLM, Ollama, LM Studio). The
server's models are fetched in a job, under the network switch as the dialog shows it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from agents.models.server_setup import server_models
from desktop.jobs import Job
from evidence.settings import Settings

FETCH_WAIT_MS = 8_000  # closing the dialog waits for a running fetch (5 s timeouts)


def server_problems(s: Settings) -> list[str]:
    if s.generator_source != "server":
        return []
    problems = []
    parts = urlsplit(s.server_url)
    if not s.server_url:
        problems.append("Model server: its address is empty (e.g. http://192.168.1.20:8080)")
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        problems.append(f"Model server: {s.server_url!r} is not an http(s) address")
    if not s.server_model:
        problems.append("Model server: choose a model (Get models lists the server's)")
    if not s.web_access:
        problems.append("Model server: turn on network use (Web) to reach the server")
    return problems


class ModelServerBox(QGroupBox):
    """`current` gives the settings as the whole dialog shows them (the Web switch too)."""

    def __init__(
        self, s: Settings, current: Callable[[], Settings], parent: QWidget | None = None
    ) -> None:
        super().__init__("Model", parent)
        self._current = current
        self._job: Job | None = None
        self.local = QRadioButton("This computer (the generator model file above)")
        self.server = QRadioButton("A model server (OpenAI-compatible: llama.cpp, vLLM, Ollama)")
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.server)
        (self.server if s.generator_source == "server" else self.local).setChecked(True)
        self.url = QLineEdit(s.server_url)
        self.url.setPlaceholderText("http://192.168.1.20:8080/v1")
        self.key = QLineEdit(s.server_api_key)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("None (most squad servers need none)")
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.setCurrentText(s.server_model)
        self.fetch = QPushButton("Get models")
        self.fetch.setToolTip("Ask the server which models it serves")
        self.fetch.clicked.connect(self.fetch_models)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.model, 1)
        row.addWidget(self.fetch)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.local)
        form.addRow(self.server)
        form.addRow("Server address:", self.url)
        form.addRow("API key:", self.key)
        form.addRow("Model:", row)
        form.addRow("", self.status)
        self.server.toggled.connect(self._enable)
        self._enable()

    def apply(self, s: Settings) -> Settings:
        return dataclasses.replace(
            s,
            generator_source="server" if self.server.isChecked() else "local",
            server_url=self.url.text().strip(),
            server_api_key=self.key.text().strip(),
            server_model=self.model.currentText().strip(),
        )

    def fetch_models(self) -> None:
        """List the server's models into the box (in a job: the server may be slow)."""
        if self._job is not None and self._job.is_running():
            return
        settings, url, key = self._current(), self.url.text().strip(), self.key.text().strip()
        self.status.setText("Asking the server…")
        self.fetch.setEnabled(False)
        job = Job("model server: models", lambda _report, _cancelled: server_models(
            settings, url=url, api_key=key))  # fmt: skip
        job.finished.connect(self._listed)
        job.failed.connect(self._failed)
        job.done.connect(self._fetched)
        self._job = job
        job.start()

    def wait(self) -> None:
        """Let a running fetch end (the dialog is closing)."""
        if self._job is not None:
            self._job.wait(FETCH_WAIT_MS)

    def _listed(self, models: object) -> None:
        names = [m.id for m in models] if isinstance(models, list) else []
        typed = self.model.currentText().strip()
        self.model.clear()
        self.model.addItems(names)
        self.model.setCurrentText(typed if typed in names or not names else names[0])
        self.status.setText(f"The server serves {len(names)} model(s)." if names else
                            "The server lists no models.")  # fmt: skip

    def _failed(self, message: str) -> None:
        self.status.setText(f"Cannot list the models: {message}")

    def _fetched(self) -> None:
        if self._job is not None:
            self._job.wait()  # `done` comes just before the thread ends
        self._enable()

    def _enable(self) -> None:
        on = self.server.isChecked()
        for widget in (self.url, self.key, self.model):
            widget.setEnabled(on)
        self.fetch.setEnabled(on and not (self._job is not None and self._job.is_running()))
