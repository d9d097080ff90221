"""The doctor on real components in-process: an FTS index out of step with the passages,
vectors missing or made by another embedder, a settings file kept aside; found without
--repair (nothing changed), fixed with it."""

from __future__ import annotations

from pathlib import Path

from app.context import AppContext
from app.doctor import run_doctor
from evidence.datadir import DataDir
from evidence.library import Library
from tests.reliability_helpers import evidence_file


def _library(tmp_path: Path, embedder) -> tuple[DataDir, list[Path]]:  # type: ignore[no-untyped-def]
    data = DataDir(tmp_path / "data").create()
    files = [evidence_file(tmp_path / "docs", f"{n}.txt", n) for n in range(2)]
    with Library(data, AppContext.open(data).settings, lambda: embedder) as lib:
        list(lib.import_paths(files))
    return data, files


def _finding(report, area: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.findings if f.area == area)


def test_doctor_finds_and_rebuilds_an_fts_index_out_of_step(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    data, _ = _library(tmp_path, embedder)
    with Library(data, AppContext.open(data).settings) as lib:
        pid, text = lib.store.conn.execute("SELECT id, text FROM passages LIMIT 1").fetchone()
        with lib.store.conn:  # the FTS row goes, the passage stays: keyword search misses it
            lib.store.conn.execute(
                "INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', ?, ?)",
                (pid, text),
            )
    ctx = AppContext.open(data, embedder=embedder)
    found = run_doctor(ctx, repair=False)
    assert not _finding(found, "fts").ok and not found.healthy
    assert not run_doctor(ctx, repair=False).healthy  # checking changed nothing
    fixed = run_doctor(ctx, repair=True)
    assert _finding(fixed, "fts").done == "rebuilt from the passages" and fixed.healthy
    assert run_doctor(ctx, repair=False).healthy


def test_doctor_recomputes_missing_and_mismatched_vectors(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    data, _ = _library(tmp_path, embedder)
    with Library(data, AppContext.open(data).settings, lambda: embedder) as lib:
        ids = [r[0] for r in lib.store.conn.execute("SELECT id FROM passages ORDER BY id")]
        lib.vectors().delete(ids[:1])  # a vector lost
        lib.store.mark_embedded(ids[1:2], "another-model.gguf@000000000000")  # wrong fingerprint
    ctx = AppContext.open(data, embedder=embedder)
    found = _finding(run_doctor(ctx, repair=False), "vectors")
    assert not found.ok
    assert "1 missing" in found.found and "1 from another embedder" in found.found
    fixed = run_doctor(ctx, repair=True)
    assert fixed.healthy and "computed 2" in _finding(fixed, "vectors").done
    with Library(data, ctx.settings, lambda: embedder) as lib:
        assert lib.vectors().all_ids() == set(ids)
        assert lib.status().pending_vectors == 0


def test_doctor_reports_a_settings_file_kept_aside(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data").create()
    data.settings.write_text("[" * 10_000 + "]" * 10_000)
    report = run_doctor(AppContext.open(data), repair=False)
    settings = _finding(report, "settings")
    assert not settings.ok and "kept as" in settings.found and settings.done
