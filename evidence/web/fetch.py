"""Fetch one web page under the network policy, with the limits a desktop app needs.

Redirects are followed here, not by httpx, so that every hop passes the policy (a public page
must not redirect the app into the local network) and loops are reported as loops. The body
is streamed and cut off at the size limit; the declared type is checked before any of it is
read, so a link to a video does not download the video.
"""

from __future__ import annotations

import codecs
import importlib.metadata
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin

import httpx

from evidence.cancel import CancelCheck
from evidence.errors import EmptyFile, FileTooLarge, WebError
from evidence.network import NetworkPolicy
from evidence.web.transport import policy_transport
from evidence.web.urls import normalize_url, site_host

log = logging.getLogger(__name__)

# A page may take this many times the per-read timeout in all (a server trickling bytes
# slower than the timeout could otherwise hold an import for hours).
TOTAL_TIMEOUT_FACTOR = 5
_REDIRECTS = {301, 302, 303, 307, 308}

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED_TYPES = {
    "text/html", "application/xhtml+xml", "application/pdf", "application/x-pdf",
    "text/plain", "text/markdown", "text/x-markdown", DOCX_TYPE,
}  # fmt: skip
# Types servers use when they do not know: the bytes decide (evidence.parsers.sniff), as for files.
GENERIC_TYPES = {
    "", "application/octet-stream", "binary/octet-stream", "application/download",
    "application/x-download", "application/force-download", "application/unknown",
    "application/binary",
}  # fmt: skip


def _user_agent() -> str:
    try:
        version = importlib.metadata.version("debate-prep")
    except importlib.metadata.PackageNotFoundError:
        version = "dev"
    # Honest: says what is asking, so a site can tell it from a browser or a crawler.
    return f"DebatePrep/{version} (desktop debate-evidence app; fetches pages its user asks for)"


