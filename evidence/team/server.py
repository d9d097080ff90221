"""The connection to a squad's Chroma server: address checks, token, version and schema.

Chroma's own server (`chroma run`) does not check tokens; a squad puts it behind a proxy that
does (README). We send the token the two ways Chroma's clients do (`Authorization: Bearer` and
`X-Chroma-Token`), probe the server with plain HTTP first so that a refused connection, a
refused token and "not a Chroma server" each get their own message, and only then build
chromadb's HttpClient.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from evidence.errors import EvidenceError
from evidence.network import NetworkPolicy

log = logging.getLogger(__name__)

SCHEMA = 1  # the layout of our records on the server; a newer one is refused
PASSAGES = "debate-prep-team-passages"  # one record per passage or card, with its vector
SOURCES = "debate-prep-team-sources"  # one record per shared file: its text and metadata
SUPPORTED_API = "1."  # the server's API version (GET /api/v2/version)
ACTION = "connecting to the team library"


class TeamError(EvidenceError):
    """The team library cannot do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    host: str
    port: int
    ssl: bool


def parse_url(url: str) -> Endpoint:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TeamError(f"{url!r} is not a server address (like http://192.168.1.20:8000)")
    ssl = parts.scheme == "https"
    try:
        port = parts.port or (443 if ssl else 8000)
    except ValueError as exc:
        raise TeamError(f"{url!r} is not a valid address: {exc}") from exc
    clean = f"{parts.scheme}://{parts.hostname}:{port}"
    return Endpoint(clean, parts.hostname, port, ssl)


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Chroma-Token": token} if token else {}


@dataclass
class TeamServer:
    """A checked connection: the chromadb client and the server's API version."""

    endpoint: Endpoint
    client: Any
    version: str
    _checked: dict[str, Any] = field(default_factory=dict, repr=False)  # name -> collection

    def collection(self, name: str, *, create_with: dict[str, Any] | None = None) -> Any | None:
        """Our collection `name`, schema-checked; None when it does not exist yet (unless
        `create_with`, the metadata to create it with)."""
        if name in self._checked:  # checked once per connection: searches as you type
            return self._checked[name]
        try:
            if create_with is None:
                col = self.client.get_collection(name, embedding_function=None)
            else:
                col = self.client.get_or_create_collection(
                    name,
                    metadata=create_with,
                    configuration={"hnsw": {"space": "cosine"}},
                    embedding_function=None,
                )
        except Exception as exc:
            if _not_found(exc):
                return None
            raise as_team_error(exc, self.endpoint.url) from exc
        schema = (col.metadata or {}).get("debate_prep_schema")
        if schema != SCHEMA:
            raise TeamError(
                f"the team collection {name} on {self.endpoint.url} has layout {schema!r}, "
                f"this app reads layout {SCHEMA}: update Debate Prep (or the squad's copy)"
            )
        self._checked[name] = col
        return col


def connect(url: str, token: str, policy: NetworkPolicy, timeout_s: float = 10.0) -> TeamServer:
    """Check the address against the network switch, the server and the token; raise
    TeamError with the reason otherwise."""
    endpoint = parse_url(url)
    policy.check_url(endpoint.url, ACTION)
    headers = auth_headers(token)
    version = _probe(endpoint, headers, timeout_s)
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    try:
        client = chromadb.HttpClient(
            host=endpoint.host,
            port=endpoint.port,
            ssl=endpoint.ssl,
            headers=headers,
            settings=ChromaSettings(anonymized_telemetry=False),
        )
    except Exception as exc:
        raise as_team_error(exc, endpoint.url) from exc
    return TeamServer(endpoint, client, version)


def _probe(endpoint: Endpoint, headers: dict[str, str], timeout_s: float) -> str:
    """The server's API version, after checking that it answers, as Chroma, to our token."""
    try:
        with httpx.Client(timeout=timeout_s, headers=headers, trust_env=False) as http:
            beat = http.get(f"{endpoint.url}/api/v2/heartbeat")
            _check_status(beat, endpoint.url)
            answer = http.get(f"{endpoint.url}/api/v2/version")
            _check_status(answer, endpoint.url)
    except httpx.ConnectError as exc:
        raise TeamError(
            f"the team server {endpoint.url} does not answer (is it running, and on this "
            f"network?): {exc}"
        ) from exc
    except httpx.TimeoutException as exc:
        raise TeamError(f"the team server {endpoint.url} timed out") from exc
    except httpx.HTTPError as exc:
        raise TeamError(f"cannot talk to the team server {endpoint.url}: {exc}") from exc
    try:
        version = answer.json()
        beat.json()["nanosecond heartbeat"]
    except (ValueError, KeyError, TypeError) as exc:
        raise TeamError(f"{endpoint.url} answers, but it is not a Chroma server") from exc
    if not isinstance(version, str) or not version.startswith(SUPPORTED_API):
        raise TeamError(
            f"the team server {endpoint.url} speaks Chroma API {version!r}; this app needs "
            f"{SUPPORTED_API}x (the server from chromadb 1.x)"
        )
    return version


def _check_status(resp: httpx.Response, url: str) -> None:
    if resp.status_code in (401, 403):
        raise TeamError(
            f"the team server {url} refused the token (HTTP {resp.status_code}): check "
            "`team connect URL --token T` with the squad's token"
        )
    if resp.status_code >= 400:
        raise TeamError(f"the team server {url} answered HTTP {resp.status_code}")


def _not_found(exc: Exception) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError) or "does not exist" in str(exc)


def as_team_error(exc: Exception, url: str) -> TeamError:
    """A chromadb or httpx failure in words (the server went away, a token, a bad answer)."""
    from chromadb.errors import AuthorizationError, ChromaAuthError

    if isinstance(exc, TeamError):
        return exc
    if isinstance(exc, (AuthorizationError, ChromaAuthError)):
        return TeamError(f"the team server {url} refused the token: {exc}")
    if isinstance(exc, httpx.ConnectError) or "Could not connect" in str(exc):
        return TeamError(
            f"the team server {url} does not answer (stopped, or off this network); your "
            "own library still works"
        )
    if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in (401, 403):
        return TeamError(f"the team server {url} refused the token")
    if isinstance(exc, httpx.HTTPError):
        return TeamError(f"the team server {url} failed: {exc}")
    return TeamError(f"the team server {url} failed: {type(exc).__name__}: {exc}")
