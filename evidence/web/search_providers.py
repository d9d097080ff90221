"""Web search behind one small interface: a query in, a few (title, URL, snippet) results out.

Two providers: a SearXNG instance (its JSON API; a team's own or a public one) and a keyless
public metasearch through `ddgs`. Both ask the NetworkPolicy before anything touches the
network, apply the user's allow-list of sites, and de-duplicate results by URL.

This module picks the provider the user chose; what the providers share is in search_base,
so imports point one way: search_providers -> search_ddg | search_searxng -> search_base.
"""

from __future__ import annotations

from evidence.errors import WebError
from evidence.network import NetworkPolicy
from evidence.settings import Settings
from evidence.web.search_base import WebSearchProvider, site_list
from evidence.web.search_ddg import DuckDuckGoProvider
from evidence.web.search_searxng import SearxngProvider


def provider_from_settings(settings: Settings, policy: NetworkPolicy) -> WebSearchProvider:
    """The provider the user chose in Settings; WebError when it is not usable as set."""
    sites = site_list(settings.web_sites)
    timeout = float(settings.web_timeout_s)
    if settings.web_search_provider == "searxng":
        if not settings.searxng_url.strip():
            raise WebError(
                "web search is set to SearXNG but no instance address is set "
                "(set searxng_url, e.g. https://searx.example.org, or choose duckduckgo)"
            )
        return SearxngProvider(settings.searxng_url.strip(), policy, timeout, sites=sites)
    if settings.web_search_provider == "duckduckgo":
        return DuckDuckGoProvider(policy, timeout, sites=sites)
    raise WebError(
        f"unknown web search provider {settings.web_search_provider!r} "
        "(choose duckduckgo or searxng)"
    )
