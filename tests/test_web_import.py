"""Web pages imported as sources through the real library, store and parsers, served from
127.0.0.1: the cite fields and the bad pages (re-import, the import queue and the network
switch: tests/test_web_import_queue.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from evidence.cards.cite import build_cite
from evidence.datadir import DataDir
from evidence.errors import EmptyFile, UnsupportedFile
from evidence.importing.events import FileStatus
from evidence.index.store import Store
from evidence.library import Library
from evidence.parsers.document import ParsedDocument
from evidence.settings import Settings
from evidence.web.fetch import FetchedPage
from evidence.web.page import page_document
from tests.loopback import LoopbackServer, Response
from tests.web_pages import (
    BARE_ARTICLE,
    BODY,
    FULL_ARTICLE,
    _html,
    _import,
    _only,
    _results,
    _today_or_yesterday,
)
from tests.web_pages import library as library  # a fixture: web access on, private allowed

PAYWALL = """<html><head><title>Deterrence Holds | Example Review</title></head><body>
<nav><a href="/">Home</a> <a href="/login">Log in</a></nav><h1>Deterrence Holds</h1>
<div class="paywall"><p>Subscribe to continue reading.</p><a href="/subscribe">Subscribe</a></div>
</body></html>"""


def _article(head: str = "", byline: str = "", after: str = "") -> str:
    return f"""<html><head><title>Why Deterrence Holds</title>{head}</head><body>
