"""A damaged library at rest, then the CLI (a subprocess, as a user runs it): backups after
imports, a truncated database restored by `doctor --repair` with the imports since queued
again, an empty database beside vectors refused (nothing deleted), a garbled region said in
words, and a garbled Chroma store set aside and rebuilt."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.datadir import DataDir
from evidence.index import health
from evidence.index.backup import imported_since, list_backups, make_backup, rotate
from evidence.index.store import Store
from evidence.library import Library
from evidence.settings import Settings
from tests.reliability_helpers import (
    ROOT,
    evidence_file,
    garble_table,
    new_home,
    passage_count,
    run,
    vector_count,
    window,
)


def test_backups_rotate_and_stay_bounded(tmp_path: Path) -> None:
    store = Store(tmp_path / "library.sqlite3")
    folder = tmp_path / "backups"
    try:
        sizes = [make_backup(store.conn, folder, keep=3).size for _ in range(5)]
        assert len(list_backups(folder)) == 3
        # A bound below two backups keeps only the newest, whatever its size.
        assert rotate(folder, keep=3, max_total_bytes=sizes[0] + 1) == 2
        assert len(list_backups(folder)) == 1
        assert not list(folder.glob(".*partial"))
    finally:
        store.close()


def test_import_that_changed_the_library_is_backed_up_and_journaled(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    a = evidence_file(docs, "a.txt", 1)
    with Library(DataDir(tmp_path / "data"), Settings()) as lib:
        list(lib.import_paths([a], embed=False))
        folder = tmp_path / "data" / "backups"
        assert len(list_backups(folder)) == 1
        list(lib.import_paths([a], embed=False))  # unchanged: nothing new to keep
        assert len(list_backups(folder)) == 1
        assert imported_since(folder, None) == [str(a)]
    # The backup is a whole, readable library.
    backup = Store(list_backups(folder)[0].path)
    try:
        assert [s.origin for s in backup.sources()] == [str(a)]
    finally:
        backup.close()


def test_truncated_database_is_repaired_from_backup(tmp_path: Path, embedder_path: Path) -> None:
    home = new_home(tmp_path, embedder_path)
    docs = tmp_path / "docs"
    a, b = evidence_file(docs, "a.txt", 1), evidence_file(docs, "b.txt", 2)
    assert run(home, "import", str(a), "--no-vectors").returncode == 0
    assert run(home, "import", str(b), "--no-vectors").returncode == 0
    # At most one backup a day: b.txt is only in the journal of what came after it.
    assert len(list_backups(home / "backups")) == 1
    db = home / "library.sqlite3"
    os.truncate(db, db.stat().st_size // 2)

    broken = run(home, "sources")
    assert broken.returncode == 3 and "Traceback" not in broken.stderr
    assert "doctor --repair" in broken.stderr
    check = run(home, "doctor", "--json")
    assert check.returncode == 3
    assert not json.loads(check.stdout)["healthy"]

    fixed = run(home, "doctor", "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "restored from the backup" in fixed.stdout
    assert "1 files queued to import again" in fixed.stdout
    assert list(home.glob("library.damaged-*.sqlite3"))  # kept, not deleted
    listed = run(home, "sources", "--json")
    assert listed.returncode == 0
    assert sorted(s["origin"] for s in json.loads(listed.stdout)) == [str(a), str(b)]
    again = run(home, "doctor", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["healthy"]


def test_empty_database_beside_vectors_is_damage_not_a_new_library(
    tmp_path: Path, embedder_path: Path
) -> None:
    home = new_home(tmp_path, embedder_path)
    a = evidence_file(tmp_path / "docs", "a.txt", 3)
    assert run(home, "import", str(a)).returncode == 0
    vectors = vector_count(home)
    assert vectors > 0
    for name in os.listdir(home / "backups"):  # the worst case: no backup either
        (home / "backups" / name).unlink()
    db = home / "library.sqlite3"
    db.write_bytes(b"")

    for command in (["sources"], ["search", "sanctions"]):
        done = run(home, *command)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "is empty (0 bytes), but its vectors remain" in done.stderr
        assert "library is empty" not in done.stdout
    out = tmp_path / "out"
    shown = window(home, out)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert db.stat().st_size == 0 and vector_count(home) == vectors  # nothing deleted


def test_garbled_database_region_is_a_message_not_a_traceback(
    tmp_path: Path, embedder_path: Path
) -> None:
    home = new_home(tmp_path, embedder_path)
    docs = tmp_path / "docs"
    files = [str(evidence_file(docs, f"{n}.txt", n, paragraphs=20)) for n in range(6)]
    assert run(home, "import", *files, "--no-vectors").returncode == 0
    db = home / "library.sqlite3"
    garble_table(db, "sources")
    for command in (["sources"], ["export", "--out", str(tmp_path / "x.docx")]):
        done = run(home, *command)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "Traceback" not in done.stderr and "sqlite3." not in done.stderr
        assert "the library database is damaged" in done.stderr
        assert "doctor --repair" in done.stderr
    # After an unclean close the check at open finds it before any command runs.
    (home / ".library.sqlite3.open-1").write_bytes(b"")
    done = run(home, "sources")
    assert done.returncode == 3 and "damaged" in done.stderr


def test_garbled_chroma_store_is_said_and_rebuilt(tmp_path: Path, embedder_path: Path) -> None:
    home = new_home(tmp_path, embedder_path)
    files = [str(evidence_file(tmp_path / "docs", f"{n}.txt", n)) for n in range(3)]
    assert run(home, "import", *files).returncode == 0
    chroma = home / "vectors" / "chroma.sqlite3"
    garble_table(chroma, "segments")

    searched = run(home, "search", "sanctions deterrence")
    assert searched.returncode == 0, searched.stderr[-2000:]
    assert "Traceback" not in searched.stderr
    assert "The vector index was damaged" in searched.stderr
    assert "1." in searched.stdout  # keyword results meanwhile
    assert list(home.glob("vectors.damaged-*"))

    fixed = run(home, "doctor", "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert vector_count(home) == passage_count(home) > 0
    assert run(home, "search", "sanctions", "--mode", "vector").returncode == 0


def test_clean_close_marker_lives_while_the_library_is_open(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite3"
    stale = tmp_path / ".library.sqlite3.open-1"  # a killed run's: nobody holds its lock
    stale.write_bytes(b"")
    first, second = Store(db), Store(db)
    assert not stale.exists()  # checked (quick_check passed on a new file) and cleared
    held = list(tmp_path.glob(".library.sqlite3.open-*"))
    assert len(held) == 1
    first.close()
    assert held[0].exists()  # another connection is still open
    second.close()
    assert not held[0].exists()  # the last close is a clean close


def test_a_killed_run_leaves_its_marker_and_the_next_open_checks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "library.sqlite3"
    code = (
        "import os, signal, sys; from pathlib import Path; from evidence.index.store import "
        "Store; Store(Path(sys.argv[1])); os.kill(os.getpid(), signal.SIGKILL)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(db)], cwd=ROOT, timeout=60)
    assert done.returncode == -signal.SIGKILL
    left = list(tmp_path.glob(".library.sqlite3.open-*"))
    assert len(left) == 1  # the kill left it: the close was not clean
    health.forget(db)  # as a new process
    with caplog.at_level(logging.WARNING):
        Store(db).close()
    assert "not closed cleanly" in caplog.text
    assert not left[0].exists()
