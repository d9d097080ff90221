"""Saved web pages: the article's main text and its metadata, via trafilatura."""

from __future__ import annotations

import codecs
import contextlib
import re
from datetime import datetime
from typing import Any

import trafilatura

from evidence.errors import CorruptFile, EmptyFile
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.parsers.metadata import split_authors
from evidence.parsers.sniff import unicode_encoding
from evidence.parsers.text import normalise_newlines

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
# Trafilatura falls back to the whole page's text when it finds no article, so a menu or a
# paywall prompt comes back as "text". Article prose has long lines; navigation does not.
_MIN_PROSE_LINE_WORDS = 8
_MIN_PROSE_LINE_CHARS = 80  # for scripts without spaces between words
_MIN_PROSE_CHARS = 200


def decode_html(data: bytes, charset: str = "") -> str:
    """BOM, then the HTTP header's charset (web pages), then the declared <meta charset>,
    then UTF-8, then cp1252."""
    candidates: list[str] = []
    bom = unicode_encoding(data)
    if bom:
        candidates.append(bom)
    if charset:
        with contextlib.suppress(LookupError):
            candidates.append(codecs.lookup(charset).name)
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        # An unknown charset name falls through to the defaults.
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            candidates.append(codecs.lookup(declared.group(1).decode("ascii")).name)
    for encoding in [*candidates, "utf-8"]:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


def parse_html(data: bytes, *, charset: str = "") -> ParsedDocument:
    """`charset` is the one an HTTP Content-Type header named, if any."""
    html = decode_html(data, charset)
    date_params = {
        "original_date": True,  # the publication date, not the last-modified one
        "extensive_search": False,  # else "© 2024" in a footer becomes a 2024-01-01 date
        "max_date": datetime.now().strftime("%Y-%m-%d"),
    }
    try:
        result: Any = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=date_params,
        )
    except Exception as exc:  # lxml and trafilatura internals on malformed markup
        raise CorruptFile(f"the web page could not be parsed: {exc}"[:160]) from exc
    meta: dict[str, Any] = {}
    if result is not None:
        meta = result if isinstance(result, dict) else result.as_dict()
    text = _paragraphs(str(meta.get("text") or ""))
    if not _has_prose(text):
        raise EmptyFile("no article text found (paywall or not an article page?)")
    return ParsedDocument(
        kind=SourceKind.HTML,
        text=text,
        title=str(meta.get("title") or "").strip(),
        authors=split_authors(str(meta.get("author") or "")),
        date=str(meta.get("date") or ""),
        publication=str(meta.get("sitename") or "").strip(),
        url=str(meta.get("url") or "") or _saved_from(html),
    )


def _paragraphs(text: str) -> str:
    # Trafilatura puts one paragraph per line; a blank line between them matches the other
    # parsers, so the passage splitter sees the same paragraph structure everywhere.
    lines = (" ".join(line.split()) for line in normalise_newlines(text).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _has_prose(text: str) -> bool:
    prose = 0
    for line in text.split("\n\n"):
        if len(line.split()) >= _MIN_PROSE_LINE_WORDS or len(line) >= _MIN_PROSE_LINE_CHARS:
            prose += len(line)
            if prose >= _MIN_PROSE_CHARS:
                return True
    return False


def _saved_from(html: str) -> str:
    # Browsers' "Save page as" leaves the address in a comment at the top.
    m = _SAVED_FROM.search(html[:2048])
    return m.group(1) if m else ""
