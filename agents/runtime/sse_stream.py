"""One streaming POST to a server, read in a daemon thread and handed over through a queue.

The reading thread blocks on the socket; the caller's thread polls the queue and its cancel
check every POLL_S, so Stop is seen within that however slow the server is (a read timeout
cannot do this: httpx drops the connection once a read times out). On cancel the socket is
shut down, which ends the blocked read at once, and the thread exits by itself."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from evidence.cancel import CancelCheck

POLL_S = 0.05
MAX_ERROR_BODY = 64 * 1024  # an error page is read this far, never a whole huge body


@dataclass(frozen=True)
class StatusReply(Exception):
    """The server answered with an error status (or a plain body where a stream was asked)."""

    status: int
    body: bytes
    headers: httpx.Headers


class SseStream:
    """The data payloads of one server-sent-events response (`data: ...` lines joined)."""

    def __init__(self, client: httpx.Client, url: str, payload: dict[str, Any]) -> None:
        self._client, self._url, self._payload = client, url, payload
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._response: httpx.Response | None = None
        self.cancelled = False

    def events(self, cancel: CancelCheck) -> Iterator[str]:
        """Yield each event's data; return early (cancelled=True) once cancel() is true.
        Raises StatusReply, or the transport's exception (httpx.ConnectError, ...)."""
        thread = threading.Thread(target=self._pump, name="model-server-stream", daemon=True)
        thread.start()
        try:
            while True:
                if cancel():
                    self.cancelled = True
                    return
                try:
                    kind, value = self._queue.get(timeout=POLL_S)
                except queue.Empty:
                    continue
                if kind == "data":
                    yield value
                elif kind == "end":
                    return
                else:
                    raise value
        finally:
            self.close()

    def close(self) -> None:
        """Stop reading: the blocked read in the thread ends at once."""
        self._stop.set()
        response = self._response
        if response is None:
            return  # still connecting: the thread sees _stop when the headers arrive
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _pump(self) -> None:
        try:
            with self._client.stream("POST", self._url, json=self._payload) as response:
                self._response = response
                if self._stop.is_set():
                    return
                kind = response.headers.get("content-type", "")
                if response.status_code >= 400 or "text/event-stream" not in kind:
                    body = _read_some(response)
                    headers = response.headers
                    self._queue.put(("error", StatusReply(response.status_code, body, headers)))
                    return
                data: list[str] = []
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if not line:  # a blank line ends an event
                        if data:
                            self._queue.put(("data", "\n".join(data)))
                            data = []
                        continue
                    field, _, value = line.partition(":")
                    if field == "data":
                        data.append(value[1:] if value.startswith(" ") else value)
                if data:
                    self._queue.put(("data", "\n".join(data)))
                self._queue.put(("end", None))
        except Exception as exc:  # handed to the caller's thread, which raises it
            if not self._stop.is_set():
                self._queue.put(("error", exc))


def _read_some(response: httpx.Response) -> bytes:
    out = bytearray()
    for chunk in response.iter_bytes():
        out += chunk
        if len(out) >= MAX_ERROR_BODY:
            break
    return bytes(out[:MAX_ERROR_BODY])