<article><h1>Why Deterrence Holds</h1>{byline}<p>{BODY}</p><p>{BODY}</p></article>{after}
</body></html>"""


def _pdf(title: str, author: str, text: str) -> bytes:
    mupdf: Any = pymupdf  # unannotated library
    doc = mupdf.open()
    page = doc.new_page()
    page.insert_textbox(mupdf.Rect(72, 72, 540, 760), text, fontsize=11)
    doc.set_metadata({"title": title, "author": author, "creationDate": "D:20230405000000"})
    data: bytes = doc.tobytes()
    doc.close()
    return data


# -- cite fields ------------------------------------------------------------------------------


def test_article_with_full_metadata_gets_a_complete_cite(
    library: Library, loopback: LoopbackServer
) -> None:
    url = loopback.add("/articles/deterrence", _html(FULL_ARTICLE))
    given = url + "?utm_source=newsletter"
    (result,) = _results(_import(library, given))
    assert result.status == FileStatus.IMPORTED, result.reason
    assert result.title == "Deterrence Holds"
    source = _only(library)
    assert source.origin == given and source.is_web and source.kind == "html"
    assert source.authors == ["Jane Doe"]
    assert source.qualifications == "Professor of Political Science, Yale University"
    assert (source.date, source.title) == ("2024-03-05", "Deterrence Holds")
    assert source.publication == "Example Review"
    assert source.url == url  # the canonical address, without the tracking parameter
    assert _today_or_yesterday(source.accessed)

    cite = build_cite(source)
    assert cite.complete and cite.short == "Doe 24"
    assert cite.full == (
        "[Jane Doe; Professor of Political Science, Yale University; 2024-03-05; "
        f"“Deterrence Holds”; Example Review; {url}, accessed {source.accessed}]"
    )
    # The text is searchable at once, from the article only (no menu, no footer).
    (hit,) = library.search("uncontrolled escalation", k=1, mode="lexical")
    assert hit.source_id == source.id
    assert "Home" not in library.store.source_text(source.id)


def test_access_date_is_the_fetch_date_not_the_cite_date(data_dir: DataDir) -> None:
    old = datetime(2023, 1, 9, 12, tzinfo=UTC)
    page = FetchedPage("https://x.org/a", "https://x.org/a", 200, "text/html", "utf-8",
                       FULL_ARTICLE.encode(), old)  # fmt: skip
    doc = page_document(page, max_bytes=2**20)
    assert doc.accessed == old.astimezone().date().isoformat()
    store = Store(data_dir.database)
    store.add_source("https://x.org/a", "h", doc, [])
    (source,) = store.sources()
    store.close()
    assert build_cite(source).full.endswith(f"accessed {doc.accessed}]")
    assert build_cite(source, accessed=date(2025, 2, 1)).full.endswith("accessed 2025-02-01]")


def test_page_without_metadata_is_marked_incomplete_and_nothing_is_invented(
    library: Library, loopback: LoopbackServer
) -> None:
    url = loopback.add("/notes", _html(BARE_ARTICLE))
    (result,) = _results(_import(library, url))
    assert result.status == FileStatus.IMPORTED, result.reason
    source = _only(library)
    assert (source.authors, source.date, source.qualifications) == ([], "", "")
    assert source.publication == "127.0.0.1"  # the host stands in for a missing site name
    cite = build_cite(source)
    assert cite.missing == ("author", "date") and not cite.complete
    assert cite.short == "127.0.0.1 ND"
    assert cite.full == (
        f"[[no author]; [no date]; “Deterrence notes”; 127.0.0.1; {url}, "
        f"accessed {source.accessed}]"
    )


def _doc_of(html: str, url: str = "https://www.example.org/a") -> ParsedDocument:
    page = FetchedPage(url, url, 200, "text/html", "utf-8", html.encode(), datetime.now(UTC))
    return page_document(page, max_bytes=2**20)


def test_byline_qualification_and_a_clean_author_list() -> None:
    byline = '<p class="byline">By Jane Doe, a senior fellow at the Example Institute</p>'
    doc = _doc_of(_article(byline=byline))
    assert doc.authors == ["Jane Doe"]  # not "A Senior Fellow" too
    assert doc.qualifications == "senior fellow at the Example Institute"
    assert doc.publication == "example.org"


def test_author_bio_anywhere_on_the_page_is_the_qualification() -> None:
    bio = (
        '<aside class="author-bio"><p>John Roe is a professor of law at the Univ. of Example, '
        "where he teaches U.S. constitutional law. He lives in Ohio.</p></aside>"
    )
    doc = _doc_of(_article(head='<meta name="author" content="John Roe">', after=bio))
    assert doc.authors == ["John Roe"]
    assert doc.qualifications == "professor of law at the Univ. of Example"


def test_a_bio_of_someone_else_is_not_the_authors_qualification() -> None:
    other = "<aside><p>Mary Major is a professor of history at Example College.</p></aside>"
    doc = _doc_of(_article(head='<meta name="author" content="John Roe">', after=other))
    assert doc.authors == ["John Roe"] and doc.qualifications == ""


def test_json_ld_person_description_and_several_authors() -> None:
    bio = "Jane Doe is an economist at the Example Bank. She writes on trade."
    ld = {
        "@type": "Article",
        "author": [
            {"@type": "Person", "name": "Jane Doe", "description": bio},
            {"@type": "Person", "name": "Sam Poe"},
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    doc = _doc_of(_article(head=head))
    assert doc.authors == ["Jane Doe", "Sam Poe"]
    assert doc.qualifications == "Jane Doe: economist at the Example Bank"


def test_canonical_address_on_another_site_is_not_cited() -> None:
    head = '<link rel="canonical" href="https://aggregator.example.com/copy/1">'
    doc = _doc_of(_article(head=head), url="https://www.example.org/a?utm_medium=x&id=3#top")
    assert doc.url == "https://www.example.org/a?id=3"
    doc = _doc_of(_article(head='<link rel="canonical" href="https://example.org/b">'))
    assert doc.url == "https://example.org/b"


def test_pdf_behind_an_address_goes_through_the_pdf_parser(
    library: Library, loopback: LoopbackServer
) -> None:
    data = _pdf("Escalation Risks in Crisis Bargaining", "Jane Doe", BODY)
    url = loopback.add("/papers/escalation.pdf", Response(data, content_type="application/pdf"))
    # Mislabelled: a server calling a PDF a web page. The bytes decide.
    odd = loopback.add("/download?id=7", Response(data, content_type="text/html"))
    results = _results(_import(library, url, odd))
    assert [r.status for r in results] == [FileStatus.IMPORTED, FileStatus.DUPLICATE]
    (source,) = library.sources()
    assert (source.kind, source.title, source.authors) == (
        "pdf", "Escalation Risks in Crisis Bargaining", ["Jane Doe"],
    )  # fmt: skip
    assert (source.url, source.publication, source.date) == (url, "127.0.0.1", "2023-04-05")
    assert _today_or_yesterday(source.accessed)
    assert "uncontrolled escalation" in library.store.source_text(source.id)
    assert build_cite(source, page=1).full.endswith(f"{url}, accessed {source.accessed}; p. 1]")


@pytest.mark.parametrize("charset", ["shift_jis", "koi8-r"])
def test_page_in_another_encoding_named_only_in_the_http_header(
    library: Library, loopback: LoopbackServer, charset: str
) -> None:
    words = {
        "shift_jis": ("抑止力の研究", "抑止力は何十年も続いてきた。指導者は戦争を恐れる。"),
        "koi8-r": (
            "Исследование сдерживания",
            "Ядерное сдерживание держится десятилетиями, потому что лидеры боятся эскалации.",
        ),
    }[charset]
    title, sentence = words
    html = f"<html><head><title>{title}</title></head><body><article>" + (
        f"<p>{sentence * 6}</p><p>{title}: {sentence * 5}</p></article></body></html>"
    )
    url = loopback.add("/page", Response(html.encode(charset), content_type=f"text/html; "
                                         f"charset={charset.upper()}"))  # fmt: skip
    (result,) = _results(_import(library, url))
    assert result.status == FileStatus.IMPORTED, result.reason
    source = _only(library)
    assert source.title == title
    assert sentence.split()[0] in library.store.source_text(source.id)
    # The same bytes without the header's charset do not read right: the header mattered.
    page = FetchedPage(url, url, 200, "text/html", "", html.encode(charset), datetime.now(UTC))
    try:
        misread = page_document(page, max_bytes=2**20).title
    except UnsupportedFile:  # Shift_JIS fails the UTF-8/cp1252 test: "binary data"
        misread = ""
    assert misread != title


# -- bad pages --------------------------------------------------------------------------------


def test_paywall_page_says_so_and_keeps_the_stored_version(
    library: Library, loopback: LoopbackServer
) -> None:
    url = loopback.add("/story", _html(FULL_ARTICLE))
    _import(library, url)
    before = _only(library)
    loopback.add("/story", _html(PAYWALL))
    (result,) = _results(_import(library, url))
    assert result.status == FileStatus.FAILED
    assert "no article text on this page (a paywall" in result.reason
    assert "nothing was imported" in result.reason
    after = _only(library)  # the earlier version is still there, whole
    assert (after.id, after.word_count) == (before.id, before.word_count)
    assert library.status().queued_files == 0


def test_paywall_page_never_imported_leaves_nothing(
    library: Library, loopback: LoopbackServer
) -> None:
    url = loopback.add("/locked", _html(PAYWALL))
    (result,) = _results(_import(library, url))
    assert result.status == FileStatus.FAILED and "paywall" in result.reason
    assert library.sources() == [] and library.status().passages == 0


def test_page_document_raises_empty_for_a_paywall() -> None:
    with pytest.raises(EmptyFile, match="no article text"):
        _doc_of(PAYWALL)


def test_failures_come_back_as_failed_results_with_reasons(
    library: Library, loopback: LoopbackServer, tmp_path: Path
) -> None:
    note = tmp_path / "note.txt"
    note.write_text(BODY, encoding="utf-8")
    image = loopback.add("/cat.png", Response(b"\x89PNG\r\n\x1a\n", content_type="image/png"))
    events = _import(library, str(note), loopback.url("/gone"), image, "ftp://x", "not a url")
    by_path = {r.path: r for r in _results(events)}
    assert by_path[str(note.resolve())].status == FileStatus.IMPORTED
    reasons = {path: r.reason for path, r in by_path.items() if r.status == FileStatus.FAILED}
    assert reasons == {
        loopback.url("/gone"): "page not found (HTTP 404 Not Found): the address is mistyped "
        "or the page was removed",
        image: "the address points to an image (image/png), not a web page or document",
        "ftp://x": "ftp: addresses cannot be fetched; only http:// and https:// web pages can "
        "be imported",
        "not a url": "no such file or folder",
    }
    assert len(library.sources()) == 1 and library.status().queued_files == 0


def test_server_error_and_timeout_are_failed_results(
    data_dir: DataDir, loopback: LoopbackServer
) -> None:
    settings = Settings(web_access=True, web_allow_private=True, web_timeout_s=1)
    with Library(data_dir, settings) as lib:
        broken = loopback.add("/500", Response(b"oops", status=500))
        slow = loopback.add("/slow", Response(FULL_ARTICLE.encode(), delay_s=2.5))
        results = _results(_import(lib, broken, slow))
    assert [r.status for r in results] == [FileStatus.FAILED, FileStatus.FAILED]
    assert results[0].reason.startswith("the site's server failed (HTTP 500")
    assert results[1].reason == "the site did not answer within 1 s (timed out)"
