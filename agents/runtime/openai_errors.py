"""Why a model server did not answer, in one sentence each: the errors the OpenAI-compatible
generator raises. All are GenerationError, so a team step fails with the reason as for a
local model."""

from __future__ import annotations

import json
import ssl
from email.utils import parsedate_to_datetime
from time import time

import httpx

from agents.runtime.generation import GenerationError, GeneratorUnavailable


class ModelServerError(GenerationError):
    """The model server could not be used; the message says why and what to do."""


class ServerUnreachable(ModelServerError, GeneratorUnavailable):
    """Nothing answers at the address (refused, no such host, connect timeout)."""


class ServerTLSError(ModelServerError, GeneratorUnavailable):
    """The https connection failed (certificate or protocol)."""


class ServerAuthError(ModelServerError, GeneratorUnavailable):
    """401/403: the API key is missing, wrong or lacks access."""


class UnknownServerModel(ModelServerError, GeneratorUnavailable):
    """The server does not serve the model name in Settings."""


class ServerBusy(ModelServerError):
    """429: the server asks to wait; `retry_after` is in seconds when it said."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerFailure(ModelServerError):
    """5xx: the server failed while handling the request."""


class ServerRefused(ModelServerError):
    """Another 4xx: the server refused the request itself (its reason is quoted)."""


class StreamCut(ModelServerError):
    """The answer stopped mid-stream (the connection closed or no byte came in time)."""


class ServerGarbage(ModelServerError):
    """The server answered something that is not the OpenAI API's JSON."""


def server_reason(body: bytes) -> str:
    """The message in an OpenAI-style error body ({"error": {"message": ...}}), else the
    start of the body as text."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data))
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(err, str):
            return err
        return json.dumps(err)[:300]
    text = body.decode("utf-8", "replace").strip()
    return text[:300] + ("…" if len(text) > 300 else "")


def error_for_status(
    status: int, body: bytes, headers: httpx.Headers, url: str, model: str
) -> ModelServerError:
    reason = server_reason(body)
    quoted = f" (the server said: {reason})" if reason else ""
    if status in (401, 403):
        what = "has no valid API key" if status == 401 else "is not allowed to use this model"
        return ServerAuthError(
            f"the model server at {url} says this app {what} ({status}){quoted}; "
            "check the API key in Settings ▸ Model"
        )
    if status == 404 or (status in (400, 422) and _names_model(reason, model)):
        return UnknownServerModel(
            f"the model server at {url} does not serve a model named {model!r}{quoted}; "
            "pick one of its models in Settings ▸ Model"
        )
    if status == 429:
        wait = retry_after_seconds(headers.get("retry-after"))
        when = f"try again in {wait:.0f} s" if wait is not None else "try again shortly"
        return ServerBusy(
            f"the model server at {url} is busy or over its rate limit (429){quoted}; {when}",
            wait,
        )
    if status >= 500:
        return ServerFailure(
            f"the model server at {url} failed with error {status}{quoted}; "
            "its log says why (out of memory, a crashed model…)"
        )
    return ServerRefused(f"the model server at {url} refused the request ({status}){quoted}")


def error_for_transport(exc: Exception, url: str, tokens: int) -> ModelServerError:
    """A connection-level failure as a sentence; `tokens` already streamed tell a cut."""
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, httpx.ConnectError) and (
        isinstance(cause, ssl.SSLError) or "SSL" in str(exc) or "CERTIFICATE" in str(exc)
    ):
        return ServerTLSError(
            f"the secure (https) connection to {url} failed: {exc}; check the address, "
            "or the server's certificate"
        )
    if isinstance(exc, httpx.ConnectTimeout):
        return ServerUnreachable(f"the model server at {url} did not answer in time (connect)")
    if isinstance(exc, httpx.ConnectError):
        return ServerUnreachable(
            f"cannot connect to the model server at {url} ({exc}); is it running, "
            "and is the address right?"
        )
    if isinstance(exc, httpx.ReadTimeout):
        return StreamCut(
            f"the model server at {url} sent nothing for too long after {tokens} tokens "
            "(read timeout); it may be overloaded"
        )
    return StreamCut(
        f"the connection to the model server at {url} broke after {tokens} tokens "
        f"({type(exc).__name__}: {exc}); the answer is incomplete"
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time())
    except (TypeError, ValueError):
        return None


def _names_model(reason: str, model: str) -> bool:
    low = reason.lower()
    return "model" in low and (model.lower() in low or "not found" in low or "exist" in low)
