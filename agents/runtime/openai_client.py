"""The connection to an OpenAI-compatible model server (llama.cpp's server, vLLM, Ollama,
LM Studio): its address, the API key, timeouts, the network switch, and its model list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from agents.runtime.openai_errors import (
    ModelServerError,
    ServerGarbage,
    error_for_status,
    error_for_transport,
)
from agents.runtime.sse_stream import SseStream
from evidence.errors import EvidenceError
from evidence.network import NetworkPolicy
from evidence.web.transport import policy_transport


def normalize_base_url(url: str) -> str:
    """The API root: 'http://host:8080' and 'http://host:8080/' become 'http://host:8080/v1';
    an address with a path ('…/v1', '…/openai/v1') is kept as given. ValueError says why not."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not a server address like http://192.168.1.20:8080")
    return url if parts.path else url + "/v1"


@dataclass(frozen=True)
class ServerModel:
    id: str
    context: int | None  # the context length, when the server tells it


class ServerClient:
    """HTTP to one server under the network policy (checked before each request, and again
    for every address connected to). The API key goes in the Authorization header."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        policy: NetworkPolicy,
        *,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 120.0,
    ) -> None:
        self.base = normalize_base_url(base_url)
        self._policy = policy
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            transport=policy_transport(policy),
            headers=headers,
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            follow_redirects=False,  # a redirect would carry the API key elsewhere
        )

    def check(self) -> None:
        """Raise ModelServerError when the network settings forbid this server."""
        try:
            self._policy.check_url(self.base, f"asking the model server at {self.base}")
        except EvidenceError as exc:
            raise ModelServerError(f"{exc} — the model server needs it") from exc

    def stream(self, path: str, payload: dict[str, Any]) -> SseStream:
        return SseStream(self._client, self.base + path, payload)

    def models(self) -> list[ServerModel]:
        """The models the server serves (GET /models)."""
        self.check()
        url = self.base + "/models"
        try:
            response = self._client.get(url)
        except httpx.HTTPError as exc:
            raise error_for_transport(exc, self.base, 0) from exc
        if response.status_code >= 400:
            raise error_for_status(
                response.status_code, response.content, response.headers, self.base, ""
            )
        try:
            entries = json.loads(response.content)["data"]
            return [_model(entry) for entry in entries]
        except (ValueError, KeyError, TypeError) as exc:
            raise ServerGarbage(
                f"{url} did not return the OpenAI model list ({type(exc).__name__}); "
                "is this an OpenAI-compatible server?"
            ) from exc

    def close(self) -> None:
        self._client.close()


def _model(entry: dict[str, Any]) -> ServerModel:
    # The context length, where servers tell it: vLLM, llama.cpp's llama-server, LM Studio.
    meta = entry.get("meta") or {}
    context = entry.get("max_model_len") or meta.get("n_ctx_train") or entry.get("context_length")
    return ServerModel(str(entry["id"]), int(context) if isinstance(context, int) else None)
