"""Settings ▸ Model in the window: this computer or a model server, the server's models
listed in a job (under the network switch as the dialog shows it), problems explained."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from desktop.settings.settings_dialog import SettingsDialog
from evidence.settings import load_settings
from tests.gui_helpers import screenshot

if TYPE_CHECKING:
    from tests.model_server import FakeOpenAI

pytest_plugins = ["tests.model_server"]

MODELS = {"object": "list", "data": [{"id": "qwen2.5-14b-instruct"}, {"id": "llama-3.1-8b"}]}


def dialog(qtbot, ctx) -> SettingsDialog:  # type: ignore[no-untyped-def]
    from agents.runtime.gpu import GpuInfo

    dlg = SettingsDialog(ctx, gpu=GpuInfo(offload_supported=False))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def test_choose_a_model_server_and_pick_its_model(qtbot, app_ctx, fake_openai: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    from tests.model_server import send

    fake_openai.reply = send(200, json.dumps(MODELS).encode())
    dlg = dialog(qtbot, app_ctx)
    box = dlg.server
    assert box.local.isChecked() and not box.url.isEnabled()
    box.server.setChecked(True)
    box.url.setText(fake_openai.base_url.removesuffix("/v1"))  # the root: /v1 is added
    box.key.setText("sk-squad")

    # Network use off (as the dialog shows it): the list is refused, nothing sent.
    box.fetch.click()
    qtbot.waitUntil(lambda: box.fetch.isEnabled(), timeout=10_000)
    assert "web access is off" in box.status.text() and not fake_openai.headers

    dlg.web.access.setChecked(True)
    dlg.web.private.setChecked(True)
    box.fetch.click()
    qtbot.waitUntil(lambda: box.model.count() == 2, timeout=10_000)
    assert box.model.currentText() == "qwen2.5-14b-instruct"
    assert "2 model(s)" in box.status.text()
    assert fake_openai.headers[-1]["Authorization"] == "Bearer sk-squad"
    box.model.setCurrentIndex(1)
    qtbot.wait(20)
    screenshot(dlg, "settings-model-server")
    dlg.accept()
    assert dlg.result() == 1, dlg.errors.text()
    saved = load_settings(app_ctx.data_dir.settings)
    assert (saved.generator_source, saved.server_model, saved.server_api_key) == (
        "server", "llama-3.1-8b", "sk-squad",
    )  # fmt: skip
    assert saved.server_url == fake_openai.base_url.removesuffix("/v1")
    assert app_ctx.settings.generator_source == "server"  # the context sees it at once


def test_a_server_without_address_model_or_network_is_explained(qtbot, app_ctx) -> None:  # type: ignore[no-untyped-def]
    dlg = dialog(qtbot, app_ctx)
    dlg.server.server.setChecked(True)
    dlg.accept()
    text = dlg.errors.text()
    assert dlg.isVisible() and "Model server: its address is empty" in text
    assert "choose a model" in text and "turn on network use" in text
    dlg.server.url.setText("192.168.1.20:8080")
    dlg.accept()
    assert "is not an http(s) address" in dlg.errors.text()
    assert load_settings(app_ctx.data_dir.settings).generator_source == "local"


def test_a_server_that_is_not_there_says_so(qtbot, app_ctx) -> None:  # type: ignore[no-untyped-def]
    from tests.model_server import free_port

    dlg = dialog(qtbot, app_ctx)
    dlg.web.access.setChecked(True)
    dlg.web.private.setChecked(True)
    box = dlg.server
    box.server.setChecked(True)
    box.url.setText(f"http://127.0.0.1:{free_port()}/v1")
    box.fetch.click()
    qtbot.waitUntil(lambda: "Cannot list" in box.status.text(), timeout=10_000)
    assert "cannot connect to the model server" in box.status.text()
    qtbot.wait(20)
    screenshot(dlg, "settings-model-server-error")


def test_the_status_bar_names_the_server_and_its_speed(  # type: ignore[no-untyped-def]
    qtbot, app_ctx, fake_openai: FakeOpenAI
) -> None:
    import dataclasses

    from agents.runtime.generation import GenerationRequest
    from agents.runtime.openai_generator import OpenAIGenerator
    from desktop.jobs import JobRegistry
    from desktop.status_bar import StatusBarWidget
    from evidence.network import NetworkPolicy
    from tests.model_server import delta, sse, stream_then

    app_ctx.save_settings(dataclasses.replace(
        app_ctx.settings, generator_source="server", server_model="llama-3.1-8b",
        server_url="http://192.168.1.20:8080/v1",
    ))  # fmt: skip
    jobs = JobRegistry()
    bar = StatusBarWidget(app_ctx, jobs)
    qtbot.addWidget(bar)
    qtbot.waitUntil(lambda: bar.gpu is not None, timeout=10_000)  # the GPU check ends first
    assert bar.model_label.text() == "Model: llama-3.1-8b (model server)"
    assert bar.device_label.text() == "Server: 192.168.1.20"

    # Tokens/s from a streamed answer, as for a local model.
    body = sse(*(delta(f" w{i}") for i in range(20)), delta(".", "stop"), "[DONE]")
    fake_openai.reply = stream_then(body)
    policy = NetworkPolicy(enabled=True, allow_private=True)
    with OpenAIGenerator(fake_openai.base_url, "m", policy=policy) as gen:
        gen.complete(GenerationRequest(gen.chat_prompt("", "Whales."), max_tokens=40))
        stats = gen.last_stats
    assert stats.generated_tokens == 21 and stats.stopped_by == "stop"
    bar.show_stats(stats)
    assert bar.speed_label.text().endswith(" tokens/s") and "—" not in bar.speed_label.text()
    jobs.cancel_all()
