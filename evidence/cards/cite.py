"""Debate cites from a source's metadata: "Roush & Balaji 20" plus the full cite.

A cite missing its author or date is still written, but marked incomplete so the Reviewer
and the debater see it; nothing is invented to fill the gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from evidence.index.records import SourceRecord


@dataclass(frozen=True)
class Cite:
    short: str
    full: str
    missing: tuple[str, ...]  # e.g. ("author", "date")

    @property
    def complete(self) -> bool:
        return not self.missing


def _last_name(name: str) -> str:
    parts = [p for p in re.split(r"\s+", name.strip()) if p]
    return parts[-1].strip(",.") if parts else ""


def short_cite(authors: list[str], iso_date: str, fallback: str) -> str:
    names = [_last_name(a) for a in authors if _last_name(a)]
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} & {names[1]}"
    elif names:
        who = f"{names[0]} et al."
    else:
        who = fallback
    year = iso_date[2:4] if re.match(r"\d{4}", iso_date) else "ND"
    return f"{who} {year}"


def build_cite(source: SourceRecord, page: int | None = None, accessed: date | None = None) -> Cite:
    missing = []
    if not source.authors:
        missing.append("author")
    if not source.date:
        missing.append("date")
    if not source.title:
        missing.append("title")
    fallback = source.publication or source.display_name
    short = short_cite(source.authors, source.date, fallback)
    parts = [" and ".join(source.authors) if source.authors else "[no author]"]
    if source.qualifications:  # as the source states them; never made up
        parts.append(source.qualifications)
    parts += [
        source.date or "[no date]",
        f"“{source.title}”" if source.title else f"[untitled: {source.display_name}]",
    ]
    if source.publication:
        parts.append(source.publication)
    url = source.url or (source.origin if source.is_web else "")
    if url:
        # A web source's access date is the day it was fetched, stored with it.
        accessed = accessed or _stored_date(source.accessed) or date.today()
        parts.append(f"{url}, accessed {accessed.isoformat()}")
    elif not source.is_web:
        parts.append(f"file {source.display_name}")
    if page:
        parts.append(f"p. {page}")
    return Cite(short, "[" + "; ".join(parts) + "]", tuple(missing))


def _stored_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
