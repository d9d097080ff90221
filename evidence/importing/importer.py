"""Import files into the library: phase 1 stores text (searchable at once), phase 2 vectors.

Each file is stored in its own transaction together with its removal from the import queue,
so a kill at any point leaves whole sources only, and the next import resumes the queue.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from evidence.errors import EvidenceError
from evidence.importing.discover import Unreachable, discover
from evidence.importing.events import FileResult, FilesFound, FileStatus, ImportEvent
from evidence.index.passages import split_passages
from evidence.index.store import READER_VERSION, Store
from evidence.network import NetworkPolicy
from evidence.parsers import parse_file
from evidence.parsers.document import ParsedDocument
from evidence.verbatim.importing import as_card_source
from evidence.web.fetch import FetchCancelled, FetchedPage, fetch_url
from evidence.web.page import page_document
from evidence.web.urls import looks_like_url

log = logging.getLogger(__name__)

CancelCheck = Callable[[], bool]
MAX_ATTEMPTS = 2  # a file that killed the process twice is reported, not retried


class Cancelled(Exception):
    pass


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_files(
    store: Store,
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    cancel: CancelCheck = lambda: False,
    policy: NetworkPolicy | None = None,
    timeout_s: float = 20.0,
    resume: bool = True,
) -> Iterator[ImportEvent]:
    """Phase 1. Yields FilesFound, then one FileResult per file; stops early on cancel
    (files not reached stay queued for the next import). With `resume`, files left queued
    by an interrupted import go first; without it (the Searcher's web pages, imported while
    the user's own import may be running) only `paths` are imported.

    `paths` may hold http(s) addresses: they are fetched under `policy` (default: web
    access off, so each address fails with the reason and nothing is sent)."""
    web = _Web(policy or NetworkPolicy(), timeout_s, cancel)
    leftovers = dict(store.queued()) if resume else {}
    unreachable: list[Unreachable] = []
    found: list[str] = []
    for item in discover(paths):
        if isinstance(item, Unreachable):
            unreachable.append(item)
        else:
            found.append(str(item))
    store.enqueue(found)
    order = list(dict.fromkeys([*leftovers, *found]))
    total = len(order) + len(unreachable)
    yield FilesFound(total=total, resumed=len(set(leftovers) - set(found)))

    index = 0
    for bad in unreachable:
        index += 1
        log.warning("cannot read %s: %s", bad.path, bad.reason)
        yield FileResult(bad.path, FileStatus.FAILED, index, total, reason=bad.reason)
    for path in order:
        if cancel():
            return
        index += 1
        attempts = leftovers.get(path, 0)
        if attempts >= MAX_ATTEMPTS:
            store.dequeue(path)
            reason = f"the app stopped {attempts} times while importing this file; skipped"
            log.error("%s: %s", path, reason)
            yield FileResult(path, FileStatus.FAILED, index, total, reason=reason)
            continue
        result = _import_one(store, path, index, total, max_bytes, web)
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


def _import_one(
    store: Store, path: str, index: int, total: int, max_bytes: int, web: _Web
) -> FileResult | None:
    store.note_attempt(path)
    try:
        # A web address is fetched and read once. Its hash is the article's, not the page's
        # bytes: news pages change their ads and tokens on every load, the article does not.
        page = web.fetch(path, max_bytes) if looks_like_url(path) else None
        page_doc = page_document(page, max_bytes=max_bytes) if page is not None else None
        digest = article_sha256(page_doc) if page_doc else file_sha256(Path(path))
        existing = store.source_id_by_origin(path)
        if existing and existing[1] == digest and existing[2] >= READER_VERSION:
            store.dequeue(path)
            return FileResult(path, FileStatus.UNCHANGED, index, total, source_id=existing[0])
        twin = store.source_by_hash(digest)
        if twin is not None and twin.origin != path:
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
        if page_doc is not None:
            doc, cards = page_doc, None
        else:
            doc = parse_file(Path(path), max_bytes=max_bytes)
            cards = as_card_source(Path(path), doc, max_bytes)
        if cards is not None:  # a Verbatim file: one passage per card, cards stored with it
            doc, spans = cards.doc, cards.spans
            source_id = store.add_source(
                path, digest, doc, spans, done_queue_path=path,
                embed_texts=cards.embed_texts, extra=cards.extra,
            )  # fmt: skip
        else:
            spans = split_passages(doc)
            source_id = store.add_source(path, digest, doc, spans, done_queue_path=path)
    except FetchCancelled:
        store.note_attempt(path, -1)  # not a crash: the next import fetches it afresh
        log.info("cancelled while fetching %s; it stays queued", path)
        return None
    except (EvidenceError, OSError) as exc:
        store.dequeue(path)
        reason = _describe(exc)
        log.warning("import failed: %s: %s", path, reason)
        return FileResult(path, FileStatus.FAILED, index, total, reason=reason)
    except MemoryError:
        store.dequeue(path)
        reason = "not enough memory to import this file (close other programs, or split it)"
        log.error("import failed: %s: %s", path, reason)
        return FileResult(path, FileStatus.FAILED, index, total, reason=reason)
    except Exception as exc:  # a parser bug must not stop the other files
        store.dequeue(path)
        log.exception("unexpected error importing %s", path)
        return FileResult(
            path,
            FileStatus.FAILED,
            index,
            total,
            reason=f"unexpected error ({type(exc).__name__}: {exc})",
        )
    status = FileStatus.REPLACED if existing else FileStatus.IMPORTED
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
        words=len(doc.text.split()),
        cards=cards.cards if cards is not None else 0,
    )


def _describe(exc: BaseException) -> str:
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
