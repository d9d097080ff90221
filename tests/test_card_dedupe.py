"""One card, one copy (issue 16, part 3): a card found in several files is stored, indexed and
embedded once, with every file and place it is in; removing a file keeps it for the others."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.cards.card import Card, CardDocument, Heading, Level
from evidence.cards.store import layout, load_cards, load_outline, places_for_passages
from evidence.datadir import DataDir
from evidence.index.schema import MIGRATIONS
from evidence.index.store import Store
from evidence.library import Library
from evidence.settings import Settings
from evidence.verbatim import read_verbatim
from evidence.verbatim.writer import write_docx
from tests.conftest import ROOT, SAMPLES


def _sample_cards() -> list[Card]:
    cards = read_verbatim(SAMPLES / "verbatim" / "1nc.docx").cards()
    assert len(cards) >= 9
    return cards


def _file(path: Path, pocket: str, blocks: list[tuple[str, list[Card]]]) -> CardDocument:
    heads = [Heading(Level.BLOCK, title, list(cards)) for title, cards in blocks]
    doc = CardDocument([Heading(Level.POCKET, pocket, heads)], title=path.stem)
    write_docx(doc, path)
    return doc


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path, list[Card]]:
    """a.docx holds cards 0-5; b.docx holds 3-8, and card 3 a second time under another
    block: cards 3, 4, 5 are shared."""
    cards = _sample_cards()
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    _file(a, "Aff file", [("Sanctions fail", cards[0:6])])
    _file(b, "Neg file", [("Answers", cards[3:9]), ("Extensions", [cards[3]])])
    return a, b, cards


def _counts(conn: sqlite3.Connection) -> tuple[int, int, int]:
    cards, passages, places = conn.execute(
        "SELECT (SELECT COUNT(*) FROM cards), (SELECT COUNT(*) FROM passages), "
        "(SELECT COUNT(*) FROM card_places)"
    ).fetchone()
    return cards, passages, places


def _check_invariants(conn: sqlite3.Connection) -> None:
    """What a shared card must never lose, after any change."""
    conn.execute("INSERT INTO passages_fts(passages_fts) VALUES('integrity-check')")
    placeless = conn.execute(
        "SELECT COUNT(*) FROM cards c WHERE c.passage_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM card_places pl WHERE pl.card_id = c.id AND pl.source_id = c.source_id)"
    ).fetchone()[0]
    assert placeless == 0, "an imported card without a place in its owner"
    rows = conn.execute(
        "SELECT p.text, s.text, p.start, p.end, p.source_id, c.source_id FROM passages p "
        "JOIN sources s ON s.id = p.source_id JOIN cards c ON c.passage_id = p.id"
    ).fetchall()
    for text, source_text, start, end, owner, card_owner in rows:
        assert source_text[start:end] == text, "a passage no longer its source's text"
        assert owner == card_owner
    orphans = conn.execute(
        "SELECT COUNT(*) FROM passages WHERE source_id NOT IN (SELECT id FROM sources)"
    ).fetchone()[0]
    assert orphans == 0


def _lib(data: DataDir) -> Library:
    return Library(data, Settings())


def _titles(hit_places: list[object]) -> list[str]:
    return [p.title for p in hit_places]  # type: ignore[attr-defined]


def test_shared_cards_stored_once_and_kept_until_the_last_file_goes(
    tmp_path: Path, two_files: tuple[Path, Path, list[Card]]
) -> None:
    a, b, cards = two_files
    with _lib(DataDir(tmp_path / "data")) as lib:
        list(lib.import_paths([a, b], embed=False))
        conn = lib.store.conn
        # 6 + 6 + 1 places, 9 distinct cards, one passage each.
        assert _counts(conn) == (9, 9, 13)
        listed = lib.cards()
        assert len(listed) == 9 and len({c.id for c in listed}) == 9
        _check_invariants(conn)
        src = {s.origin: s for s in lib.sources()}
        assert src[str(a)].passages == 6 and src[str(b)].passages == 6  # shared ones counted

        shared = cards[4]
        hits = lib.search(shared.tag, k=3, mode="lexical")
        assert hits and hits[0].source_id == src[str(a)].id
        assert hits[0].also_in == ("b.docx",)
        assert sum(1 for h in hits if h.passage_id == hits[0].passage_id) == 1
        places = places_for_passages(conn, [hits[0].passage_id])[hits[0].passage_id]
        assert [(p.title, p.path) for p in places] == [
            ("a.docx", [(1, "Aff file"), (3, "Sanctions fail")]),
            ("b.docx", [(1, "Neg file"), (3, "Answers")]),
        ]
        # A search within b finds the card a owns.
        within_b = lib.search(shared.tag, k=3, mode="lexical", filters=_only(src[str(b)].id))
        assert within_b and within_b[0].passage_id == hits[0].passage_id
        # b's outline is whole, its repeated card included.
        b_doc = load_outline(conn, src[str(b)].id)
        assert [c.body for c in b_doc.cards()] == [c.body for c in [*cards[3:9], cards[3]]]
        assert len(load_cards(conn, [src[str(b)].id])) == 6

        assert lib.remove(src[str(a)].id)
        assert _counts(conn) == (6, 6, 7)  # a's own three cards went
        _check_invariants(conn)
        hits = lib.search(shared.tag, k=3, mode="lexical")
        assert hits and hits[0].source_id == src[str(b)].id and hits[0].also_in == ()
        b_doc = load_outline(conn, src[str(b)].id)
        assert [c.tag for c in b_doc.cards()] == [c.tag for c in [*cards[3:9], cards[3]]]

        assert lib.remove(src[str(b)].id)
        assert _counts(conn) == (0, 0, 0)
        assert lib.search(shared.tag, k=3, mode="lexical") == []


def _only(source_id: int):  # type: ignore[no-untyped-def]
    from evidence.index.search import SearchFilters

    return SearchFilters(source_ids=[source_id])


def test_a_changed_file_imported_again_updates_its_places(
    tmp_path: Path, two_files: tuple[Path, Path, list[Card]]
) -> None:
    a, b, cards = two_files
    with _lib(DataDir(tmp_path / "data")) as lib:
        list(lib.import_paths([a, b], embed=False))
        conn = lib.store.conn
        before = {r[0]: r[1] for r in conn.execute("SELECT digest, passage_id FROM cards")}
        # a now drops shared card 5 and takes card 8 (which b owns) and a new card.
        extra = read_verbatim(SAMPLES / "verbatim" / "neg.docx").cards()[0]
        _file(a, "Aff file", [("Sanctions fail", [*cards[0:5], cards[8], extra])])
        events = list(lib.import_paths([a], embed=False))
        assert any(getattr(e, "status", "") == "replaced" for e in events)
        _check_invariants(conn)
        assert _counts(conn) == (10, 10, 14)
        after = {r[0]: r[1] for r in conn.execute("SELECT digest, passage_id FROM cards")}
        # Cards kept keep their passage (and so their vector).
        assert all(after[d] == p for d, p in before.items())
        src = {s.origin: s.id for s in lib.sources()}
        a_doc = load_outline(conn, src[str(a)])
        assert [c.body for c in a_doc.cards()] == [c.body for c in [*cards[0:5], cards[8], extra]]
        hits = lib.search(cards[5].tag, k=1, mode="lexical")
        assert hits[0].source_id == src[str(b)] and hits[0].also_in == ()
        hits = lib.search(cards[8].tag, k=1, mode="lexical")
        assert hits[0].source_id == src[str(b)] and hits[0].also_in == ("a.docx",)


def _old_library(path: Path, docs: list[tuple[str, CardDocument]]) -> None:
    """A version-4 library written as the old code did: a passage and a card row per
    occurrence, outlines naming them, some passages marked embedded."""
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:
        assert isinstance(script, str)
        conn.executescript(script)
    conn.execute("PRAGMA user_version=4")
    for origin, doc in docs:
        plan = layout(doc)
        cur = conn.execute(
            "INSERT INTO sources (origin, content_hash, kind, title, text, word_count, "
            "imported_at, reader_version) VALUES (?, ?, 'docx', ?, ?, 1, 'now', 2)",
            (origin, origin, doc.title, plan.text),
        )
        sid = cur.lastrowid
        ids = []
        for i, pl in enumerate(plan.placements):
            pid = conn.execute(
                "INSERT INTO passages (source_id, ordinal, start, end, text, embedded_with) "
                "VALUES (?, ?, ?, ?, ?, 'old-model')",
                (sid, i, pl.start, pl.end, plan.text[pl.start : pl.end]),
            ).lastrowid
            node = pl.node
            assert isinstance(node, Card)
            spans = json.dumps([[s.start, s.end, str(s.mark), s.color] for s in node.spans])
            ids.append(
                conn.execute(
                    "INSERT INTO cards (source_id, passage_id, ordinal, kind, outline_path, "
                    "tag, short_cite, full_cite, body, spans, body_offset) "
                    "VALUES (?, ?, ?, 'card', ?, ?, ?, ?, ?, ?, ?)",
                    (sid, pid, i, json.dumps(pl.path), node.tag, node.short_cite,
                     node.full_cite, node.body, spans, pl.body_offset),
                ).lastrowid
            )  # fmt: skip

        conn.execute(
            "UPDATE sources SET outline = ? WHERE id = ?",
            (json.dumps(_resolve(plan.outline, ids)), sid),
        )
    conn.commit()
    conn.close()


def _resolve(items: list[dict[str, object]], ids: list[int | None]) -> list[object]:
    return [
        {"card": ids[it["item"]]}  # type: ignore[index]
        if "item" in it
        else {**it, "children": _resolve(it["children"], ids)}  # type: ignore[arg-type]
        for it in items
    ]


def test_migration_merges_copies_in_an_old_library(tmp_path: Path) -> None:
    cards = _sample_cards()
    a = CardDocument(
        [Heading(Level.POCKET, "Aff", [Heading(Level.BLOCK, "One", cards[0:6])])], title="a"
    )
    b = CardDocument(
        [Heading(Level.POCKET, "Neg", [Heading(Level.BLOCK, "Two", [*cards[3:9], cards[3]])])],
        title="b",
    )
    data = DataDir(tmp_path / "data").create()
    _old_library(data.database, [("/x/a.docx", a), ("/x/b.docx", b)])
    with sqlite3.connect(data.database) as old:
        assert _counts_v4(old) == (13, 13)

    store = Store(data.database)
    conn = store.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert _counts(conn) == (9, 9, 13)
    _check_invariants(conn)
    # The copies' passages were embedded: their vectors are queued for deletion.
    assert len(store.vector_deletes()) == 4
    for sid, doc in ((1, a), (2, b)):
        got = load_outline(conn, sid)
        assert [(c.tag, c.body, c.spans) for c in got.cards()] == [
            (c.tag, c.body, c.spans) for c in doc.cards()
        ]
    # Every card kept, and each once.
    assert {c.node.body for c in load_cards(conn)} == {c.body for c in cards[0:9]}
    assert store.remove_source(1)
    _check_invariants(conn)
    assert len(load_outline(conn, 2).cards()) == 7
    store.close()


def _counts_v4(conn: sqlite3.Connection) -> tuple[int, int]:
    return conn.execute(
        "SELECT (SELECT COUNT(*) FROM cards), (SELECT COUNT(*) FROM passages)"
    ).fetchone()


_KILL_IN_SECOND_FILE = """
import os, signal, sys
from pathlib import Path
import evidence.verbatim.importing as vi
from evidence.datadir import DataDir
from evidence.library import Library
from evidence.settings import Settings

