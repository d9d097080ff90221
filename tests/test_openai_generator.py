"""The model-server generator against llama-cpp-python's own OpenAI-compatible server
serving the bundled Gemma 3 270M (nothing mocked): streaming, JSON plans, cancel, the
network switch, the model list."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from agents.models.server_setup import server_generator, server_models
from agents.runtime.generation import GenerationRequest, Generator
from agents.runtime.openai_errors import ModelServerError
from agents.runtime.openai_generator import OpenAIGenerator
from agents.team.analyzer import ask_claims, plan_prompt
from evidence.errors import EvidenceError
from evidence.network import NetworkPolicy
from evidence.settings import Settings
from tests.netguard import SocketGuard

if TYPE_CHECKING:  # the fixture module loads as a plugin (importing it first warns)
    from tests.model_server import LlamaServer

pytest_plugins = ["tests.fixtures_models", "tests.model_server"]

LOCAL = NetworkPolicy(enabled=True, allow_private=True)
QUESTION = "Write one sentence: why did the whaling moratorium help humpback whales recover?"


@pytest.fixture
def server_gen(llama_server: LlamaServer) -> Iterator[OpenAIGenerator]:
    with OpenAIGenerator(llama_server.base_url, llama_server.model, policy=LOCAL) as gen:
        yield gen


def greedy(gen: Generator, max_tokens: int, **kwargs: object) -> GenerationRequest:
    prompt = gen.chat_prompt("You write debate evidence tags.", QUESTION)
    return GenerationRequest(prompt, max_tokens=max_tokens, temperature=0.0, **kwargs)  # type: ignore[arg-type]


def test_streams_tokens_and_counts_them_like_the_local_generator(
    server_gen: OpenAIGenerator,
) -> None:
    as_protocol: Generator = server_gen
    pieces = list(as_protocol.stream(greedy(as_protocol, 12)))
    stats = as_protocol.last_stats
    assert len(pieces) >= 3 and all(pieces)
    assert stats.generated_tokens == 12 and stats.stopped_by == "length"
    assert 0 < stats.seconds_to_first_token <= stats.seconds
    assert stats.prompt_tokens > 0 and stats.extra["usage"] in ("reported", "counted")
    # Greedy decoding on the server is deterministic too.
    assert "".join(as_protocol.stream(greedy(as_protocol, 12))) == "".join(pieces)
    assert server_gen.model_id == f"gemma-3-270m@{server_gen.base_url}"


def test_a_stop_string_ends_the_answer_before_it(server_gen: OpenAIGenerator) -> None:
    full = server_gen.complete(greedy(server_gen, 16))
    word = full.split()[1]  # the answer's second word: stop there
    cut = server_gen.complete(greedy(server_gen, 16, stop=(word,)))
    assert cut == full[: full.index(word)] and server_gen.last_stats.stopped_by == "stop"


def test_the_analyzer_plans_through_a_json_schema(server_gen: OpenAIGenerator) -> None:
    prompt = plan_prompt(server_gen, "block", "Economic sanctions change regimes' behaviour")
    steps = ask_claims(server_gen, prompt, 2, 240, lambda: False)
    streamed = []
    while True:
        try:
            streamed.append(next(steps))
        except StopIteration as stop:
            claims = stop.value
            break
    assert streamed, "the plan is streamed as Analyzer tokens"
    assert claims is not None and len(claims) == 2
    assert all(isinstance(c, str) and len(c) >= 8 for c in claims)
    # llama-cpp-python refuses response_format json_schema: the next mode (its json_object
    # with a schema, a grammar on the server) was used, and is remembered.
    assert server_gen.last_stats.extra["json_mode"] == "json_object_schema"


def test_stop_closes_the_stream_within_a_second(server_gen: OpenAIGenerator) -> None:
    stop = threading.Event()
    pieces: list[str] = []
    stopped_at = 0.0
    for piece in server_gen.stream(greedy(server_gen, 400), stop.is_set):
        pieces.append(piece)
        if len(pieces) == 3:
            stop.set()
            stopped_at = time.perf_counter()
    ended = time.perf_counter() - stopped_at
    assert len(pieces) == 3, "no piece after Stop"
    assert ended < 1.0
    assert server_gen.last_stats.stopped_by == "cancel"
    # The server is fine afterwards.
    assert server_gen.complete(greedy(server_gen, 4))


def test_the_model_list_comes_from_the_server(llama_server: LlamaServer) -> None:
    settings = Settings(web_access=True, web_allow_private=True, server_url=llama_server.base_url)
    assert [m.id for m in server_models(settings)] == ["gemma-3-270m"]
    # The root address works too: /v1 is added.
    root = llama_server.base_url.removesuffix("/v1")
    assert [m.id for m in server_models(settings, url=root)] == ["gemma-3-270m"]


def test_web_off_sends_nothing(llama_server: LlamaServer, socket_guard: SocketGuard) -> None:
    with (
        OpenAIGenerator(
            llama_server.base_url, llama_server.model, policy=NetworkPolicy(enabled=False)
        ) as gen,
        pytest.raises(ModelServerError, match="web access is off"),
    ):
        gen.stream(greedy(gen, 4))
    settings = Settings(
        generator_source="server", server_url=llama_server.base_url, server_model="gemma-3-270m"
    )
    with pytest.raises(EvidenceError, match=r"web access is off.*model server"):
        server_generator(settings)
    assert socket_guard.attempts == []


def test_a_server_on_this_computer_needs_allow_local_addresses(llama_server: LlamaServer) -> None:
    settings = Settings(
        web_access=True, generator_source="server",
        server_url=llama_server.base_url, server_model="gemma-3-270m",
    )  # fmt: skip
    with pytest.raises(EvidenceError, match=r"private or local address.*allow local addresses"):
        server_generator(settings)
    settings.web_allow_private = True
    gen = server_generator(settings)
    try:
        assert gen.complete(greedy(gen, 3))
        settings.web_access = False  # the switch is followed while the generator lives
        with pytest.raises(ModelServerError, match="web access is off"):
            gen.complete(greedy(gen, 3))
    finally:
        gen.close()
