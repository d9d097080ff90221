"""The Searcher's web research: when the library lacks evidence for a claim, search the web,
import the top results as sources, and let the usual library search find them.

When: only to fill a gap. The library is searched first (the debater's own files are the
evidence they trust, and that costs no network); the web is searched for a claim when the
library has fewer relevant unused passages than the cards still needed, once per claim per
run, never for a task tied to one source or passage, and at most MAX_SEARCHES times a run.

"Import what it uses": pages a run imports but cuts no card from are removed again when the
run ends; a cancelled or failed run removes every page it imported. Sources that were in the
library before the run are never touched. Cards cut from web pages carry the URL as their
source's origin and in their cite, and their CardCut step has `web=True`.

With web access off the Team gets no WebResearch at all (see `web_research_from_settings`),
so nothing here runs and no search library is even imported.
"""

from __future__ import annotations

import logging
from collections.abc import Generator as Gen
from collections.abc import Iterator

from agents.team.events import (
    Message,
    Role,
    RunDone,
    Started,
    StepEvent,
    StepFailed,
    WebPage,
    WebPagesRemoved,
    WebSearched,
)
from evidence.cancel import CancelCheck
from evidence.errors import NetworkDisabled, WebError
from evidence.importing.events import EmbedUnavailable, FileResult, FileStatus
from evidence.library import Library
from evidence.network import NetworkPolicy
from evidence.settings import Settings
from evidence.web.search_base import WebResult, WebSearchProvider, url_key
from evidence.web.search_providers import provider_from_settings
from evidence.web.urls import normalize_url

log = logging.getLogger(__name__)

Steps = Gen[StepEvent, None, bool]
MAX_SEARCHES = 6  # web searches in one run (a case searches per contention and impact)


def web_research_from_settings(settings: Settings) -> WebResearch | None:
    """The Team's web research: None when web access is off; WebError when the chosen
    provider cannot be used as set (e.g. SearXNG without an address)."""
    if not settings.web_access:
        return None
    provider = provider_from_settings(settings, NetworkPolicy.from_settings(settings))
    return WebResearch(provider, settings.web_results)


class WebResearch:
    def __init__(
        self, provider: WebSearchProvider, results_per_query: int = 5,
        *, max_searches: int = MAX_SEARCHES,
    ) -> None:  # fmt: skip
        self.provider = provider
        self.results_per_query = max(1, results_per_query)
        self.max_searches = max_searches
        self.imported: dict[int, str] = {}  # source id -> URL, imported by the current run
        self._searched: set[str] = set()

    # -- during the run ---------------------------------------------------------------------

    def research(self, library: Library, query: str, cancel: CancelCheck) -> Steps:
        """Search the web for `query` and import the results; True when new pages entered
        the library (then the caller searches the library again)."""
        key = " ".join(query.lower().split())
        if not key or key in self._searched or len(self._searched) >= self.max_searches:
            return False
        self._searched.add(key)
        if not library.settings.web_access:  # switched off while the run was going
            yield Message(Role.SEARCHER, "web access is off: searching the library only")
            return False
        yield Started(Role.SEARCHER, f"searching the web: {query}")
        try:
            results = self.provider.search(query, self.results_per_query, cancel)
        except NetworkDisabled as exc:
            yield Message(Role.SEARCHER, str(exc))
            return False
        except WebError as exc:
            log.warning("web search failed for %r: %s", query, exc)
            yield StepFailed(Role.SEARCHER, f"web search failed: {exc}")
            return False
        if cancel():
            return False
        yield WebSearched(f"{len(results)} web results", query, tuple(results))
        new: dict[str, WebResult] = {}  # normalised address -> result
        for result in results:
            try:  # the importer stores a page under its normalised address
                origin = normalize_url(result.url)
            except WebError as exc:
                yield _page_step(f"not imported: {result.title}: {exc}", result, reason=str(exc))
                continue
            known = library.store.source_id_by_origin(origin)
            if known is None:
                new.setdefault(origin, result)
            else:  # already a source: searchable as it is, and never removed by this run
                yield _page_step(f"already in the library: {result.title}", result)
        if not new:
            return False
        return (yield from self._import(library, new, cancel))

    def _import(self, library: Library, pages: dict[str, WebResult], cancel: CancelCheck) -> Steps:
        by_key = {url_key(origin): result for origin, result in pages.items()}
        added = False
        # resume=False: never pick up files an import of the user's own is working through.
        events = library.import_paths(list(pages), cancel, resume=False)
        try:
            for event in events:
                if isinstance(event, EmbedUnavailable):
                    note = f"web pages searchable by words only: {event.reason}"
                    yield Message(Role.SEARCHER, note)
                if not isinstance(event, FileResult):
                    continue
                result = by_key.get(url_key(event.path))
                if result is None:  # not one of our pages (cannot happen with resume=False)
                    continue
                if event.status == FileStatus.IMPORTED and event.source_id is not None:
                    self.imported[event.source_id] = event.path
                    added = True
                    title = event.title or result.title
                    yield _page_step(f"imported from the web: {title}", result,
                                     source_id=event.source_id)  # fmt: skip
                elif event.status == FileStatus.FAILED:
                    yield _page_step(f"not imported: {result.title}: {event.reason}", result,
                                     reason=event.reason)  # fmt: skip
                else:  # the same page under another address, or unchanged: already evidence
                    yield _page_step(f"already in the library: {event.title or result.title}",
                                     result, source_id=event.source_id)  # fmt: skip
                if cancel():
                    break
        finally:
            close = getattr(events, "close", None)
            if close is not None:  # a Stop mid-way: end the import where it stands
                close()
            # Pages not reached before a Stop stay in the import queue; a later import of the
            # user's own files must not go and fetch them.
            for origin in pages:
                library.store.dequeue(origin)
        return added and not cancel()

    # -- after the run ----------------------------------------------------------------------

    def keep_used(self, events: Iterator[StepEvent], library: Library) -> Iterator[StepEvent]:
        """Pass a run's events through; when it ends, remove the pages it imported that no
        card came from (all of them if it was cancelled or failed)."""
        self.imported.clear()
        self._searched.clear()
        ended = False
        try:
            for event in events:
                if isinstance(event, RunDone):
                    ended = True
                    used = {card.source_id for card in event.cards}  # none when cancelled
                    removed = self.remove_unused(library, used)
                    if removed and not event.cancelled:
                        text = f"removed {len(removed)} web pages no card came from"
                        yield WebPagesRemoved(text, tuple(removed))
                yield event
        finally:
            if not ended:  # an error or an abandoned run: keep nothing half-made
                self.discard(library)

    def remove_unused(self, library: Library, used: set[int | None]) -> list[str]:
        """Remove this run's imported pages whose id is not in `used`; their URLs."""
        removed = []
        for source_id, url in list(self.imported.items()):
            if source_id in used:
                continue
            try:
                library.remove(source_id)
            except Exception:  # one failed removal must not hide the run's result
                log.exception("could not remove unused web source %s (%s)", source_id, url)
                continue
            del self.imported[source_id]
            removed.append(url)
        if removed:
            log.info("removed %d unused web sources: %s", len(removed), ", ".join(removed))
        return removed

    def discard(self, library: Library) -> list[str]:
        """Remove every page this run imported (a Stop after the run ended, nothing stored)."""
        return self.remove_unused(library, set())


def _page_step(
    text: str, result: WebResult, source_id: int | None = None, reason: str = ""
) -> WebPage:
    return WebPage(text, result.url, result.title, source_id, reason)
