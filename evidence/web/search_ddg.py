"""Keyless public web search through `ddgs` (DuckDuckGo and other general web engines).

ddgs talks to the engines through its own HTTP stack (primp, written in Rust), which no
Python socket hook can see or stop. So the policy check comes first, before ddgs is even
imported: with web access off, nothing of ddgs runs at all.
"""

from __future__ import annotations

import logging
from typing import Any

from evidence.cancel import CancelCheck
from evidence.errors import WebError
from evidence.network import NetworkPolicy
from evidence.web.search_base import WebResult, clean_text, finish_results, scoped_query

log = logging.getLogger(__name__)

# General web engines only: ddgs's "auto" puts encyclopedias (wikipedia, grokipedia) first,
# and an encyclopedia summary is not debate evidence. DuckDuckGo leads; the others are
# fall-backs when it rate-limits (ddgs tries them in priority order).
BACKENDS = "duckduckgo,brave,mojeek,yahoo,startpage"
# Asked for more than needed when results are filtered afterwards by the allow-list.
OVERFETCH = 3


class DuckDuckGoProvider:
    name = "duckduckgo"

    def __init__(
        self, policy: NetworkPolicy, timeout_s: float = 20.0, *,
        sites: list[str] | None = None, backend: str = BACKENDS, region: str = "us-en",
    ) -> None:  # fmt: skip
        self.policy = policy
        self.timeout_s = timeout_s
        self.sites = list(sites or [])
        self.backend = backend
        self.region = region

    def search(
        self, query: str, count: int, cancel: CancelCheck = lambda: False
    ) -> list[WebResult]:
        # Before anything of ddgs exists: its requests bypass every Python-level guard.
        self.policy.check("web search")
        if not query.strip() or count <= 0 or cancel():
            return []
        wanted = count * OVERFETCH if self.sites else count
        raw = self._text(scoped_query(query.strip(), self.sites), wanted)
        if cancel():  # ddgs cannot be interrupted; what it found is not used after a Stop
            return []
        results = [
            WebResult(
                title=clean_text(item.get("title")) or clean_text(item.get("href")),
                url=str(item.get("href") or "").strip(),
                snippet=clean_text(item.get("body")),
                provider=self.name,
            )
            for item in raw
            if isinstance(item, dict)
        ]
        kept = finish_results(results, self.sites, count)
        log.info("ddgs: %r -> %d results (%d kept)", query, len(results), len(kept))
        return kept

    def _text(self, query: str, max_results: int) -> list[Any]:
        # ddgs is imported here, not at the top: this module loads with every search
        # provider, and ddgs (whose requests no Python guard sees) must not load until web
        # access is on and a search runs; it is also slow to import.
        try:
            from ddgs import DDGS
            from ddgs.exceptions import DDGSException, RatelimitException, TimeoutException
        except ImportError as exc:  # a broken install: say so instead of a traceback
            raise WebError(f"the web search library (ddgs) is not installed: {exc}") from exc
        timeout = max(1, round(self.timeout_s))
        try:
            found = DDGS(timeout=timeout).text(
                query, region=self.region, safesearch="moderate",
                max_results=max_results, backend=self.backend,
            )  # fmt: skip
        except RatelimitException as exc:
            raise WebError(
                f"the web search engines are limiting requests from this computer; try again "
                f"in a few minutes, or set a SearXNG instance ({exc})"
            ) from exc
        except TimeoutException as exc:
            raise WebError(
                f"web search timed out after {timeout} s (offline, or a slow connection?)"
            ) from exc
        except DDGSException as exc:
            if "no results found" in str(exc).lower():
                return []
            raise WebError(f"web search failed: {exc or type(exc).__name__}") from exc
        except Exception as exc:  # primp's own errors (TLS, DNS) are not DDGSException
            log.warning("ddgs failed", exc_info=True)
            raise WebError(f"web search failed (offline?): {type(exc).__name__}: {exc}") from exc
        return list(found or [])
