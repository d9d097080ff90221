"""Web pages and helpers for tests/test_web_import.py and tests/test_web_import_queue.py: the
article pages the loopback server serves, a library with web access on, and import shortcuts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest

from evidence.datadir import DataDir
from evidence.importing.events import FileResult, ImportEvent
from evidence.index.records import SourceRecord
from evidence.library import Library
from evidence.settings import Settings
from tests.loopback import Response

SENTENCE = "Nuclear deterrence has held for decades because leaders fear uncontrolled escalation."
BODY = " ".join([SENTENCE] * 4)
WEB_ON = Settings(web_access=True, web_allow_private=True, web_timeout_s=5)

JSON_LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Deterrence Holds",
    "datePublished": "2024-03-05",
    "author": [
        {
            "@type": "Person",
            "name": "Jane Doe",
            "jobTitle": "Professor of Political Science",
            "worksFor": {"@type": "Organization", "name": "Yale University"},
        }
    ],
    "publisher": {"@type": "Organization", "name": "Example Review"},
}
FULL_ARTICLE = f"""<!doctype html><html><head><title>Deterrence Holds | Example Review</title>
<meta property="og:site_name" content="Example Review"><meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="/articles/deterrence">
<script type="application/ld+json">{json.dumps(JSON_LD)}</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Deterrence Holds</h1><p>{BODY}</p><p>{BODY}</p></article>
<footer>© 2023 Example Review</footer></body></html>"""
BARE_ARTICLE = f"""<html><head><title>Deterrence notes</title></head>
<body><div><p>{BODY}</p><p>{BODY}</p></div><footer>© 2023 Somebody</footer></body></html>"""


def _html(text: str, charset: str = "utf-8") -> Response:
    return Response(text.encode(charset), content_type=f"text/html; charset={charset}")


@pytest.fixture
def library(data_dir: DataDir) -> Iterator[Library]:
    lib = Library(data_dir, WEB_ON)
    yield lib
    lib.close()


def _import(lib: Library, *items: str, **kw: object) -> list[ImportEvent]:
    return list(lib.import_paths(list(items), embed=False, **kw))  # type: ignore[arg-type]


def _results(events: list[ImportEvent]) -> list[FileResult]:
    return [e for e in events if isinstance(e, FileResult)]


def _only(lib: Library) -> SourceRecord:
    (source,) = lib.sources()
    return source


def _today_or_yesterday(value: str) -> bool:  # a test running across midnight
    today = date.today().toordinal()
    return date.fromisoformat(value).toordinal() in (today, today - 1)
