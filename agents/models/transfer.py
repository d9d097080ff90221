"""HTTP pieces of a model download: a GET that follows redirects only to addresses the
network policy allows, Content-Range parsing, and a smoothed transfer rate."""

from __future__ import annotations

import collections
import re
import time
from urllib.parse import urljoin

import httpx

from evidence.errors import ModelFileError, WebError
from evidence.network import NetworkPolicy

MAX_REDIRECTS = 10
RATE_WINDOW_S = 5.0  # speed is averaged over the last few seconds, so it does not jitter
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)", re.IGNORECASE)


def open_stream(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    policy: NetworkPolicy,
    action: str,
) -> httpx.Response:
    """Send a streaming GET; every redirect target passes policy.check_url before it is
    contacted (Hugging Face "resolve" links redirect to a CDN). The caller closes the
    response."""
    for _ in range(MAX_REDIRECTS + 1):
        response = client.send(client.build_request("GET", url, headers=headers), stream=True)
        if not response.is_redirect:
            return response
        location = response.headers.get("location", "")
        response.close()
        if not location:
            raise WebError(f"{url} redirects without saying where to")
        url = urljoin(url, location)
        policy.check_url(url, action)
    raise WebError(f"more than {MAX_REDIRECTS} redirects for {action}; refused")


def http_error(status: int, url: str) -> ModelFileError:
    if status == 404:
        return ModelFileError(
            f"the model file is not at {url} (HTTP 404 Not Found): the publisher may have "
            "moved or removed it; an app update will bring a corrected catalog"
        )
    if status in (401, 403):
        return ModelFileError(
            f"the server refused the download of {url} (HTTP {status}): the model may need "
            "an account or licence acceptance on its page"
        )
    if status == 429 or status >= 500:
        return ModelFileError(
            f"the server could not send {url} right now (HTTP {status}); try again later"
        )
    return ModelFileError(f"unexpected answer HTTP {status} from {url}")


def content_range(header: str) -> tuple[int | None, int | None]:
    """(first byte, complete length) from a Content-Range header; None where not stated."""
    m = _CONTENT_RANGE.fullmatch(header.strip())
    if not m:
        return None, None
    start = int(m.group(1)) if m.group(1) else None
    total = int(m.group(3)) if m.group(3) != "*" else None
    return start, total


def body_length(response: httpx.Response) -> int | None:
    """Bytes of the body as the file has them: Content-Length unless the body is encoded."""
    if response.headers.get("content-encoding", "identity").lower() != "identity":
        return None
    raw = response.headers.get("content-length", "")
    return int(raw) if raw.isdigit() else None


class RateMeter:
    """Bytes per second over a sliding window, and the time left at that rate."""

    def __init__(self, window_s: float = RATE_WINDOW_S) -> None:
        self.window_s = window_s
        self._samples: collections.deque[tuple[float, int]] = collections.deque()

    def add(self, done: int, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window_s:
            self._samples.popleft()
        return self.rate

    @property
    def rate(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0

    def seconds_left(self, done: int, total: int | None) -> float | None:
        rate = self.rate
        if total is None or rate <= 0:
            return None
        return max(0.0, (total - done) / rate)
