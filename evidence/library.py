"""The library: the store, the vector index and the embedder together, for the CLI and the app.

The embedder is created lazily through a factory, so listing or lexical search never loads a
model, and a missing or broken model leaves lexical search working.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from evidence.cancel import CancelCheck
from evidence.cards.card import CardDocument
from evidence.cards.flagged import flagged_card_ids, flagged_cards
from evidence.cards.store import CardRow, load_cards, load_cards_by_id, load_outline, outline_of
from evidence.datadir import DataDir
from evidence.errors import EvidenceError
from evidence.importing.events import (
    EmbedProgress,
    EmbedUnavailable,
    FileResult,
    FileStatus,
    ImportEvent,
    ImportFinished,
)
from evidence.importing.importer import import_files
from evidence.index.backup import (
    BackupMade,
    backup_due,
    backup_folder,
    make_backup,
    record_imports,
)
from evidence.index.embedding import Embedder
from evidence.index.records import IndexStatus, SourceRecord
from evidence.index.search import SearchFilters, SearchHit, passage_hits, search
from evidence.index.store import Store
from evidence.index.vectors import (
    ChromaVectorIndex,
    VectorIndex,
    open_persistent_client,
    set_aside_damaged,
)
from evidence.network import NetworkPolicy
from evidence.settings import Settings

log = logging.getLogger(__name__)

EmbedderFactory = Callable[[], Embedder]
VectorFactory = Callable[[str], VectorIndex]  # model id -> index for that model


class Library:
    def __init__(
        self,
        data_dir: DataDir,
        settings: Settings,
        embedder_factory: EmbedderFactory | None = None,
        vector_factory: VectorFactory | None = None,
        *,
        reconcile: bool = True,
    ) -> None:
        self.data_dir = data_dir.create()
        self.settings = settings
        self.store = Store(data_dir.database)
        self._embedder_factory = embedder_factory
        self._vector_factory = vector_factory or self._embedded_chroma
        self._chroma_client: Any = None
        self._embedder: Embedder | None = None
        self._embedder_error: str | None = None
        self._vectors: VectorIndex | None = None
        # Reconciling while another connection of this process is embedding would take its
        # fresh, not-yet-marked vectors for orphans: the app reconciles once, at start.
        self._reconcile_on_open = reconcile
        self.notices: list[str] = []  # what went wrong and was dealt with, for the user
        self.last_backup: BackupMade | None = None  # the one this Library's imports made

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- components ------------------------------------------------------------------------

    def _embedded_chroma(self, model_id: str) -> VectorIndex:
        if self._chroma_client is None:
            self._chroma_client = open_persistent_client(
                self.data_dir.vectors, on_damage=self._note_vectors_damaged
            )
        return ChromaVectorIndex(self._chroma_client, model_id)

    def embedder(self) -> Embedder:
        """The embedder, loaded once; raises EvidenceError with the reason if it cannot be."""
        if self._embedder is None:
            if self._embedder_error is not None:
                raise EvidenceError(self._embedder_error)
            if self._embedder_factory is None:
                raise EvidenceError("no embedding model configured")
            try:
                self._embedder = self._embedder_factory()
            except EvidenceError as exc:
                self._embedder_error = str(exc)
                raise
        return self._embedder

    def vectors(self) -> VectorIndex:
        """The vector index for the current embedder, reconciled with the store once. A
        damaged embedded index is set aside and started again (see `_vectors_damaged`)."""
        if self._vectors is None:
            model_id = self.embedder().model_id
            try:
                vectors = self._vector_factory(model_id)
                if self._reconcile_on_open:
                    self._reconcile(vectors, model_id)
                else:
                    vectors.count()  # Chroma reads its store lazily: find damage now
            except (EvidenceError, sqlite3.DatabaseError):  # ours, or the library's own store
                raise
            except Exception as exc:  # Chroma raises many types for a damaged store
                vectors = self._vectors_damaged(model_id, exc)
            self._vectors = vectors
        return self._vectors

    def _vectors_damaged(self, model_id: str, exc: Exception) -> VectorIndex:
        """Vectors are derived data: keep the damaged folder aside, start an empty index and
        mark every passage for embedding again (the next import, `reindex` or `doctor
        --repair` computes them). A team's server is not ours to move: say so instead."""
        if self._vector_factory != self._embedded_chroma:
            raise EvidenceError(f"the vector index cannot be read ({exc})") from exc
        self._chroma_client = None
        aside = set_aside_damaged(self.data_dir.vectors)
        self.store.forget_embeddings()
        self._note_vectors_damaged(exc, aside)
        return self._vector_factory(model_id)

    def _note_vectors_damaged(self, exc: Exception, aside: Path) -> None:
        notice = (
            f"The vector index was damaged ({type(exc).__name__}: {exc}); it was kept as "
            f"{aside} and a new one started. Vectors are computed again by the next import "
            "or `debate-prep doctor --repair`; keyword search works meanwhile."
        )
        log.error("%s", notice)
        self.notices.append(notice)

    def _reconcile(self, vectors: VectorIndex, model_id: str) -> None:
        """Repair what a kill can leave: vectors of deleted passages, and passages marked as
        embedded whose vector is missing (e.g. the index folder was rebuilt)."""
        self._settle_vectors(vectors)
        marked = self.store.embedded_ids(model_id)
        if vectors.count() == len(marked):
            return
        present = vectors.all_ids()
        orphans = sorted(present - marked)
        if orphans:
            log.warning("removing %d vectors without a passage", len(orphans))
            vectors.delete(orphans)
        missing = marked - present
        if missing:
            log.warning("%d passages lost their vectors; they will be embedded again", len(missing))
            self.store.unmark_embedded(sorted(missing))

    def _settle_vectors(self, vectors: VectorIndex) -> None:
        """The vector side of what SQLite committed: vectors of deleted passages go; those of
        cards handed from a removed or replaced file to another file that holds them
        (shared_cards.rehome_cards) are filed under their new source (an index that cannot
        move vectors gets them embedded again)."""
        doomed = self.store.vector_deletes()
        if doomed:
            vectors.delete(doomed)
            self.store.clear_vector_deletes(doomed)
        moves = self.store.vector_moves()
        ids = [pid for pid, _ in moves]
        move = getattr(vectors, "move", None)
        if ids and move is not None:
            move(ids, [sid for _, sid in moves])
        elif ids:
            self.store.unmark_embedded(ids)
        self.store.clear_vector_moves(ids)

    # -- operations ------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Iterable[str | Path],
        cancel: CancelCheck = lambda: False,
        *,
        embed: bool = True,
        resume: bool = True,
        follow_links: bool | None = None,
    ) -> Iterator[ImportEvent]:
        """Import files and web addresses (phase 1), then compute missing vectors (phase 2).

        Addresses are fetched only when the settings allow web access. `resume=False`
        imports only `paths`, leaving another import's queue alone. `follow_links` (default:
        the setting) imports links in a folder that lead out of it."""
        counts: dict[str, int] = {}
        max_bytes = self.settings.max_file_mb * 1024 * 1024
        imported = import_files(
            self.store,
            paths,
            max_bytes=max_bytes,
            cancel=cancel,
            policy=NetworkPolicy.from_settings(self.settings),
            timeout_s=self.settings.web_timeout_s,
            resume=resume,
            follow_links=self.settings.follow_links if follow_links is None else follow_links,
        )
        stored: list[str] = []
        stored_ids: list[int] = []
        for event in imported:
            if isinstance(event, FileResult):
                counts[event.status] = counts.get(event.status, 0) + 1
                if event.status in (FileStatus.IMPORTED, FileStatus.REPLACED):
                    stored.append(event.path)
                    if event.source_id is not None:
                        stored_ids.append(event.source_id)
            yield event
        if embed and not cancel():
            yield from self.embed_pending(cancel)
        # Without the embedding phase, do not load a model just to count what it would do.
        pending = self._pending() if embed else None
        if stored:
            self._back_up(stored)
        # Each flagged card once, though several of the files hold it (read from the counts
        # stored at import, not checked again).
        flagged = flagged_card_ids(self.store.conn, stored_ids) if stored_ids else []
        yield ImportFinished(
            counts,
            cancelled=cancel(),
            pending_vectors=pending,
            flagged=len(flagged),
            stored_ids=tuple(stored_ids),
            flagged_ids=tuple(flagged),
        )

    def _back_up(self, stored: list[str]) -> None:
        """After an import that changed the library: journal what it stored, then a backup
        when one is due (evidence/index/backup.py). A failed backup is logged; the import
        stands."""
        folder = backup_folder(self.data_dir.database)
        record_imports(folder, stored)
        if not backup_due(folder):
            return
        try:
            self.last_backup = make_backup(self.store.conn, folder)
        except (OSError, sqlite3.Error) as exc:
            log.warning("the library was not backed up: %s", exc)

    def embed_pending(self, cancel: CancelCheck = lambda: False) -> Iterator[ImportEvent]:
        try:
            embedder = self.embedder()
            vectors = self.vectors()
        except EvidenceError as exc:
            log.error("vectors not computed: %s", exc)
            yield EmbedUnavailable(str(exc))
            return
        self._settle_vectors(vectors)  # a replaced file's old passages, at once
        model_id = embedder.model_id
        total = self.store.status(model_id).pending_vectors
        done = 0
        if total:
            yield EmbedProgress(0, total)
        while not cancel():
            batch = self.store.pending_passages(model_id, self.settings.embed_batch)
            if not batch:
                break
            vecs = embedder.embed([p.text for p in batch])
            ids = [p.id for p in batch]
            # Vector first, then the mark: a kill in between only re-embeds this batch.
            vectors.upsert(ids, vecs, [p.source_id for p in batch])
            self.store.mark_embedded(ids, model_id)
            done += len(batch)
            yield EmbedProgress(min(done, total), max(total, done))

    def _model_id(self) -> str | None:
        """The current embedder's id, loading it if needed; None when it cannot load."""
        try:
            return self.embedder().model_id
        except EvidenceError:
            return None

    def _pending(self) -> int:
        return self.store.status(self._model_id()).pending_vectors

    def search(
        self, query: str, k: int = 10, filters: SearchFilters | None = None, mode: str = "hybrid"
    ) -> list[SearchHit]:
        vectors: VectorIndex | None = None
        embedder: Embedder | None = None
        if mode != "lexical":
            try:
                embedder, vectors = self.embedder(), self.vectors()
            except EvidenceError as exc:
                log.warning("vector search unavailable (%s); lexical only", exc)
        try:
            return search(
                self.store, query, k=k, filters=filters, vectors=vectors, embedder=embedder,
                mode=mode,
            )  # fmt: skip
        except (EvidenceError, sqlite3.DatabaseError, LookupError, ValueError):
            raise
        except Exception as exc:  # damage Chroma only finds while querying
            if vectors is None or embedder is None:
                raise
            self._vectors = self._vectors_damaged(embedder.model_id, exc)
            return search(self.store, query, k=k, filters=filters, mode="lexical")

    def passage_hits(self, passage_ids: list[int], query: str = "") -> list[SearchHit]:
        return passage_hits(self.store, passage_ids, query)

    def sources(self) -> list[SourceRecord]:
        return self.store.sources(self._model_id())

    def find_sources(self, ref: str) -> list[SourceRecord]:
        """Sources matching a user's reference: an id, a path, a file name or a title."""
        all_sources = self.store.sources()
        if ref.isdigit():
            return [s for s in all_sources if s.id == int(ref)]
        exact = [s for s in all_sources if ref in (s.origin, Path(s.origin).name, s.title)]
        if exact:
            return exact
        low = ref.lower()
        return [s for s in all_sources if low in s.origin.lower() or low in s.title.lower()]

    def remove(self, source_id: int) -> bool:
        removed = self.store.remove_source(source_id)
        if removed and self._vectors is not None:
            self._settle_vectors(self._vectors)
        return removed

    def reindex(self, cancel: CancelCheck = lambda: False) -> Iterator[ImportEvent]:
        """Drop every vector and compute them again with the current embedder."""
        try:
            vectors = self.vectors()
        except EvidenceError as exc:
            yield EmbedUnavailable(str(exc))
            return
        vectors.clear()
        self.store.forget_embeddings()
        yield from self.embed_pending(cancel)

    def status(self) -> IndexStatus:
        return self.store.status(self._model_id())

    # -- cards -------------------------------------------------------------------------------

    def cards(self, source_ids: Iterable[int] | None = None) -> list[CardRow]:
        return load_cards(self.store.conn, source_ids)

    def flagged_cards(self, source_ids: Sequence[int] | None = None) -> list[CardRow]:
        """Cards whose highlight the checker flagged at import (evidence/cards/flagged.py)."""
        return flagged_cards(self.store.conn, source_ids)

    def card_document(
        self, *, source_ids: Sequence[int] | None = None, card_ids: Sequence[int] | None = None
    ) -> CardDocument:
        """What an export writes: chosen cards under their headings, or whole outlines of the
        chosen sources (all Verbatim sources when nothing is chosen), in order."""
        if card_ids:
            return outline_of(load_cards_by_id(self.store.conn, card_ids))
        chosen = source_ids if source_ids else [s.id for s in self.store.sources()]
        merged = CardDocument()
        for source_id in chosen:
            part = load_outline(self.store.conn, source_id)
            merged.nodes.extend(part.nodes)
            merged.title = merged.title or part.title
        return merged
