"""Web search through a SearXNG instance's JSON API (`/search?q=...&format=json`).

Many instances, including most public ones, answer the JSON format with 403 because it is
off in their settings (`search.formats` in settings.yml); that case gets its own message,
since the fix is on the instance, not in this app.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlencode, urljoin

import httpx

from evidence.cancel import CancelCheck
from evidence.errors import WebError
from evidence.network import NetworkPolicy
from evidence.web.search_base import WebResult, clean_text, finish_results, scoped_query
from evidence.web.transport import policy_transport

log = logging.getLogger(__name__)

MAX_BYTES = 4 * 1024 * 1024  # a page of results is tens of KiB; more is not a results page
MAX_REDIRECTS = 3
USER_AGENT = "DebatePrep/0.1 (web search for debate research)"


class SearxngProvider:
    name = "searxng"

    def __init__(
        self, base_url: str, policy: NetworkPolicy, timeout_s: float = 20.0,
        *, sites: list[str] | None = None,
    ) -> None:  # fmt: skip
        base = base_url.strip()
        if not base.startswith(("http://", "https://")):
            raise WebError(
                f"the SearXNG address {base_url!r} must start with http:// or https:// "
                "(e.g. https://searx.example.org)"
            )
        self.base_url = base.rstrip("/")
        self.policy = policy
        self.timeout_s = timeout_s
        self.sites = list(sites or [])

    def search(
        self, query: str, count: int, cancel: CancelCheck = lambda: False
    ) -> list[WebResult]:
        self.policy.check("web search")
        if not query.strip() or count <= 0 or cancel():
            return []
        params = {"q": scoped_query(query.strip(), self.sites), "format": "json"}
        url = f"{self.base_url}/search?{urlencode(params)}"
        body = self._get(url, cancel)
        if body is None:  # cancelled
            return []
        results = [
            WebResult(
                title=clean_text(item.get("title")) or clean_text(item.get("url")),
                url=str(item.get("url") or "").strip(),
                snippet=clean_text(item.get("content")),
                provider=f"searxng/{clean_text(item.get('engine'), 40) or '?'}",
            )
            for item in self._results(body)
        ]
        kept = finish_results(results, self.sites, count)
        log.info("searxng %s: %r -> %d results (%d kept)", self.base_url, query,
                 len(results), len(kept))  # fmt: skip
        return kept

    def _get(self, url: str, cancel: CancelCheck) -> bytes | None:
        """The response body; redirects followed by hand so each hop passes the policy."""
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        timeout = httpx.Timeout(self.timeout_s)
        with httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            headers=headers,
            transport=policy_transport(self.policy),
        ) as client:
            for _ in range(MAX_REDIRECTS + 1):
                self.policy.check_url(url, "web search")
                try:
                    with client.stream("GET", url) as response:
                        if response.is_redirect:
                            url = urljoin(url, response.headers.get("location", ""))
                            continue
                        self._check_status(response)
                        return self._read(response, cancel)
                except httpx.TimeoutException as exc:
                    raise WebError(
                        f"the SearXNG instance at {self.base_url} did not answer within "
                        f"{self.timeout_s:.0f} s"
                    ) from exc
                except httpx.HTTPError as exc:
                    raise WebError(
                        f"cannot reach the SearXNG instance at {self.base_url} "
                        f"(offline, or a wrong address?): {exc}"
                    ) from exc
        raise WebError(f"the SearXNG instance at {self.base_url} redirected too many times")

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 403:
            raise WebError(
                f"the SearXNG instance at {self.base_url} refuses JSON results (403): "
                "its settings.yml must list json under search.formats; use an instance "
                "that allows it, or choose duckduckgo"
            )
        if status == 429:
            raise WebError(
                f"the SearXNG instance at {self.base_url} is limiting requests (429); "
                "try again later or use another instance"
            )
        if status >= 400:
            raise WebError(f"the SearXNG instance at {self.base_url} answered HTTP {status}")
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if "json" not in ctype:
            raise WebError(
                f"the SearXNG instance at {self.base_url} sent {ctype or 'no content type'} "
                "instead of JSON: is this the address of a SearXNG instance, with JSON "
                "results enabled?"
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BYTES:
            raise WebError(self._too_big())

    def _read(self, response: httpx.Response, cancel: CancelCheck) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            if cancel():
                return None
            size += len(chunk)
            if size > MAX_BYTES:
                raise WebError(self._too_big())
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self) -> str:
        return (
            f"the SearXNG instance at {self.base_url} sent more than "
            f"{MAX_BYTES // (1024 * 1024)} MiB: not a page of search results"
        )

    def _results(self, body: bytes) -> list[dict[str, Any]]:
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise WebError(
                f"the SearXNG instance at {self.base_url} sent broken JSON ({exc})"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise WebError(
                f"the SearXNG instance at {self.base_url} sent JSON without a results list: "
                "is this a SearXNG instance?"
            )
        items = [item for item in data["results"] if isinstance(item, dict)]
        if not items:
            down = _unresponsive(data.get("unresponsive_engines"))
            if down:  # an empty page because every engine failed is an error, not "nothing"
                raise WebError(
                    f"the SearXNG instance at {self.base_url} found nothing: its engines did "
                    f"not answer ({down})"
                )
        return items


def _unresponsive(value: object) -> str:
    """SearXNG lists failed engines as [[name, reason], ...]."""
    if not isinstance(value, list):
        return ""
    names = []
    for entry in value[:5]:
        if isinstance(entry, list | tuple) and entry:
            names.append(": ".join(str(part) for part in entry[:2]))
    return "; ".join(names)
