"""A card's provenance (library source id and body offset) kept inside the .docx itself.

It is a hidden Word bookmark around the tag's text, named `_dp_s{source_id}_o{offset}`:
Word hides bookmarks whose names start with `_` and keeps them when it edits and saves the
file, so "Go to source" still works on a file Word has changed. Word wants bookmark names
unique and at most 40 characters, so a repeat gets `_n{k}` and an over-long one is left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

PREFIX = "_dp_"
MAX_NAME = 40  # Word drops the rest of a longer bookmark name
_NAME = re.compile(r"_dp_s(\d{1,18})(?:_o(\d{1,18}))?(?:_n\d+)?")


def bookmark_name(source_id: int, offset: int | None, taken: set[str]) -> str | None:
    """A bookmark name for this provenance not yet in `taken` (and added to it); None when
    it cannot be written (a negative number, or a name Word would cut short)."""
    if source_id < 0 or (offset is not None and offset < 0):
        return None
    base = f"{PREFIX}s{source_id}" + (f"_o{offset}" if offset is not None else "")
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}_n{k}"
    if len(name) > MAX_NAME:
        return None
    taken.add(name)
    return name


def parse_name(name: str) -> tuple[int, int | None] | None:
    """(source_id, offset) from one of our bookmark names; None for any other bookmark."""
    if not name.startswith(PREFIX):
        return None
    match = _NAME.fullmatch(name)
    if match is None:
        return None
    offset = match.group(2)
    return int(match.group(1)), int(offset) if offset is not None else None


def find_provenance(names: Sequence[str]) -> tuple[int, int | None] | None:
    """The first of our provenances among a paragraph's bookmark names."""
    for name in names:
        found = parse_name(name)
        if found is not None:
            return found
    return None
