"""Typed progress events of an import. The core yields them; the CLI prints them and the
desktop app turns them into Qt signals."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FileStatus(StrEnum):
    IMPORTED = "imported"
    REPLACED = "replaced"  # the file changed since it was imported: the old version is gone
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"  # same bytes already imported from another path
    SKIPPED = "skipped"  # not read on purpose: a link out of the folder, another import's file
    FAILED = "failed"


@dataclass(frozen=True)
class FilesFound:
    total: int
    resumed: int  # files left over from an import that did not finish


@dataclass(frozen=True)
class FileResult:
    path: str
    status: FileStatus
    index: int  # 1-based position in this import
    total: int
    source_id: int | None = None
    title: str = ""
    passages: int = 0
    reason: str = ""  # why it failed, or what was skipped/warned
    words: int = 0
    cards: int = 0  # cards found in a Verbatim file (each is also one passage)
    flagged: int = 0  # of those, cards whose highlight the checker flags (highlight_check)


@dataclass(frozen=True)
class EmbedProgress:
    done: int
    total: int


@dataclass(frozen=True)
class EmbedUnavailable:
    """Vectors cannot be computed now; lexical search still works."""

    reason: str


@dataclass(frozen=True)
class ImportFinished:
    counts: dict[str, int]
    cancelled: bool
    pending_vectors: int | None  # None when the embedding phase was skipped
    # Cards of the files stored by this import whose highlight the checker flags, each once
    # (a card two of the files hold counts once), and those files' source ids.
    flagged: int = 0
    stored_ids: tuple[int, ...] = ()
    # The flagged cards' ids: a window that queues drops counts their union, not a sum.
    flagged_ids: tuple[int, ...] = ()

    @property
    def failed(self) -> int:
        return self.counts.get(FileStatus.FAILED, 0)


ImportEvent = FilesFound | FileResult | EmbedProgress | EmbedUnavailable | ImportFinished
