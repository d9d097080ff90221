"""Import files into the library: phase 1 stores text (searchable at once), phase 2 vectors.

Each file is stored in its own transaction together with its removal from the import queue,
so a kill at any point leaves whole sources only, and the next import resumes the queue.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from evidence.cancel import CancelCheck
from evidence.cards.flagged import flagged_card_ids, store_counts
from evidence.errors import EvidenceError, UnreadablePath
from evidence.importing.discover import LinkOut, Unreachable, discover
from evidence.importing.events import FileResult, FilesFound, FileStatus, ImportEvent
from evidence.importing.isolated import run_isolated
from evidence.importing.queue import ImportQueue
from evidence.index.passages import PassageSpan, split_passages
from evidence.index.store import Store
from evidence.network import NetworkPolicy
from evidence.parsers import parse_bytes, read_bytes
from evidence.parsers.document import ParsedDocument
from evidence.verbatim.importing import CardSource, read_card_source
from evidence.web.fetch import FetchCancelled, FetchedPage, fetch_url
from evidence.web.page import page_document
from evidence.web.urls import looks_like_url

log = logging.getLogger(__name__)


class Cancelled(Exception):
    pass


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    cancel: CancelCheck = lambda: False,
    policy: NetworkPolicy | None = None,
    timeout_s: float = 20.0,
    resume: bool = True,
    follow_links: bool = False,
) -> Iterator[ImportEvent]:
    """Phase 1. Yields FilesFound, then one FileResult per file; stops early on cancel
    (files not reached stay queued for the next import). With `resume`, files left queued
    by an import that ended without finishing go first; without it (the Searcher's web
    pages, imported while the user's own import may be running) only `paths` are imported.
    Files another running import has queued are left to it (queue.py).

    `paths` may hold http(s) addresses: they are fetched under `policy` (default: web
    access off, so each address fails with the reason and nothing is sent). Links inside
    a folder that lead out of it are skipped unless `follow_links`."""
    web = _Web(policy or NetworkPolicy(), timeout_s, cancel)
    with ImportQueue(store) as queue:
        yield from _run(store, queue, paths, max_bytes, web, cancel, resume, follow_links)


def _run(
    store: Store,
    queue: ImportQueue,
    paths: Iterable[str | Path],
    max_bytes: int,
    web: _Web,
    cancel: CancelCheck,
    resume: bool,
    follow_links: bool,
) -> Iterator[ImportEvent]:
    leftovers = dict(queue.take_leftovers()) if resume else {}
    not_read: list[FileResult] = []
    found: list[str] = []
    for item in discover(paths, follow_links=follow_links):
        if isinstance(item, Unreachable):
            not_read.append(FileResult(item.path, FileStatus.FAILED, 0, 0, reason=item.reason))
        elif isinstance(item, LinkOut):
            not_read.append(FileResult(item.path, FileStatus.SKIPPED, 0, 0, reason=item.reason))
        else:
            found.append(str(item))
    claimed, busy = queue.add(found)
    for path in busy:
        reason = "another import running now has this file queued; it imports it"
        not_read.append(FileResult(path, FileStatus.SKIPPED, 0, 0, reason=reason))
    order = list(dict.fromkeys([*leftovers, *claimed]))
    total = len(order) + len(not_read)
    yield FilesFound(total=total, resumed=len(set(leftovers) - set(found)))

    index = 0
    for early in not_read:
        index += 1
        log.warning("%s %s: %s", early.status, early.path, early.reason)
        yield replace(early, index=index, total=total)
    for path in order:
        if cancel():
            return
        index += 1
        # A file started before without ending (the app was killed, or the file crashed
        # it) is read in a child process: only a crash there is blamed on the file.
        isolate = leftovers.get(path, 0) > 0
        result = _import_one(store, queue, path, index, total, max_bytes, web, isolate)
        if result is None:  # cancelled while fetching: the address stays queued
            return
        yield result


def article_sha256(doc: ParsedDocument) -> str:
    """What makes a web source the same source: its text and its cite fields."""
    fields = [doc.text, doc.title, "; ".join(doc.authors), doc.date, doc.qualifications]
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


class _Web:
    def __init__(self, policy: NetworkPolicy, timeout_s: float, cancel: CancelCheck) -> None:
        self.policy, self.timeout_s, self.cancel = policy, timeout_s, cancel

    def fetch(self, url: str, max_bytes: int) -> FetchedPage:
        return fetch_url(
            url, self.policy, max_bytes=max_bytes, timeout_s=self.timeout_s, cancel=self.cancel
        )


@dataclass
class _Input:
    """One queued item, read once: a fetched page's article, or a file's bytes."""

    digest: str
    page_doc: ParsedDocument | None = None
    data: bytes = b""


def _import_one(
    store: Store,
    queue: ImportQueue,
    path: str,
    index: int,
    total: int,
    max_bytes: int,
    web: _Web,
    isolate: bool = False,
) -> FileResult | None:
    """Import one file or address; None when cancelled while fetching (it stays queued)."""
    queue.start(path)
    try:
        return _import_input(store, path, index, total, max_bytes, web, isolate)
    except FetchCancelled:
        queue.undo_start(path)  # not a crash: the next import fetches it afresh
        log.info("cancelled while fetching %s; it stays queued", path)
        return None
    except (EvidenceError, OSError) as exc:
        reason = _describe(exc)
        log.warning("import failed: %s: %s", path, reason)
    except MemoryError:
        reason = "not enough memory to import this file (close other programs, or split it)"
        log.error("import failed: %s: %s", path, reason)
    except Exception as exc:  # a parser bug must not stop the other files
        log.exception("unexpected error importing %s", path)
        reason = f"unexpected error ({type(exc).__name__}: {exc})"
    queue.done(path)
    return FileResult(path, FileStatus.FAILED, index, total, reason=reason)


def _import_input(
    store: Store,
    path: str,
    index: int,
    total: int,
    max_bytes: int,
    web: _Web,
    isolate: bool = False,
) -> FileResult:
    """Read, skip what the library already holds, parse, store: the happy path."""
    item = _read_input(path, max_bytes, web)
    existing = store.source_id_by_origin(path)
    skipped = _skip_if_stored(store, path, item.digest, existing, index, total)
    if skipped is not None:
        return skipped
    if isolate and item.page_doc is None:
        log.info("%s was being read when an import ended; reading it in a child process", path)
        doc, spans, cards = run_isolated(_prepare, item, Path(path).name, max_bytes)
    else:
        doc, spans, cards = _prepare(item, Path(path).name, max_bytes)
    source_id = store.add_source(
        path, item.digest, doc, spans, done_queue_path=path,
        embed_texts=cards.embed_texts if cards else None, extra=cards.extra if cards else None,
        keys=cards.keys if cards else None,
    )  # fmt: skip
    status = FileStatus.REPLACED if existing else FileStatus.IMPORTED
    if cards is not None:
        cards.held.clear()  # the parsed XML, freed now the file is searchable
    # Searchable now; then the new cards' highlight counts (evidence/cards/flagged.py), and
    # the file's flagged cards from them and those it shares: one query.
    flagged = 0
    if cards is not None:
        store_counts(store.conn, cards.inserted)
        flagged = len(flagged_card_ids(store.conn, [source_id]))
    log.info("%s %s: %d passages", status, path, len(spans))
    return FileResult(
        path,
        status,
        index,
        total,
        source_id=source_id,
        title=doc.title,
        passages=len(spans),
        reason="; ".join(doc.warnings),
        words=_stored_words(store, source_id),
        cards=cards.cards if cards is not None else 0,
        flagged=flagged,
    )


def _stored_words(store: Store, source_id: int) -> int:
    """The word count the store took in the import's transaction (a backfile's 900k words
    are not split twice)."""
    record = store.source(source_id)
    return record.word_count if record is not None else 0


def _read_input(path: str, max_bytes: int, web: _Web) -> _Input:
    """Fetch the address or read the file, once, and hash what identifies the source."""
    if looks_like_url(path):
        # A web address's hash is the article's, not the page's bytes: news pages change
        # their ads and tokens on every load, the article does not.
        page_doc = page_document(web.fetch(path, max_bytes), max_bytes=max_bytes)
        return _Input(article_sha256(page_doc), page_doc=page_doc)
    data = read_bytes(Path(path), max_bytes)
    return _Input(hashlib.sha256(data).hexdigest(), data=data)


def _skip_if_stored(
    store: Store,
    path: str,
    digest: str,
    existing: tuple[int, str, bool] | None,
    index: int,
    total: int,
) -> FileResult | None:
    """UNCHANGED or DUPLICATE (and off the queue) when the library already holds these
    bytes, read by the current reader; None when the source needs importing."""
    if existing and existing[1] == digest and existing[2]:
        store.dequeue(path)
        return FileResult(path, FileStatus.UNCHANGED, index, total, source_id=existing[0])
    twin = store.source_by_hash(digest)
    if twin is None or twin.origin == path:
        return None
    store.dequeue(path)
    return FileResult(
        path,
        FileStatus.DUPLICATE,
        index,
        total,
        source_id=twin.id,
        title=twin.display_name,
        reason=f"same file as {twin.origin}",
    )


def _prepare(
    item: _Input, file_name: str, max_bytes: int
) -> tuple[ParsedDocument, list[PassageSpan], CardSource | None]:
    """The document and its passages: for a Verbatim file, one passage per card (embedded
    from its card, the cards stored with it); otherwise the text split into passages."""
    if item.page_doc is not None:
        return item.page_doc, split_passages(item.page_doc), None
    doc, cards = read_card_source(item.data, file_name, max_bytes, parse_bytes)
    if cards is not None:
        return cards.doc, cards.spans, cards
    return doc, split_passages(doc), None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UnreadablePath) and isinstance(exc.__cause__, FileNotFoundError):
        return "file disappeared during import"  # it was there when it was queued
    if isinstance(exc, EvidenceError):
        return str(exc)
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file disappeared during import"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def summarize(results: Iterable[FileResult]) -> Counter[str]:
    return Counter(str(r.status) for r in results)