USER_AGENT = _user_agent()
_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,text/plain;q=0.8,*/*;q=0.5",
}


@dataclass(frozen=True)
class FetchedPage:
    url: str  # as requested (normalised)
    final_url: str  # after redirects
    status: int
    content_type: str  # the media type, lowercased, without parameters
    charset: str  # from the Content-Type header; "" when it named none (or an unknown one)
    data: bytes
    fetched_at: datetime  # UTC

    @property
    def host(self) -> str:
        return site_host(self.final_url)


class FetchCancelled(WebError):
    """The user cancelled while the page was downloading; the address stays queued."""


def fetch_url(
    url: str,
    policy: NetworkPolicy,
    *,
    max_bytes: int,
    timeout_s: float,
    max_redirects: int = 5,
    cancel: CancelCheck = lambda: False,
    total_timeout_s: float | None = None,
) -> FetchedPage:
    """GET `url` and return its body. Raises NetworkDisabled when web access is off (before
    any name lookup), WebError with a reason the user can act on, FileTooLarge over
    `max_bytes`, EmptyFile for an empty body, FetchCancelled when `cancel()` turns true."""
    start = normalize_url(url)
    policy.check_url(start, f"fetching {start}")
    deadline = time.monotonic() + (total_timeout_s or timeout_s * TOTAL_TIMEOUT_FACTOR)
    seen = [urldefrag(start).url]
    current = start
    log.info("fetching %s", start)
    with httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=False,
        headers=_HEADERS,
        transport=policy_transport(policy),
    ) as client:
        while True:
            if cancel():
                raise FetchCancelled("cancelled while fetching the page")
            try:
                with client.stream("GET", current) as response:
                    if response.status_code not in _REDIRECTS:
                        return _read(response, start, current, max_bytes, deadline, cancel)
                    target = _redirect_target(response, current)
            except httpx.TimeoutException as exc:
                raise WebError(_timeout_reason(exc, timeout_s)) from exc
            except httpx.HTTPError as exc:
                raise WebError(_transport_reason(exc, current)) from exc
            key = urldefrag(target).url
            if key in seen:
                raise WebError(f"the site redirects in a loop ({' -> '.join([*seen, key])})")
            if len(seen) > max_redirects:
                raise WebError(f"more than {max_redirects} redirects; stopped at {target}")
            log.info("redirect %s -> %s", current, target)
            policy.check_url(target, f"following a redirect to {target}")
            seen.append(key)
            current = target


def _redirect_target(response: httpx.Response, current: str) -> str:
    location = response.headers.get("location", "").strip()
    if not location:
        raise WebError(f"the site sent a redirect (HTTP {response.status_code}) to nowhere")
    try:
        return normalize_url(urljoin(current, location))
    except WebError as exc:
        raise WebError(f"the page redirects to an address that cannot be fetched: {exc}") from exc


def _read(
    response: httpx.Response,
    start: str,
    current: str,
    max_bytes: int,
    deadline: float,
    cancel: CancelCheck,
) -> FetchedPage:
    status = response.status_code
    if not 200 <= status < 300:
        raise WebError(status_reason(status, response.reason_phrase))
    content_type = response.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    refused = refused_type(media_type)
    if refused:
        raise WebError(refused)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FileTooLarge(_too_large(f"is {int(declared) / 2**20:,.1f} MB", max_bytes))
    chunks: list[bytes] = []
    size = 0
    # Decoded bytes as they arrive: the limit holds after gzip too, and the checks run per read.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(_too_large("is larger than that", max_bytes))
        if cancel():
            raise FetchCancelled("cancelled while fetching the page")
        if time.monotonic() > deadline:
            raise WebError(f"the page is arriving too slowly (only {size:,} bytes so far); gave up")
        chunks.append(chunk)
    if size == 0:
        raise EmptyFile(f"the page is empty (HTTP {status} with no content)")
    page = FetchedPage(
        url=start,
        final_url=str(response.url) if response.url else current,
        status=status,
        content_type=media_type,
        charset=_charset(response),
        data=b"".join(chunks),
        fetched_at=datetime.now(UTC),
    )
    log.info("fetched %s: %s, %d bytes", page.final_url, media_type or "no type", size)
    return page


def status_reason(status: int, phrase: str = "") -> str:
    """What an HTTP error status means for the user."""
    code = f"HTTP {status}" + (f" {phrase}" if phrase else "")
    if status in (404, 410):
        return f"page not found ({code}): the address is mistyped or the page was removed"
    if status in (401, 403):
        return (
            f"the site needs a login or blocks automated access ({code}); save the page "
            "from your browser and import the file instead"
        )
    if status == 429:
        return f"the site is refusing requests because too many were made ({code}); try later"
    if status == 451:
        return f"the page is blocked for legal reasons in this region ({code})"
    if status >= 500:
        return f"the site's server failed ({code}); try again later"
    if 300 <= status < 400:
        return f"the site answered with a redirect this app cannot follow ({code})"
    return f"the site refused the request ({code})"


def refused_type(media_type: str) -> str:
    """Why a declared Content-Type is not evidence, or "" when it may be."""
    if media_type in ACCEPTED_TYPES or media_type in GENERIC_TYPES:
        return ""
    major, _, minor = media_type.partition("/")
    kinds = {"image": "an image", "video": "a video", "audio": "an audio file", "font": "a font"}
    if major in kinds:
        what = kinds[major]
    elif any(k in minor for k in ("zip", "tar", "gzip", "rar", "7z", "compressed", "bzip")):
        what = "an archive"
    elif minor == "json" or minor.endswith("+json"):
        what = "JSON data"
    elif minor in ("xml", "rss+xml", "atom+xml") or minor.endswith("+xml"):
        what = "XML data (a feed?)"
    elif "javascript" in minor or minor == "css":
        what = "a script or style sheet"
    elif minor == "msword":
        what = "an old Word .doc file"
    elif "excel" in minor or "spreadsheet" in minor or "powerpoint" in minor:
        what = "a spreadsheet or presentation"
    else:
        what = "a file this app does not read"
    return f"the address points to {what} ({media_type}), not a web page or document"


def _charset(response: httpx.Response) -> str:
    name = response.charset_encoding or ""
    if not name:
        return ""
    try:
        return codecs.lookup(name).name
    except LookupError:
        log.warning("unknown charset %r from %s; decoding from the page itself", name, response.url)
        return ""


def _too_large(what: str, max_bytes: int) -> str:
    return (
        f"the page {what}; the limit is {max_bytes / 2**20:,.1f} MB "
        "(raise max_file_mb in Settings to allow larger files)"
    )


def _timeout_reason(exc: httpx.TimeoutException, timeout_s: float) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect to the site within {timeout_s:g} s (timed out)"
    return f"the site did not answer within {timeout_s:g} s (timed out)"


def _transport_reason(exc: httpx.HTTPError, url: str) -> str:
    host = site_host(url)
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return f"the security certificate of {host} could not be verified ({text[:120]})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {host}: {text[:160] or 'connection refused'}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return f"the connection to {host} broke off before the page arrived ({text[:120]})"
    if isinstance(exc, httpx.DecodingError):
        return f"{host} sent a page whose compression is damaged ({text[:120]})"
    return f"fetching from {host} failed ({type(exc).__name__}: {text[:120]})"
