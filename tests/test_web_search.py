"""Web search providers on loopback: SearXNG's JSON API parsed, filtered to the allowed sites
and de-duplicated; every kind of bad answer a clear WebError; DuckDuckGo (ddgs) never even
constructed with web access off, and its failures mapped to WebError."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from typing import Any, ClassVar

import pytest

from evidence.errors import NetworkDisabled, WebError
from evidence.network import NetworkPolicy
from evidence.settings import Settings
from evidence.web.search_base import allow_list_host, scoped_query, site_allowed, site_list
from evidence.web.search_ddg import DuckDuckGoProvider
from evidence.web.search_providers import provider_from_settings
from evidence.web.search_searxng import SearxngProvider
from tests.conftest import ROOT
from tests.loopback import LoopbackServer, Response
from tests.netguard import SocketGuard

LOCAL = NetworkPolicy(enabled=True, allow_private=True)


def searx_json(*items: object, **extra: Any) -> Response:
    body = {"query": "q", "number_of_results": len(items), "results": list(items), **extra}
    return Response(json.dumps(body).encode(), content_type="application/json")


def item(
    url: str, title: str = "T", content: str = "snippet", engine: str = "bing"
) -> dict[str, Any]:
    return {"url": url, "title": title, "content": content, "engine": engine, "score": 1.0}


def test_searxng_results_are_parsed_deduplicated_and_counted(loopback: LoopbackServer) -> None:
    loopback.add("/search", searx_json(
        item("https://news.example.org/a", "Water wars", "Scarcity  drives\nconflict"),
        item("https://news.example.org/a#comments", "Water wars again"),  # same page
        item("https://NEWS.example.org/a/", "Same page, other spelling"),
        item("ftp://files.example.org/x", "not a web page"),
        item("https://blog.example.com/b", "Aquifers", engine="brave"),
        item("https://c.example.net/c", "Third"),
        {"title": "no url at all"},
        "not an object",
    ))  # fmt: skip
    provider = SearxngProvider(loopback.base + "/", LOCAL, timeout_s=5)
    results = provider.search("water wars", 2)
    assert [(r.title, r.url, r.snippet, r.provider) for r in results] == [
        ("Water wars", "https://news.example.org/a", "Scarcity drives conflict", "searxng/bing"),
        ("Aquifers", "https://blog.example.com/b", "snippet", "searxng/brave"),
    ]
    [(path, headers)] = loopback.requests
    assert path == "/search?q=water+wars&format=json"
    assert "json" in headers["Accept"]


def test_searxng_allow_list_goes_into_the_query_and_filters_the_results(
    loopback: LoopbackServer,
) -> None:
    loopback.add("/search", searx_json(
        item("https://evil.example.com/x"),
        item("https://www.nytimes.com/2024/water.html", "NYT"),
        item("https://nytimes.com.evil.example/phish", "look-alike host"),
        item("https://opinion.brookings.edu/water", "Brookings"),
        item("https://notbrookings.edu/water", "suffix but not a subdomain"),
    ))  # fmt: skip
    sites = site_list(["https://www.NYTimes.com/section", " brookings.edu ", "", "nytimes.com"])
    assert sites == ["nytimes.com", "brookings.edu"]
    provider = SearxngProvider(loopback.base, LOCAL, 5, sites=sites)
    results = provider.search("water", 10)
    assert [r.title for r in results] == ["NYT", "Brookings"]
    [(path, _)] = loopback.requests
    assert "site%3Anytimes.com+OR+site%3Abrookings.edu" in path


def test_long_allow_lists_filter_without_site_operators() -> None:
    sites = ["a.org", "b.org", "c.org", "d.org"]
    assert scoped_query("water", sites) == "water"
    assert scoped_query("water", sites[:1]) == "water site:a.org"
    assert site_allowed("https://x.d.org/p", sites) and not site_allowed("https://d.org.x/", sites)
    assert site_allowed("https://anything.example/", [])
    assert allow_list_host("www.example.co.uk/path?q=1") == "example.co.uk"
    for bad in ("not a site", "localhostish", "http://", "[::1"):
        with pytest.raises(WebError, match="allowed sites is not a site"):
            allow_list_host(bad)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (Response(b"<h1>Forbidden</h1>", status=403), "refuses JSON results \\(403\\)"),
        (Response(b"oops", status=500, content_type="text/plain"), "answered HTTP 500"),
        (Response(b"slow down", status=429), "limiting requests \\(429\\)"),
        (Response(b"<html><body>SearXNG</body></html>"), "sent text/html instead of JSON"),
        (Response(b"{not json", content_type="application/json"), "sent broken JSON"),
        (Response(b'{"answers": []}', content_type="application/json"), "without a results list"),
        (Response(b"[1, 2]", content_type="application/json"), "without a results list"),
        (searx_json(unresponsive_engines=[["google", "CAPTCHA"], ["bing", "timeout"]]),
         "engines did not answer \\(google: CAPTCHA; bing: timeout\\)"),
    ],
)  # fmt: skip
def test_searxng_bad_answers_are_clear_errors(
    loopback: LoopbackServer, response: Response, message: str
) -> None:
    loopback.add("/search", response)
    with pytest.raises(WebError, match=message):
        SearxngProvider(loopback.base, LOCAL, 5).search("water", 5)


def test_searxng_empty_results_are_no_error(loopback: LoopbackServer) -> None:
    loopback.add("/search", searx_json())
    assert SearxngProvider(loopback.base, LOCAL, 5).search("nothing matches", 5) == []


def test_searxng_redirects_are_followed_under_the_policy(loopback: LoopbackServer) -> None:
    target = loopback.add("/real/search", searx_json(item("https://a.example.org/", "A")))
    loopback.add("/search", Response(status=301, location=target))
    results = SearxngProvider(loopback.base, LOCAL, 5).search("water", 5)
    assert [r.title for r in results] == ["A"]
    loopback.add("/loop/search", Response(status=302, location="/loop/search"))
    with pytest.raises(WebError, match="redirected too many times"):
        SearxngProvider(loopback.base + "/loop", LOCAL, 5).search("water", 5)


def test_searxng_unreachable_slow_and_huge(loopback: LoopbackServer) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(WebError, match="cannot reach the SearXNG instance"):
        SearxngProvider(f"http://127.0.0.1:{port}", LOCAL, 5).search("water", 5)
    loopback.add("/search", Response(searx_json().body, content_type="application/json",
                                     delay_s=3))  # fmt: skip
    with pytest.raises(WebError, match="did not answer within 1 s"):
        SearxngProvider(loopback.base, LOCAL, 1).search("water", 5)
    loopback.add("/search", Response(content_type="application/json", endless=True))
    with pytest.raises(WebError, match="more than 4 MiB"):
        SearxngProvider(loopback.base, LOCAL, 5).search("water", 5)


def test_searxng_cancel_returns_nothing(loopback: LoopbackServer) -> None:
    loopback.add("/search", searx_json(item("https://a.example.org/")))
    assert SearxngProvider(loopback.base, LOCAL, 5).search("water", 5, lambda: True) == []
    assert loopback.hits["/search"] == 0


def test_web_off_searches_nothing(loopback: LoopbackServer, socket_guard: SocketGuard) -> None:
    off = NetworkPolicy(enabled=False, allow_private=True)
    with pytest.raises(NetworkDisabled, match="web access is off"):
        SearxngProvider(loopback.base, off, 5).search("water", 5)
    assert socket_guard.attempts == [] and loopback.hits["/search"] == 0


def test_public_policy_refuses_a_local_instance(loopback: LoopbackServer) -> None:
    loopback.add("/search", searx_json(item("https://a.example.org/")))
    with pytest.raises(WebError, match="private or local address"):
        SearxngProvider(loopback.base, NetworkPolicy(enabled=True), 5).search("water", 5)
    assert loopback.hits["/search"] == 0


def test_provider_from_settings() -> None:
    searx = Settings(web_search_provider="searxng", searxng_url="  ")
    with pytest.raises(WebError, match="no instance address is set"):
        provider_from_settings(searx, LOCAL)
    searx.searxng_url = "searx.example.org"
    with pytest.raises(WebError, match="must start with http:// or https://"):
        provider_from_settings(searx, LOCAL)
    searx.searxng_url = "https://searx.example.org/"
    searx.web_sites = ["www.brookings.edu"]
    provider = provider_from_settings(searx, LOCAL)
    assert isinstance(provider, SearxngProvider)
    assert provider.base_url == "https://searx.example.org" and provider.sites == ["brookings.edu"]
    ddg = provider_from_settings(Settings(web_timeout_s=7), LOCAL)
    assert isinstance(ddg, DuckDuckGoProvider) and ddg.timeout_s == 7
    with pytest.raises(WebError, match="unknown web search provider 'bing'"):
        provider_from_settings(Settings(web_search_provider="bing"), LOCAL)


# -- DuckDuckGo through ddgs -----------------------------------------------------------------


class FakeDDGS:
    """Stands in for ddgs.DDGS: records how it was built and asked, answers as told."""

    made: ClassVar[list[dict[str, Any]]] = []
    answer: ClassVar[list[dict[str, Any]] | BaseException] = []

    def __init__(self, **kwargs: Any) -> None:
        FakeDDGS.made.append({"init": kwargs})

    def text(self, query: str, **kwargs: Any) -> list[dict[str, Any]]:
        FakeDDGS.made.append({"query": query, **kwargs})
        if isinstance(FakeDDGS.answer, BaseException):
            raise FakeDDGS.answer
        return FakeDDGS.answer


@pytest.fixture
def fake_ddgs(monkeypatch: pytest.MonkeyPatch) -> type[FakeDDGS]:
    import ddgs

    FakeDDGS.made, FakeDDGS.answer = [], []
    monkeypatch.setattr(ddgs, "DDGS", FakeDDGS)
    return FakeDDGS


def test_ddg_with_web_off_never_constructs_ddgs(
    monkeypatch: pytest.MonkeyPatch, socket_guard: SocketGuard
) -> None:
    import ddgs

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("DDGS was constructed with web access off")

    monkeypatch.setattr(ddgs, "DDGS", refuse)
    with pytest.raises(NetworkDisabled, match="web access is off, so web search"):
        DuckDuckGoProvider(NetworkPolicy(enabled=False), 5).search("water", 5)
    assert socket_guard.attempts == []


def test_ddg_results_filtered_and_deduplicated(fake_ddgs: type[FakeDDGS]) -> None:
    fake_ddgs.answer = [
        {"title": "A", "href": "https://www.brookings.edu/a", "body": "about  water"},
        {"title": "A again", "href": "https://www.brookings.edu/a#top", "body": ""},
        {"title": "Elsewhere", "href": "https://elsewhere.example/b", "body": ""},
        {"title": None, "href": "https://brookings.edu/c", "body": None},
    ]
    provider = DuckDuckGoProvider(LOCAL, 9.6, sites=["brookings.edu"])
    results = provider.search("water wars", 2)
    assert [(r.title, r.url, r.snippet, r.provider) for r in results] == [
        ("A", "https://www.brookings.edu/a", "about water", "duckduckgo"),
        ("https://brookings.edu/c", "https://brookings.edu/c", "", "duckduckgo"),
    ]
    init, call = fake_ddgs.made
    assert init == {"init": {"timeout": 10}}
    assert call["query"] == "water wars site:brookings.edu"
    assert call["max_results"] == 6  # asked for more: the allow-list filters afterwards
    assert "wikipedia" not in call["backend"]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ("RatelimitException", "limiting requests from this computer"),
        ("TimeoutException", "web search timed out after 5 s"),
        ("DDGSException", "web search failed: engine exploded"),
        (None, "web search failed \\(offline\\?\\): OSError: dns failure"),
    ],
)
def test_ddg_errors_become_web_errors(
    fake_ddgs: type[FakeDDGS], error: str | None, message: str
) -> None:
    import ddgs.exceptions

    exc = getattr(ddgs.exceptions, error)("engine exploded") if error else OSError("dns failure")
    fake_ddgs.answer = exc
    with pytest.raises(WebError, match=message):
        DuckDuckGoProvider(LOCAL, 5).search("water", 5)


def test_ddg_no_results_is_an_empty_list(fake_ddgs: type[FakeDDGS]) -> None:
    import ddgs.exceptions

    fake_ddgs.answer = ddgs.exceptions.DDGSException("No results found.")
    assert DuckDuckGoProvider(LOCAL, 5).search("zxqv", 5) == []
    assert DuckDuckGoProvider(LOCAL, 5).search("water", 5, lambda: True) == []
    assert len(fake_ddgs.made) == 2  # cancelled before ddgs was asked


def test_search_modules_do_not_import_ddgs() -> None:
    # ddgs's own HTTP stack is invisible to any Python guard: it may only load once web
    # access is on and a search runs.
    code = (
        "import sys\n"
        "import agents.team.run, agents.team.web_research\n"
        "import app.assistant, cli.agents\n"
        "import evidence.web.search_ddg, evidence.web.search_providers\n"
        "from evidence.settings import Settings\n"
        "from agents.team.web_research import web_research_from_settings\n"
        "assert web_research_from_settings(Settings()) is None\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('ddgs', 'primp'))\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
