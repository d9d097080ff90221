"""A web server on 127.0.0.1 for the web and model-download tests (CI has no internet).

Routes are registered per test: `server.add("/a", Response(body=...))` then fetch
`server.url("/a")`. Behaviours real servers have are switches on the Response: slow
bytes, an endless body, a connection dropped halfway, byte ranges for resumed downloads.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the status line (a server that thinks)
    chunk_delay_s: float = 0.0  # between 1 KiB chunks of the body (a slow page)
    ranges: bool = False  # honour "Range: bytes=N-" (resumable downloads)
    drop_after: int | None = None  # close the connection after this many body bytes
    drop_once: bool = True  # ...only on the first request (the retry gets everything)
    endless: bool = False  # stream bytes forever with no Content-Length (a huge page)
    location: str = ""  # for 3xx responses


Handler = Callable[[BaseHTTPRequestHandler], None]


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Response | Handler] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._dropped: set[str] = set()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        # A short poll interval: shutdown waits for it, once per test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, response: Response | Handler) -> str:
        self.routes[path] = response
        return self.url(path)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet tests
                pass

            def handle(self) -> None:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client left
                    super().handle()

            def do_GET(self) -> None:
                path = self.path
                server.hits[path.split("?", 1)[0]] += 1
                server.requests.append((path, dict(self.headers.items())))
                route = server.routes.get(path) or server.routes.get(path.split("?", 1)[0])
                if route is None:
                    self._send(Response(b"<h1>Not found</h1>", status=404))
                elif isinstance(route, Response):
                    self._send(route)
                else:
                    route(self)

            def _send(self, r: Response) -> None:
                if r.delay_s:
                    time.sleep(r.delay_s)
                body, status = r.body, r.status
                headers = {"Content-Type": r.content_type, **r.headers}
                if r.location:
                    headers["Location"] = r.location
                start = 0
                m = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
                if r.ranges:
                    headers["Accept-Ranges"] = "bytes"
                    if m and int(m.group(1)) < len(body):
                        start = int(m.group(1))
                        status = 206
                        headers["Content-Range"] = f"bytes {start}-{len(body) - 1}/{len(body)}"
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if r.endless:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self._endless(r)
                    return
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                payload = body[start:]
                key = self.path
                if r.drop_after is not None and not (r.drop_once and key in server._dropped):
                    server._dropped.add(key)
                    self.wfile.write(payload[: r.drop_after])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                for i in range(0, len(payload), 1024):
                    self.wfile.write(payload[i : i + 1024])
                    if r.chunk_delay_s:
                        self.wfile.flush()
                        time.sleep(r.chunk_delay_s)

            def _endless(self, r: Response) -> None:
                chunk = b"<p>" + b"filler words " * 600 + b"</p>\n"
                try:
                    while True:
                        self.wfile.write(chunk)
                        if r.chunk_delay_s:
                            time.sleep(r.chunk_delay_s)
                except OSError:  # the client hung up, as it should
                    return

        return _Handler


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    try:
        yield server
    finally:
        server.close()
