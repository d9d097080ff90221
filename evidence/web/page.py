"""A fetched page as a source: its text through the file parsers, its cite from the page.

The bytes decide the parser, as for files (a PDF served as text/html is still a PDF). HTML
gets the header's charset, then the cite fields the article text does not carry: who wrote
it and their stated qualifications, the site, the address to cite (the canonical one when it
is on the same site) and the access date, which is the day it was fetched.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from evidence.errors import EmptyFile, UnsupportedFile, WebError
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.parsers.docx import parse_docx
from evidence.parsers.html import decode_html, parse_html
from evidence.parsers.pdf import parse_pdf
from evidence.parsers.sniff import bom_encoding, sniff_kind
from evidence.parsers.text import parse_text
from evidence.web.fetch import FetchedPage
from evidence.web.qualifications import (
    ld_author_names,
    ld_people,
    looks_like_qualification,
    qualifications,
)
from evidence.web.urls import cite_url, normalize_url, site_host

log = logging.getLogger(__name__)

_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "br", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "header", "footer", "aside", "td", "tr", "table", "figcaption", "blockquote",
    "address", "dd", "dt", "main", "nav",
}  # fmt: skip
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)
_NO_TEXT_TAGS = ("script", "style", "noscript", "template", "svg")


def page_document(page: FetchedPage, *, max_bytes: int) -> ParsedDocument:
    """The source a fetched page becomes. Raises EmptyFile for pages with no article text
    (paywalls, login walls, pages built by JavaScript), UnsupportedFile/CorruptFile for
    bodies that are not documents."""
    name = Path(urlsplit(page.final_url).path).name or "page"
    kind = _kind(page.data, name, page.charset)
    if kind is SourceKind.HTML:
        doc = _html_document(page)
    elif kind is SourceKind.PDF:
        doc = parse_pdf(page.data, file_name=name)
    elif kind is SourceKind.DOCX:
        doc = parse_docx(page.data, max_bytes=max_bytes, file_name=name)
    else:
        doc = parse_text(_as_utf8(page.data, page.charset))
    doc.url = doc.url or cite_url(page.final_url)
    doc.publication = doc.publication or page.host
    doc.accessed = page.fetched_at.astimezone().date().isoformat()  # the user's calendar day
    return doc


def _kind(data: bytes, name: str, charset: str) -> SourceKind:
    if not data.strip():
        raise EmptyFile("the page is empty")
    if data.startswith(b"PK\x03\x04"):
        # sniff_kind reads zips from a path; this one is in memory.
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return SourceKind.DOCX
        except zipfile.BadZipFile:
            pass
        raise UnsupportedFile("the address points to a zip archive, not a page or document")
    try:
        return sniff_kind(Path(name), data)
    except UnsupportedFile:
        # Shift_JIS, KOI8-R... fail the sniffer's UTF-8/cp1252 test: read the head in the
        # charset the header or the page declares, and sniff that.
        head = _declared_text(data[:8192], charset)
        if head is None:
            raise
        return sniff_kind(Path(name), head.encode("utf-8"))


def _declared_text(head: bytes, charset: str) -> str | None:
    declared = _META_CHARSET.search(head)
    names = [charset, declared.group(1).decode("ascii") if declared else ""]
    for name in filter(None, names):
        try:
            # Incremental: a multi-byte character cut at the end of the head is fine.
            text: str = codecs.getincrementaldecoder(name)("strict").decode(head, final=False)
            return text
        except (LookupError, UnicodeDecodeError):
            continue
    return None


def _html_document(page: FetchedPage) -> ParsedDocument:
    try:
        doc = parse_html(page.data, charset=page.charset)
    except EmptyFile as exc:
        raise EmptyFile(
            "no article text on this page (a paywall, a login wall, or a page that needs "
            "JavaScript?); nothing was imported"
        ) from exc
    html = decode_html(page.data, page.charset)
    tree = _tree(html)
    if tree is None:
        return doc
    blocks = _json_ld(tree)
    doc.authors = [a for a in doc.authors if not looks_like_qualification(a)]
    if not doc.authors:
        doc.authors = [a for a in ld_author_names(blocks) if not looks_like_qualification(a)]
    doc.qualifications = qualifications(doc.authors, ld_people(blocks), _visible_text(tree))
    doc.url = _cite_address(tree, page.final_url)
    return doc


def _tree(html: str) -> Any:
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        log.warning("page markup unreadable for cite details: %s", exc)
        return None


def _json_ld(tree: Any) -> list[Any]:
    blocks: list[Any] = []
    for script in tree.xpath('//script[contains(@type, "ld+json")]'):
        try:
            blocks.append(json.loads(script.text_content()))
        except ValueError:  # broken JSON-LD is common; the rest of the page still counts
            continue
    return blocks


def _visible_text(tree: Any) -> str:
    """The page's text with block boundaries as line breaks (bylines and author boxes too,
    which the article extractor leaves out)."""
    for el in tree.xpath("//" + " | //".join(_NO_TEXT_TAGS)):
        el.drop_tree()
    for el in tree.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS:
            el.tail = "\n" + (el.tail or "")
            el.text = "\n" + (el.text or "")
    return str(tree.text_content())


def _cite_address(tree: Any, final_url: str) -> str:
    """The canonical address when the page names one on its own site, else the final one."""
    hrefs = tree.xpath(
        '//link[contains(concat(" ", normalize-space(@rel), " "), " canonical ")]'
        "/@href | //meta[@property='og:url']/@content"
    )
    for href in hrefs:
        try:
            canonical = normalize_url(urljoin(final_url, str(href).strip()))
        except WebError:
            continue
        if site_host(canonical) == site_host(final_url):
            return cite_url(canonical)
    return cite_url(final_url)


def _as_utf8(data: bytes, charset: str) -> bytes:
    """Plain text in the header's charset, re-encoded for the text parser (which reads
    BOM'd Unicode, UTF-8 or cp1252)."""
    if not charset or bom_encoding(data):
        return data
    try:
        return data.decode(charset).encode("utf-8")
    except (UnicodeDecodeError, LookupError):
        return data
