"""Web pages imported again, through the real library and store, served from 127.0.0.1: an
unchanged and a changed page, the network switch, the import queue (resume after a kill,
cancel), an old library's upgrade, and the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cli.exit_codes import ExitCode
from cli.main import main
from evidence.datadir import DataDir
from evidence.importing.events import FilesFound, FileStatus, ImportFinished
from evidence.index.schema import MIGRATIONS
from evidence.index.store import Store
from evidence.library import Library
from evidence.settings import Settings, save_settings
from tests.loopback import LoopbackServer, Response
from tests.netguard import SocketGuard
from tests.web_pages import (
    BARE_ARTICLE,
    FULL_ARTICLE,
    WEB_ON,
    _html,
    _import,
    _only,
    _results,
    _today_or_yesterday,
)
from tests.web_pages import library as library  # a fixture: web access on, private allowed

# -- re-import, the queue, the switch --------------------------------------------------------


def test_same_page_twice_is_unchanged_and_a_changed_page_replaces_it(
    library: Library, loopback: LoopbackServer
) -> None:
    url = loopback.add("/live", _html(BARE_ARTICLE))
    first = _results(_import(library, url))[0]
    again = _results(_import(library, url))[0]
    assert (first.status, again.status) == (FileStatus.IMPORTED, FileStatus.UNCHANGED)
    assert again.source_id == first.source_id
    loopback.add("/live", _html(BARE_ARTICLE.replace("decades", "generations")))
    changed = _results(_import(library, url))[0]
    assert changed.status == FileStatus.REPLACED
    assert loopback.hits["/live"] == 3
    text = library.store.source_text(_only(library).id)
    assert "generations" in text and "decades" not in text


def test_new_ads_and_tokens_around_the_same_article_leave_it_unchanged(
    library: Library, loopback: LoopbackServer
) -> None:
    # News pages change their ads, scripts and tokens on every load; the article does not.
    url = loopback.add(
        "/news", _html(BARE_ARTICLE.replace("</body>", "<script>t=1</script></body>"))
    )
    first = _results(_import(library, url))[0]
    reloaded = BARE_ARTICLE.replace("</body>", '<script>t=2</script><div class="ad"></div></body>')
    assert reloaded != BARE_ARTICLE
    loopback.add("/news", _html(reloaded))
    again = _results(_import(library, url))[0]
    assert (first.status, again.status) == (FileStatus.IMPORTED, FileStatus.UNCHANGED)


def test_web_access_off_fails_each_address_without_any_connection(
    data_dir: DataDir, loopback: LoopbackServer, socket_guard: SocketGuard
) -> None:
    url = loopback.add("/a", _html(FULL_ARTICLE))
    with Library(data_dir, Settings(web_access=False, web_allow_private=True)) as lib:
        events = _import(lib, url, "example.com/article")
        assert lib.sources() == [] and lib.status().queued_files == 0
    results = _results(events)
    assert [r.path for r in results] == [url, "https://example.com/article"]
    for r in results:
        assert r.status == FileStatus.FAILED
        assert r.reason.startswith("web access is off, so fetching") and "not attempted" in r.reason
    assert socket_guard.attempts == [] and loopback.hits["/a"] == 0


def test_address_queued_by_a_killed_import_is_resumed(
    library: Library, loopback: LoopbackServer
) -> None:
    url = loopback.add("/queued", _html(FULL_ARTICLE))
    library.store.enqueue([url])  # as a kill mid-import leaves it
    events = _import(library)
    assert events[0] == FilesFound(total=1, resumed=1)
    (result,) = _results(events)
    assert (result.path, result.status) == (url, FileStatus.IMPORTED)
    assert library.status().queued_files == 0 and _only(library).origin == url


def test_cancel_while_fetching_keeps_the_address_queued(
    library: Library, loopback: LoopbackServer
) -> None:
    url = loopback.add("/big", Response(FULL_ARTICLE.encode() * 20, chunk_delay_s=0.005))
    events = _import(library, url, cancel=lambda: loopback.hits["/big"] > 0)
    assert _results(events) == [] and isinstance(events[-1], ImportFinished)
    assert events[-1].cancelled
    assert library.store.queued() == [(url, 0)]  # not counted as a crash
    (result,) = _results(_import(library))
    assert result.status == FileStatus.IMPORTED and library.store.queued() == []


def test_old_library_gains_the_web_columns(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db)
    for version, script in enumerate(MIGRATIONS[:2]):
        conn.executescript(f"BEGIN;{script}PRAGMA user_version={version + 1};COMMIT;")
    conn.execute(
        "INSERT INTO sources (origin, content_hash, kind, text, word_count, imported_at) "
        "VALUES ('/x/a.txt', 'h', 'text', 'words', 1, '2024-01-01')"
    )
    conn.commit()
    conn.close()
    store = Store(db)
    (source,) = store.sources()
    version = store.conn.execute("PRAGMA user_version").fetchone()[0]
    store.close()
    assert (source.qualifications, source.accessed, source.is_web) == ("", "", False)
    assert version == len(MIGRATIONS) >= 3


def test_cli_imports_an_address(
    data_dir: DataDir, loopback: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = loopback.add("/articles/deterrence", _html(FULL_ARTICLE))
    home = ["--data-dir", str(data_dir.root)]
    save_settings(data_dir.settings, Settings(web_access=False))
    assert main([*home, "import", "--no-vectors", url]) == ExitCode.SOME_FAILED
    assert "web access is off" in capsys.readouterr().out
    save_settings(data_dir.settings, WEB_ON)
    assert main([*home, "import", "--no-vectors", url]) == ExitCode.OK
    assert "imported" in capsys.readouterr().out
    store = Store(data_dir.database)  # (`sources` would load the embedding model)
    (source,) = store.sources()
    store.close()
    assert source.origin == url and source.authors == ["Jane Doe"]
    assert source.qualifications == "Professor of Political Science, Yale University"
    assert _today_or_yesterday(source.accessed)
