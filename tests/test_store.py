import sqlite3
from pathlib import Path

import pytest

from evidence.index.passages import PassageSpan
from evidence.index.store import Store, StoreError
from evidence.parsers.document import ParsedDocument, SourceKind


def _doc(text: str) -> tuple[ParsedDocument, list[PassageSpan]]:
    doc = ParsedDocument(kind=SourceKind.TEXT, text=text, title="T", authors=["A B"], date="2021")
    spans, pos = [], 0
    for part in text.split("\n\n"):
        start = text.index(part, pos)
        spans.append(PassageSpan(start, start + len(part), None))
        pos = start + len(part)
    return doc, spans


def test_fts_finds_stored_passages_and_offsets_map_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    doc, spans = _doc("Whales migrate far.\n\nSanctions fail to change regimes.")
    sid = store.add_source("/x/a.txt", "h1", doc, spans)
    hits = store.lexical('"sanction"', 10)  # porter stemming: sanction ~ sanctions
    assert len(hits) == 1
    passage = store.passages([hits[0][0]])[hits[0][0]]
    assert passage.source_id == sid
    assert (
        doc.text[passage.start : passage.end] == passage.text == "Sanctions fail to change regimes."
    )


def test_same_origin_replaces_old_version_everywhere(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.add_source("/x/a.txt", "h1", *_doc("alpha words here"))
    store.mark_embedded([p.id for p in store.pending_passages("m", 10)], "m")
    store.add_source("/x/a.txt", "h2", *_doc("beta words here"))
    assert store.lexical('"alpha"', 10) == []
    assert len(store.lexical('"beta"', 10)) == 1
    assert store.status("m").sources == 1
    assert len(store.vector_deletes()) == 1  # the old passage's vector is queued for deletion


def test_remove_deletes_source_passages_and_fts_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    sid = store.add_source("/x/a.txt", "h1", *_doc("one\n\ntwo\n\nthree"))
    assert store.remove_source(sid)
    assert store.status(None).passages == 0
    assert store.lexical('"two"', 10) == []
    store.conn.execute("INSERT INTO passages_fts(passages_fts) VALUES('integrity-check')")


def test_queue_entry_leaves_with_the_source_commit(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.enqueue(["/x/a.txt", "/x/b.txt"])
    store.add_source("/x/a.txt", "h1", *_doc("text"), done_queue_path="/x/a.txt")
    assert [p for p, _ in store.queued()] == ["/x/b.txt"]


def test_date_filter_treats_year_bound_as_prefix(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    for origin, date in (("/a", "2019-05-01"), ("/b", "2020-12-31"), ("/c", "2021")):
        doc, spans = _doc(origin)
        doc.date = date
        store.add_source(origin, origin, doc, spans)
    ids = store.source_ids_where("2020", "2020")
    assert [store.source(i).origin for i in ids] == ["/b"]  # type: ignore[union-attr]


def test_damaged_database_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="cannot be opened"):
        Store(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this app"):
        Store(path)
