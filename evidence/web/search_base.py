"""What every web search provider shares: the result type, the provider interface, the
user's allow-list of sites, and the clean-up of a provider's raw results.

The providers (search_ddg, search_searxng) import this module; search_providers picks one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from evidence.cancel import CancelCheck
from evidence.errors import WebError

log = logging.getLogger(__name__)

# With this many sites or fewer, the allow-list also goes into the query as `site:` operators
# (so the engine spends its results on them); longer lists would make an unreadable query
# that engines truncate, so they are only filtered afterwards.
MAX_SITE_OPERATORS = 3


@dataclass(frozen=True)
class WebResult:
    title: str
    url: str
    snippet: str
    provider: str  # which provider (and engine, where known) found it


class WebSearchProvider(Protocol):
    name: str

    def search(
        self, query: str, count: int, cancel: CancelCheck = lambda: False
    ) -> list[WebResult]:
        """At most `count` results, allowed sites only, one per URL. Raises NetworkDisabled
        when web access is off (before any connection) and WebError with a reason when the
        search fails. Returns [] when cancelled."""
        ...


# -- the allow-list ---------------------------------------------------------------------------


def allow_list_host(entry: str) -> str:
    """The host an allow-list entry names: "https://www.NYTimes.com/section" -> "nytimes.com".

    A leading "www." is dropped so that the entry covers the bare domain and every subdomain.
    Raises WebError for an entry that names no host.
    """
    text = entry.strip().lower()
    if "://" not in text:
        text = "http://" + text
    try:
        host = (urlsplit(text).hostname or "").rstrip(".")
    except ValueError as exc:
        raise WebError(f"{entry!r} in the list of allowed sites is not a site: {exc}") from exc
    host = host.removeprefix("www.")
    if not host or " " in host or ("." not in host and host != "localhost"):
        raise WebError(f"{entry!r} in the list of allowed sites is not a site (e.g. nytimes.com)")
    return host


def site_list(entries: Iterable[str]) -> list[str]:
    """The allow-list as hosts, without blanks or repeats (order kept)."""
    hosts = [allow_list_host(e) for e in entries if e.strip()]
    return list(dict.fromkeys(hosts))


def site_allowed(url: str, sites: Sequence[str]) -> bool:
    """Is the URL's host one of the sites, or a subdomain of one? (Any site when empty.)"""
    if not sites:
        return True
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return False
    return any(host == site or host.endswith("." + site) for site in sites)


def scoped_query(query: str, sites: Sequence[str]) -> str:
    """The query with `site:` operators for a short allow-list."""
    if not sites or len(sites) > MAX_SITE_OPERATORS:
        return query
    return f"{query} " + " OR ".join(f"site:{site}" for site in sites)


# -- results ----------------------------------------------------------------------------------


def url_key(url: str) -> str:
    """What makes two result URLs the same page: no fragment, case-free scheme and host, no
    trailing slash on the path."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def finish_results(
    results: Iterable[WebResult], sites: Sequence[str], count: int
) -> list[WebResult]:
    """Keep http(s) results on allowed sites, one per URL, in rank order, at most `count`."""
    kept: dict[str, WebResult] = {}
    dropped = 0
    for result in results:
        if not result.url.startswith(("http://", "https://")):
            continue
        if not site_allowed(result.url, sites):
            dropped += 1
            continue
        kept.setdefault(url_key(result.url), result)
    if dropped:
        log.info("web search: %d results outside the allowed sites dropped", dropped)
    return list(kept.values())[: max(0, count)]


def clean_text(value: object, limit: int = 500) -> str:
    """A result field as one line of plain text (engines send None, numbers, or newlines)."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.split())[:limit]
