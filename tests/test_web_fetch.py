"""fetch_url against a real HTTP server on 127.0.0.1: limits, redirects, errors, the switch."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest

from evidence.errors import EmptyFile, FileTooLarge, NetworkDisabled, WebError
from evidence.network import NetworkPolicy
from evidence.web.fetch import USER_AGENT, FetchCancelled, fetch_url
from evidence.web.urls import looks_like_url, normalize_url
from tests.loopback import LoopbackServer, Response
from tests.netguard import SocketGuard

LOCAL = NetworkPolicy(enabled=True, allow_private=True)
MB = 2**20
ARTICLE = b"<html><head><title>T</title></head><body><p>Words.</p></body></html>"


def fetch(url: str, policy: NetworkPolicy = LOCAL, **kw: object) -> object:
    args: dict[str, object] = {"max_bytes": MB, "timeout_s": 2.0, **kw}
    return fetch_url(url, policy, **args)  # type: ignore[arg-type]


def test_page_comes_back_with_its_details_and_an_honest_user_agent(
    loopback: LoopbackServer,
) -> None:
    url = loopback.add("/a", Response(ARTICLE, content_type="text/html; charset=ISO-8859-1"))
    before = datetime.now(UTC)
    page = fetch_url(url, LOCAL, max_bytes=MB, timeout_s=2)
    assert (page.url, page.final_url, page.status) == (url, url, 200)
    assert (page.content_type, page.charset, page.data) == ("text/html", "iso8859-1", ARTICLE)
    assert before <= page.fetched_at <= datetime.now(UTC) and page.fetched_at.tzinfo is UTC
    agent = loopback.requests[0][1]["User-Agent"]
    assert agent == USER_AGENT and agent.startswith("DebatePrep/") and "Mozilla" not in agent


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not a url", "is not a web address"),
        ("ftp://x", "ftp: addresses cannot be fetched"),
        ("javascript:alert(1)", "javascript: addresses cannot be fetched"),
        ("http://", "has no host name"),
        ("", "the web address is empty"),
        ("https:example.com", "needs // after https:"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http://exa mple.com/", "not a valid host name"),
        ("http://example.com:99999/", "not a valid web address"),
    ],
)
def test_addresses_that_are_not_addresses_say_what_is_wrong(
    text: str, says: str, socket_guard: SocketGuard
) -> None:
    with pytest.raises(WebError, match=says):
        fetch(text)
    assert socket_guard.attempts == []  # refused before any name lookup


def test_bare_host_gets_https_but_a_file_name_does_not() -> None:
    assert normalize_url(" brookings.edu/research/x ") == "https://brookings.edu/research/x"
    assert normalize_url("www.example.xyz") == "https://www.example.xyz"
    assert looks_like_url("example.com/x") and looks_like_url("ftp://x")
    assert not looks_like_url("notes.md") and not looks_like_url("report.pdf")
    with pytest.raises(WebError, match="not a web address"):
        normalize_url("notes.md")


def test_web_access_off_refuses_before_any_connection(
    loopback: LoopbackServer, socket_guard: SocketGuard
) -> None:
    url = loopback.add("/a", Response(ARTICLE))
    with pytest.raises(NetworkDisabled, match="web access is off"):
        fetch(url, NetworkPolicy(enabled=False, allow_private=True))
    assert socket_guard.attempts == [] and loopback.hits["/a"] == 0


def test_slow_server_times_out_with_a_clear_reason(loopback: LoopbackServer) -> None:
    url = loopback.add("/slow", Response(ARTICLE, delay_s=3))
    started = time.monotonic()
    with pytest.raises(WebError, match=r"did not answer within 0.5 s \(timed out\)"):
        fetch(url, timeout_s=0.5)
    assert time.monotonic() - started < 2.5


def test_trickling_page_stops_at_the_total_time_limit(loopback: LoopbackServer) -> None:
    # Each 1 KiB arrives well within the read timeout, but the whole page never would.
    url = loopback.add("/trickle", Response(b"x" * 200_000, chunk_delay_s=0.05))
    started = time.monotonic()
    with pytest.raises(WebError, match="arriving too slowly"):
        fetch(url, timeout_s=1.0, total_timeout_s=0.6)
    assert time.monotonic() - started < 3


def test_endless_page_stops_at_the_size_limit(loopback: LoopbackServer) -> None:
    url = loopback.add("/huge", Response(endless=True))
    with pytest.raises(FileTooLarge, match=r"larger than that; the limit is 0.5 MB"):
        fetch(url, max_bytes=MB // 2)


def test_declared_size_over_the_limit_is_refused_before_reading(
    loopback: LoopbackServer,
) -> None:
    url = loopback.add("/big", Response(b"a" * (2 * MB), content_type="text/plain"))
    with pytest.raises(FileTooLarge, match=r"the page is 2.0 MB; the limit is 1.0 MB"):
        fetch(url)


def test_redirects_are_followed_to_the_final_address(loopback: LoopbackServer) -> None:
    final = loopback.add("/final", Response(ARTICLE))
    loopback.add("/moved", Response(status=302, location="/final"))
    start = loopback.add("/old", Response(status=301, location=loopback.url("/moved")))
    page = fetch_url(start, LOCAL, max_bytes=MB, timeout_s=2)
    assert (page.url, page.final_url, page.data) == (start, final, ARTICLE)


def test_redirect_loop_is_named_as_a_loop(loopback: LoopbackServer) -> None:
    loopback.add("/a", Response(status=302, location="/b"))
    url = loopback.add("/b", Response(status=302, location="/a"))
    with pytest.raises(WebError, match="redirects in a loop"):
        fetch(url)
    assert loopback.hits["/a"] == 1 and loopback.hits["/b"] == 1


def test_too_many_redirects_stop_at_the_limit(loopback: LoopbackServer) -> None:
    for i in range(10):
        loopback.add(f"/r{i}", Response(status=307, location=f"/r{i + 1}"))
    with pytest.raises(WebError, match="more than 3 redirects"):
        fetch(loopback.url("/r0"), max_redirects=3)
    assert loopback.hits["/r3"] == 1 and loopback.hits["/r4"] == 0


def test_redirect_to_another_scheme_is_refused(loopback: LoopbackServer) -> None:
    url = loopback.add("/ftp", Response(status=302, location="ftp://files.example.com/x"))
    with pytest.raises(WebError, match="redirects to an address that cannot be fetched: ftp:"):
        fetch(url)


class _PublicTestSite(NetworkPolicy):
    """Treats the test server's 127.0.0.1 as a public site, and everything else by the real
    rules with local addresses refused: a public page redirecting into the local network."""

    def check_url(self, url: str, action: str) -> str:
        if url.startswith("http://127.0.0.1:"):
            return "127.0.0.1"
        return super().check_url(url, action)

    def allowed_addresses(self, host: str, port: int, action: str) -> list[str]:
        if host == "127.0.0.1":
            return ["127.0.0.1"]
        return super().allowed_addresses(host, port, action)


def test_redirect_to_a_local_address_is_refused_at_that_hop(loopback: LoopbackServer) -> None:
    loopback.add("/router", Response(b"admin page"))
    port = loopback.base.rsplit(":", 1)[1]
    url = loopback.add("/evil", Response(status=302, location=f"http://localhost:{port}/router"))
    with pytest.raises(WebError, match="localhost is a private or local address"):
        fetch(url, _PublicTestSite(enabled=True, allow_private=False))
    assert loopback.hits["/evil"] == 1 and loopback.hits["/router"] == 0


def test_a_name_that_rebinds_to_a_local_address_after_the_check_is_refused(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: public when the address is checked, 127.0.0.1 a moment later. The
    # transport connects only to addresses it resolved and checked itself.
    url = loopback.add("/admin", Response(b"router admin page"))
    port = int(loopback.base.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def rebinding(host: object, *args: object, **kwargs: object) -> object:
        if host == "rebind.example":
            ip = next(answers, "127.0.0.1")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    target = url.replace("127.0.0.1", "rebind.example")
    with pytest.raises(WebError, match="private or local address"):
        fetch(target, NetworkPolicy(enabled=True, allow_private=False))
    assert loopback.hits["/admin"] == 0


def test_local_address_is_refused_unless_allowed(loopback: LoopbackServer) -> None:
    url = loopback.add("/a", Response(ARTICLE))
    with pytest.raises(WebError, match="private or local address"):
        fetch(url, NetworkPolicy(enabled=True, allow_private=False))
    assert loopback.hits["/a"] == 0


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (404, r"page not found \(HTTP 404 Not Found\)"),
        (410, "page not found"),
        (401, "needs a login or blocks automated access"),
        (403, r"needs a login or blocks automated access \(HTTP 403 Forbidden\)"),
        (429, "too many were made"),
        (500, r"the site's server failed \(HTTP 500 Internal Server Error\)"),
        (503, "the site's server failed"),
        (418, "the site refused the request"),
    ],
)
def test_http_errors_say_what_they_mean(loopback: LoopbackServer, status: int, says: str) -> None:
    url = loopback.add("/e", Response(b"<h1>nope</h1>", status=status))
    with pytest.raises(WebError, match=says):
        fetch(url)


def test_unknown_route_is_page_not_found(loopback: LoopbackServer) -> None:
    with pytest.raises(WebError, match="page not found"):
        fetch(loopback.url("/nothing-here"))


@pytest.mark.parametrize(
    ("content_type", "what"),
    [
        ("image/png", "an image"),
        ("video/mp4", "a video"),
        ("application/zip", "an archive"),
        ("application/json; charset=utf-8", "JSON data"),
        ("audio/mpeg", "an audio file"),
    ],
)
def test_types_that_are_not_documents_are_refused_by_name(
    loopback: LoopbackServer, content_type: str, what: str
) -> None:
    url = loopback.add(
        "/f", Response(b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type=content_type)
    )
    media = content_type.split(";")[0]
    with pytest.raises(WebError, match=rf"points to {what} \({media}\), not a web page"):
        fetch(url)


def test_generic_type_is_read_for_sniffing(loopback: LoopbackServer) -> None:
    url = loopback.add("/doc", Response(b"%PDF-1.4 ...", content_type="application/octet-stream"))
    page = fetch_url(url, LOCAL, max_bytes=MB, timeout_s=2)
    assert page.content_type == "application/octet-stream" and page.data.startswith(b"%PDF")


def test_empty_body_is_an_empty_page(loopback: LoopbackServer) -> None:
    url = loopback.add("/empty", Response(b""))
    with pytest.raises(EmptyFile, match="the page is empty"):
        fetch(url)


def test_dropped_connection_is_reported(loopback: LoopbackServer) -> None:
    url = loopback.add("/drop", Response(b"x" * 50_000, drop_after=1000))
    with pytest.raises(WebError, match="broke off before the page arrived"):
        fetch(url)


def test_connection_refused_is_reported(loopback: LoopbackServer) -> None:
    port = loopback.base.rsplit(":", 1)[1]
    loopback.close()
    with pytest.raises(WebError, match=r"cannot connect to 127\.0\.0\.1"):
        fetch(f"http://127.0.0.1:{port}/a")


def test_cancel_stops_the_download(loopback: LoopbackServer) -> None:
    url = loopback.add("/slow", Response(b"x" * 100_000, chunk_delay_s=0.01))
    calls = iter([False, False, True])
    with pytest.raises(FetchCancelled):
        fetch(url, cancel=lambda: next(calls, True))


def test_unknown_header_charset_is_dropped(
    loopback: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = loopback.add("/c", Response(ARTICLE, content_type="text/html; charset=klingon"))
    page = fetch_url(url, LOCAL, max_bytes=MB, timeout_s=2)
    assert page.charset == "" and "unknown charset 'klingon'" in caplog.text
