"""Kill -9 during an import, at several points; the library must open consistent and the next
import must finish the job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from evidence.datadir import DataDir
from evidence.importing.events import FileResult, FileStatus
from evidence.index.store import Store
from evidence.index.vectors import ChromaVectorIndex, open_persistent_client
from evidence.library import Library
from evidence.settings import Settings, save_settings
from tests.conftest import ROOT, SAMPLES
from tests.consistency import assert_consistent

WORDS = "whale ocean treaty sanction deterrence court water aquifer drought alliance".split()


def _corpus(folder: Path, files: int) -> None:
    folder.mkdir()
    for n in range(files):
        paras = [" ".join(WORDS[(n + i + j) % len(WORDS)] for j in range(60)) for i in range(4)]
        (folder / f"note{n:03d}.txt").write_text(f"Note {n}\n\n" + "\n\n".join(paras))
    (folder / "1nc.docx").write_bytes((SAMPLES / "verbatim" / "1nc.docx").read_bytes())


def _start(data: Path, folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "cli.entry", "--data-dir", str(data), "import", str(folder)]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _kill_after_lines(proc: subprocess.Popen[str], lines: int) -> None:
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:
        if line.startswith("  imported"):
            seen += 1
            if seen >= lines:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _kill_while_embedding(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    for line in proc.stderr:
        # "vectors [###   ] 64/185 passages": kill once some vectors are stored.
        if line.startswith("vectors") and not line.split("]")[1].strip().startswith("0/"):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _raw_invariants(data: DataDir, model_id: str) -> None:
    """Before any repair: every vector has a passage or is queued for deletion."""
    store = Store(data.database)
    passages = {r[0] for r in store.conn.execute("SELECT id FROM passages")}
    doomed = set(store.vector_deletes())
    vectors = ChromaVectorIndex(open_persistent_client(data.vectors), model_id).all_ids()
    assert vectors <= passages | doomed
    store.close()


def test_kill_at_any_point_leaves_a_consistent_library(
    tmp_path: Path, embedder, embedder_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "evidence"
    _corpus(folder, 120)
    data = DataDir(tmp_path / "data").create()
    save_settings(data.settings, Settings(embedding_model=str(embedder_path)))

    def status() -> tuple[int, int, int]:
        _raw_invariants(data, embedder.model_id)
        lib = Library(data, Settings(), lambda: embedder)
        assert_consistent(lib)
        st = lib.status()
        lib.close()
        return st.sources, st.passages, st.embedded

    _kill_after_lines(_start(data.root, folder), 3)
    sources, _, _ = status()
    assert 3 <= sources < 121  # killed during the file phase
    _kill_after_lines(_start(data.root, folder), 40)
    sources, _, _ = status()
    assert 40 <= sources < 121
    _kill_while_embedding(_start(data.root, folder))
    sources, passages, embedded = status()
    assert sources == 121 and 0 < embedded < passages  # killed during the vector phase

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.entry",
            "--data-dir",
            str(data.root),
            "--json",
            "import",
            str(folder),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["failed"] == 0 and report["pending_vectors"] == 0
    lib = Library(data, Settings(), lambda: embedder)
    final = lib.status()
    assert final.sources == 121 and final.queued_files == 0
    assert final.embedded == final.passages
    assert_consistent(lib)
    lib.close()


def test_file_left_started_twice_is_read_in_a_child_and_imported(
    data_dir: DataDir, tmp_path: Path
) -> None:
    # Two starts that never ended: kills from outside, or crashes. Only a crash of the child
    # that reads it alone skips the file (tests/test_reliability_import.py crashes one).
    suspect = tmp_path / "suspect.txt"
    suspect.write_text("text that was being read when the app stopped, twice")
    lib = Library(data_dir, Settings())
    lib.store.enqueue([str(suspect)])
    lib.store.note_attempt(str(suspect))
    lib.store.note_attempt(str(suspect))
    results = [e for e in lib.import_paths([], embed=False) if isinstance(e, FileResult)]
    assert [r.status for r in results] == [FileStatus.IMPORTED]
    assert lib.store.queued() == []
    lib.close()


def test_resume_with_no_paths_finishes_the_queue(data_dir: DataDir, tmp_path: Path) -> None:
    note = tmp_path / "left-over.txt"
    note.write_text("An import was killed before this file.")
    lib = Library(data_dir, Settings())
    lib.store.enqueue([str(note)])
    results = [e for e in lib.import_paths([], embed=False) if isinstance(e, FileResult)]
    assert [(Path(r.path).name, r.status) for r in results] == [
        ("left-over.txt", FileStatus.IMPORTED)
    ]
    lib.close()
