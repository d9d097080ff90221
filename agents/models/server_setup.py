"""The generator on a model server, as the settings describe it (Settings ▸ Model: "a model
server"): checked against the network switch before anything is sent."""

from __future__ import annotations

from agents.runtime.generation import GenerationError
from agents.runtime.openai_client import ServerClient, ServerModel, normalize_base_url
from agents.runtime.openai_generator import OpenAIGenerator
from evidence.errors import EvidenceError
from evidence.network import NetworkPolicy
from evidence.settings import Settings

CONNECT_TIMEOUT_S = 10.0
LIST_TIMEOUT_S = 5.0  # the model list: the Settings dialog waits for it


def server_key(settings: Settings) -> tuple[str, ...]:
    """What makes two server generators the same one."""
    return (
        "server", settings.server_url, settings.server_api_key, settings.server_model,
        str(settings.server_timeout_s), str(settings.context_size),
    )  # fmt: skip


def server_generator(settings: Settings) -> OpenAIGenerator:
    """The generator for the settings' server; EvidenceError says what to fix first."""
    if not settings.server_url.strip():
        raise EvidenceError("Settings ▸ Model: a model server is chosen but its address is empty")
    if not settings.server_model.strip():
        raise EvidenceError(
            "Settings ▸ Model: choose which of the server's models to use (the model name)"
        )
    try:
        generator = OpenAIGenerator(
            settings.server_url,
            settings.server_model.strip(),
            api_key=settings.server_api_key,
            policy=NetworkPolicy.from_settings(settings),  # follows the switch as it changes
            context_size=settings.context_size,
            connect_timeout_s=min(CONNECT_TIMEOUT_S, settings.server_timeout_s),
            read_timeout_s=settings.server_timeout_s,
        )
    except ValueError as exc:
        raise EvidenceError(f"Settings ▸ Model: {exc}") from exc
    try:
        generator.check_network()
    except GenerationError as exc:
        generator.close()
        raise EvidenceError(str(exc)) from exc
    return generator


def server_models(
    settings: Settings, url: str = "", api_key: str | None = None
) -> list[ServerModel]:
    """The models a server offers (its /v1/models), under the settings' network switch;
    `url` and `api_key` override the saved ones (the Settings dialog before saving).
    Raises ValueError for an address that is not one, ModelServerError when it fails."""
    base = normalize_base_url(url or settings.server_url)
    key = settings.server_api_key if api_key is None else api_key
    client = ServerClient(
        base, key, NetworkPolicy.from_settings(settings),
        connect_timeout_s=LIST_TIMEOUT_S, read_timeout_s=LIST_TIMEOUT_S,
    )  # fmt: skip
    try:
        return client.models()
    finally:
        client.close()