data, a, b = DataDir(Path(sys.argv[1])), sys.argv[2], sys.argv[3]
lib = Library(data, Settings())
list(lib.import_paths([a], embed=False))
real = vi.write_cards

def dying(conn, source_id, passage_ids, plan):
    real(conn, source_id, passage_ids, plan)  # b's rows are written, not committed
    os.kill(os.getpid(), signal.SIGKILL)

vi.write_cards = dying
list(lib.import_paths([b], embed=False))
"""


def test_an_import_killed_in_the_second_file_leaves_a_consistent_library(
    tmp_path: Path, two_files: tuple[Path, Path, list[Card]]
) -> None:
    a, b, _cards = two_files
    data = DataDir(tmp_path / "data").create()
    proc = subprocess.run(
        [sys.executable, "-c", _KILL_IN_SECOND_FILE, str(data.root), str(a), str(b)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == -9, proc.stderr
    with _lib(data) as lib:
        conn = lib.store.conn
        _check_invariants(conn)
        assert _counts(conn) == (6, 6, 6)  # a whole, nothing of b
        assert [p for p, _ in lib.store.queued()] == [str(b)]
        list(lib.import_paths([], embed=False))  # the next import resumes b
        assert _counts(conn) == (9, 9, 13)
        _check_invariants(conn)


def test_a_shared_card_is_embedded_once_and_its_vector_moves_with_it(
    tmp_path: Path, two_files: tuple[Path, Path, list[Card]], embedder
) -> None:  # type: ignore[no-untyped-def]
    a, b, cards = two_files
    with Library(DataDir(tmp_path / "data"), Settings(), lambda: embedder) as lib:
        list(lib.import_paths([a, b]))
        vectors = lib.vectors()
        assert vectors.count() == 9 and lib.status().pending_vectors == 0
        src = {s.origin: s.id for s in lib.sources()}
        shared = lib.search(cards[4].tag, k=1, mode="lexical")[0].passage_id
        # Within b, vector search finds the card a owns (its vector is filed under a).
        near = lib.search(cards[4].tag, k=3, mode="vector", filters=_only(src[str(b)]))
        assert shared in [h.passage_id for h in near]
        assert lib.remove(src[str(a)])
        # The vector stayed (nothing to embed again), now filed under b.
        assert vectors.count() == 6 and lib.status().pending_vectors == 0
        assert lib.store.vector_moves() == []
        near = lib.search(cards[4].tag, k=3, mode="vector", filters=_only(src[str(b)]))
        assert shared in [h.passage_id for h in near]
        assert lib.remove(src[str(b)])
        assert vectors.count() == 0


def test_the_cards_command_lists_a_shared_card_once(
    data_dir: DataDir, two_files: tuple[Path, Path, list[Card]], capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.exit_codes import ExitCode
    from cli.main import main

    a, b, cards = two_files
    home = ["--data-dir", str(data_dir.root)]
    assert main([*home, "import", "--no-vectors", str(a), str(b)]) == ExitCode.OK
    capsys.readouterr()
    assert main([*home, "cards"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "9 cards, 0 analytics"
    assert main([*home, "--json", "cards", "--source", "b.docx"]) == ExitCode.OK
    rows = json.loads(capsys.readouterr().out)
    assert [r["body"] for r in rows] == [c.body for c in cards[3:9]]
    assert rows[0]["path"] == [[1, "Neg file"], [3, "Answers"]]  # its place in b


def test_a_migration_that_fails_leaves_the_old_library_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import evidence.index.schema_v5 as v5

    cards = _sample_cards()
    doc = CardDocument([Heading(Level.BLOCK, "One", [*cards[0:3], cards[0]])], title="a")
    data = DataDir(tmp_path / "data").create()
    _old_library(data.database, [("/x/a.docx", doc)])
    calls = 0
    real = v5.card_digest

    def failing(*args: object) -> str:
        nonlocal calls
        calls += 1
        if calls == 3:  # half-way through the cards
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(v5, "card_digest", failing)
    with pytest.raises(Exception, match="disk I/O error"):
        Store(data.database)
    assert calls == 3
    with sqlite3.connect(data.database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        assert _counts_v4(conn) == (4, 4)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "card_places" not in tables
    monkeypatch.setattr(v5, "card_digest", real)
    store = Store(data.database)
    assert _counts(store.conn) == (3, 3, 4)
    assert [c.body for c in load_outline(store.conn, 1).cards()] == [
        c.body for c in [*cards[0:3], cards[0]]
    ]
    store.close()


def test_digest_whitespace_rule_is_every_unicode_space_and_only_those() -> None:
    """The digest's whitespace rule (a split/join since issue 16's import speed-up) treats the
    same characters as whitespace as the regex it replaced, so stored digests still match."""
    import re

    from evidence.index.shared_cards import _norm

    ws = re.compile(r"\s+")
    for code in range(0x110000):
        text = f" a{chr(code)}{chr(code)}b\t"
        assert _norm(text) == ws.sub(" ", text).strip(), hex(code)
        for text in (f"a{chr(code)}b", chr(code), f"a b{chr(code)}"):  # the fast path's
            assert _norm(text) == ws.sub(" ", text).strip(), hex(code)
    cards = _sample_cards()
    plan = layout(CardDocument(list(cards)))
    spaced = [Card(c.tag + "\u00a0", c.short_cite, c.full_cite, c.body, c.spans) for c in cards]
    assert plan.digests == layout(CardDocument(list(spaced))).digests
