"""Each way a model server fails, as a real local failure: a port nobody listens on, https
to a plain-http server, and a stdlib server on 127.0.0.1 answering 401/403/404/429/500,
garbage, a stream cut or stalled mid-answer. Each is its own error class with a sentence."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest

from agents.runtime.generation import GenerationError, GenerationRequest
from agents.runtime.openai_errors import (
    ServerAuthError,
    ServerBusy,
    ServerFailure,
    ServerGarbage,
    ServerTLSError,
    ServerUnreachable,
    StreamCut,
    UnknownServerModel,
    retry_after_seconds,
)
from agents.runtime.openai_generator import OpenAIGenerator
from evidence.network import NetworkPolicy

if TYPE_CHECKING:
    from tests.model_server import FakeOpenAI

pytest_plugins = ["tests.model_server"]

LOCAL = NetworkPolicy(enabled=True, allow_private=True)


def generator(base_url: str, **kwargs: object) -> OpenAIGenerator:
    return OpenAIGenerator(base_url, "big-model", policy=LOCAL, **kwargs)  # type: ignore[arg-type]


def ask(gen: OpenAIGenerator, **kwargs: object) -> tuple[list[str], Exception | None]:
    """The pieces streamed before the failure, and the failure."""
    prompt = gen.chat_prompt("You write tags.", "Whales recover.")
    pieces: list[str] = []
    try:
        for piece in gen.stream(GenerationRequest(prompt, max_tokens=20, **kwargs)):  # type: ignore[arg-type]
            pieces.append(piece)
    except GenerationError as exc:
        return pieces, exc
    return pieces, None


def test_a_well_behaved_stream_and_what_is_sent(fake_openai: FakeOpenAI) -> None:
    from tests.model_server import delta, sse, stream_then

    usage = {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 3}}
    body = sse(delta("Whales"), delta(" recover"), delta(".", "stop"), usage, "[DONE]")
    fake_openai.reply = stream_then(body)
    gen = generator(fake_openai.base_url, api_key="sk-squad")
    pieces, error = ask(gen)
    assert error is None and pieces == ["Whales", " recover", "."]
    stats = gen.last_stats
    assert (stats.prompt_tokens, stats.generated_tokens, stats.stopped_by) == (9, 3, "stop")
    assert stats.extra["usage"] == "reported"
    sent = fake_openai.requests[-1]
    assert sent["model"] == "big-model" and sent["stream"] is True
    assert sent["messages"] == [
        {"role": "system", "content": "You write tags."},
        {"role": "user", "content": "Whales recover."},
    ]
    assert sent["stream_options"] == {"include_usage": True}
    assert fake_openai.headers[-1]["Authorization"] == "Bearer sk-squad"
    gen.close()


def test_a_stop_string_the_server_ignores_still_ends_the_answer(fake_openai: FakeOpenAI) -> None:
    from tests.model_server import delta, sse, stream_then

    body = sse(delta("Sanctions"), delta(" fail.\nCard"), delta(" two", "stop"), "[DONE]")
    fake_openai.reply = stream_then(body)
    pieces, error = ask(generator(fake_openai.base_url), stop=("\n",))
    assert error is None and "".join(pieces) == "Sanctions fail."


def test_refused_port_is_unreachable() -> None:
    from tests.model_server import free_port

    pieces, error = ask(generator(f"http://127.0.0.1:{free_port()}"))
    assert isinstance(error, ServerUnreachable) and not pieces
    assert "cannot connect to the model server" in str(error) and "is it running" in str(error)


def test_https_to_a_plain_http_server_is_a_tls_failure(fake_openai: FakeOpenAI) -> None:
    https = fake_openai.base_url.replace("http://", "https://")
    _, error = ask(generator(https))
    assert isinstance(error, ServerTLSError)
    assert "secure (https) connection" in str(error)


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "words"),
    [
        (401, b'{"error": {"message": "Invalid API key"}}', {}, ServerAuthError,
         ["no valid API key (401)", "Invalid API key", "check the API key"]),
        (403, b'{"error": {"message": "forbidden"}}', {}, ServerAuthError,
         ["not allowed to use this model (403)"]),
        (404, b'{"error": {"message": "The model `big-model` does not exist",'
              b' "code": "model_not_found"}}', {}, UnknownServerModel,
         ["does not serve a model named 'big-model'", "pick one of its models"]),
        (400, b'{"object": "error", "message": "The model `big-model` does not exist."}', {},
         UnknownServerModel, ["does not serve a model named 'big-model'"]),
        (429, b'{"error": {"message": "rate limited"}}', {"Retry-After": "7"}, ServerBusy,
         ["busy or over its rate limit (429)", "try again in 7 s"]),
        (500, b"Internal Server Error", {}, ServerFailure,
         ["failed with error 500", "Internal Server Error"]),
        (503, b'{"error": {"message": "model is loading"}}', {}, ServerFailure,
         ["error 503", "model is loading"]),
        (200, b"<html>a captive portal</html>", {}, ServerGarbage,
         ["did not stream its answer", "text/html"]),
    ],
    ids=["401", "403", "404", "400-unknown-model", "429", "500", "503", "html"],
)  # fmt: skip
def test_each_status_is_its_own_error(
    fake_openai: FakeOpenAI, status: int, body: bytes, headers: dict[str, str],
    kind: type[Exception], words: list[str],
) -> None:  # fmt: skip
    from tests.model_server import send

    content_type = "text/html" if body.startswith((b"<", b"Internal")) else "application/json"
    fake_openai.reply = send(status, body, content_type, headers)
    _, error = ask(generator(fake_openai.base_url))
    assert isinstance(error, kind), error
    for word in words:
        assert word in str(error)
    if isinstance(error, ServerBusy):
        assert error.retry_after == 7


def test_garbage_in_the_stream(fake_openai: FakeOpenAI) -> None:
    from tests.model_server import delta, sse, stream_then

    fake_openai.reply = stream_then(sse(delta("Whales"), "<<<not json>>>", "[DONE]"))
    pieces, error = ask(generator(fake_openai.base_url))
    assert pieces == ["Whales"] and isinstance(error, ServerGarbage)
    assert "not JSON in its stream" in str(error)


def test_an_error_reported_mid_stream(fake_openai: FakeOpenAI) -> None:
    from tests.model_server import delta, sse, stream_then

    body = sse(delta("Whales"), {"error": {"message": "CUDA out of memory"}})
    fake_openai.reply = stream_then(body)
    _, error = ask(generator(fake_openai.base_url))
    assert isinstance(error, ServerFailure) and "mid-answer: CUDA out of memory" in str(error)


def test_a_stream_cut_mid_answer(fake_openai: FakeOpenAI) -> None:
    from tests.model_server import delta, sse, stream_then

    fake_openai.reply = stream_then(sse(delta("Whales"), delta(" recover")), cut=True)
    gen = generator(fake_openai.base_url)
    pieces, error = ask(gen)
    assert pieces == ["Whales", " recover"] and isinstance(error, StreamCut)
    assert "after 2 tokens" in str(error)
    assert gen.last_stats.stopped_by == "error" and gen.last_stats.generated_tokens == 2


def test_a_stalled_stream_hits_the_read_timeout(fake_openai: FakeOpenAI) -> None:
    from tests.model_server import delta, sse, stream_then

    fake_openai.reply = stream_then(sse(delta("Whales")), stall_s=5)
    started = time.perf_counter()
    _, error = ask(generator(fake_openai.base_url, read_timeout_s=0.5))
    assert isinstance(error, StreamCut) and "read timeout" in str(error)
    assert time.perf_counter() - started < 3


def test_stop_during_a_stalled_stream_returns_within_a_second(fake_openai: FakeOpenAI) -> None:
    from tests.model_server import delta, sse, stream_then

    fake_openai.reply = stream_then(sse(delta("Whales")), stall_s=30)
    gen = generator(fake_openai.base_url)
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    timer.start()
    prompt = gen.chat_prompt("", "Whales.")
    started = time.perf_counter()
    pieces = list(gen.stream(GenerationRequest(prompt, max_tokens=20), stop.is_set))
    assert pieces == ["Whales"] and gen.last_stats.stopped_by == "cancel"
    assert time.perf_counter() - started < 1.5  # 0.5 s until Stop, then at most a poll
    timer.join()


def test_a_server_refusing_json_schema_gets_the_next_json_mode(fake_openai: FakeOpenAI) -> None:
    from tests.model_server import delta, send, sse, stream_then

    refusal = send(400, b'{"error": {"message": "response_format json_schema unsupported"}}')
    answer = stream_then(sse(delta('{"tag": "Whales recover"}', "stop"), "[DONE]"))

    def reply(handler):  # type: ignore[no-untyped-def]
        kind = fake_openai.requests[-1].get("response_format", {}).get("type")
        (refusal if kind == "json_schema" else answer)(handler)

    fake_openai.reply = reply
    schema = {"type": "object", "properties": {"tag": {"type": "string"}}}
    gen = generator(fake_openai.base_url)
    pieces, error = ask(gen, json_schema=schema)
    assert error is None and "".join(pieces) == '{"tag": "Whales recover"}'
    assert [r["response_format"]["type"] for r in fake_openai.requests] == [
        "json_schema", "json_object",
    ]  # fmt: skip
    assert fake_openai.requests[-1]["response_format"]["schema"] == schema
    ask(gen, json_schema=schema)  # remembered: no second refusal
    assert len(fake_openai.requests) == 3


def test_retry_after_as_an_http_date() -> None:
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # long past
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("soon") is None
