"""Rows as the rest of the app sees them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRecord:
    id: int
    origin: str
    kind: str
    title: str
    authors: list[str]
    date: str
    publication: str
    url: str
    word_count: int
    imported_at: str
    passages: int = 0
    embedded: int = 0
    warnings: list[str] = field(default_factory=list)
    qualifications: str = ""
    accessed: str = ""  # ISO date a web source was fetched; "" for files

    @property
    def is_web(self) -> bool:
        """Imported from an http(s) address rather than a file."""
        return self.origin.startswith(("http://", "https://"))

    @property
    def display_name(self) -> str:
        from pathlib import PurePath

        return self.title or PurePath(self.origin).name


@dataclass(frozen=True)
class PassageRecord:
    id: int
    source_id: int
    ordinal: int
    start: int
    end: int
    page: int | None
    text: str


@dataclass(frozen=True)
class IndexStatus:
    sources: int
    passages: int
    embedded: int  # passages with a vector from the current embedder
    queued_files: int

    @property
    def pending_vectors(self) -> int:
        return self.passages - self.embedded
