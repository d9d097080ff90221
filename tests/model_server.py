"""Model servers on 127.0.0.1 for the model-server tests (CI has no internet).

`llama_server`: llama-cpp-python's own OpenAI-compatible server (`python -m llama_cpp.server`)
serving the bundled Gemma 3 270M, started once per session on a free port and stopped after.
`fake_openai`: a stdlib HTTP server whose chat-completions answer a test chooses (an error
status, garbage, a stream cut off or stalled), for the failures a real server rarely shows.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

MODEL_ALIAS = "gemma-3-270m"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LlamaServer:
    base_url: str  # http://127.0.0.1:PORT/v1
    model: str
    process: subprocess.Popen[bytes]


def start_llama_server(model_path: Path, log_path: Path, threads: int = 1) -> LlamaServer:
    """Start the server and wait until it lists its model (raises after 120 s)."""
    port = free_port()
    # The bundled Gemma is a base model (no chat template in the file): the server is told
    # its turn format, as a squad would for such a model.
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model_path),
        "--model_alias", MODEL_ALIAS, "--chat_format", "gemma",
        "--host", "127.0.0.1", "--port", str(port),
        "--n_threads", str(threads), "--n_ctx", "4096",
    ]  # fmt: skip
    log = log_path.open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the llama.cpp server exited: {log_path.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/models", timeout=2).status_code == 200:
                return LlamaServer(base, MODEL_ALIAS, process)
        time.sleep(0.3)
    stop_llama_server(process)
    raise RuntimeError(f"the llama.cpp server did not start: {log_path.read_text()[-2000:]}")


def stop_llama_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def llama_server(
    generator_gguf: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LlamaServer]:
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    server = start_llama_server(generator_gguf, log)
    try:
        yield server
    finally:
        stop_llama_server(server.process)


# -- a scripted OpenAI-compatible server ----------------------------------------------------

Reply = Callable[[BaseHTTPRequestHandler], None]


def sse(*chunks: Mapping[str, object] | str) -> bytes:
    """A server-sent-events body: each chunk as one `data:` event."""
    return b"".join(
        b"data: " + (c if isinstance(c, str) else json.dumps(c)).encode() + b"\n\n" for c in chunks
    )


def delta(text: str, finish: str | None = None) -> dict[str, object]:
    return {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}]}


def send(
    status: int,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Reply:
    def reply(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return reply


def stream_then(body: bytes, *, stall_s: float = 0.0, cut: bool = False) -> Reply:
    """Stream `body` as an event stream, then stall (a server that stops sending) or cut
    the connection (a crash mid-answer); neither ever sends [DONE]."""

    def reply(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        if stall_s:
            time.sleep(stall_s)
        if cut:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)

    return reply


class FakeOpenAI:
    """POST /v1/chat/completions and GET /v1/models answer with `self.reply`."""

    def __init__(self) -> None:
        self.reply: Reply = send(200, b"{}")
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def handle(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
                    super().handle()

            def do_GET(self) -> None:
                fake.headers.append(dict(self.headers.items()))
                fake.reply(self)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                fake.requests.append(json.loads(self.rfile.read(length) or b"{}"))
                fake.headers.append(dict(self.headers.items()))
                fake.reply(self)

        return Handler


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    try:
        yield server
    finally:
        server.close()
