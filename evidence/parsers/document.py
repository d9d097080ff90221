"""What a parser returns: the full text of one source and its metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class SourceKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    TEXT = "text"
    HTML = "html"


@dataclass
class ParsedDocument:
    """One source's text and metadata, as read from its bytes.

    `text` is the whole text; every offset elsewhere (pages, passages, cards) indexes into it.
    `page_starts[i]` is the offset at which page i+1 begins (empty for unpaged sources).
    `paragraph_breaks` lists offsets where a paragraph ends, when the format knows them
    (DOCX paragraphs, PDF blocks); the passage splitter also detects blank lines itself.
    """

    kind: SourceKind
    text: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    date: str = ""  # ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD) or ""
    publication: str = ""  # journal, site name, publisher
    url: str = ""
    qualifications: str = ""  # the authors' qualifications as the source states them
    accessed: str = ""  # ISO date a web source was fetched (its cite's access date)
    page_starts: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def page_at(self, offset: int) -> int | None:
        """1-based page holding `offset`, or None for unpaged sources."""
        if not self.page_starts:
            return None
        from bisect import bisect_right

        return max(1, bisect_right(self.page_starts, offset))
