"""`debate-prep doctor [--repair]` and the window's Repair: check the settings, the database,
its FTS index and the vectors; with `repair`, fix what was found, saying what was done.

Checks change nothing (a damaged vector folder is the one exception: opening it sets it
aside, as every command does). Repairs never delete the user's data: a damaged database is
kept aside before a backup replaces it (evidence/index/restore.py).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from app.context import AppContext
from app.jobs import JobFn, Report
from evidence.cancel import CancelCheck
from evidence.errors import EvidenceError
from evidence.importing.events import EmbedProgress, FileResult
from evidence.index import health
from evidence.index.restore import restore_database
from evidence.library import Library

log = logging.getLogger(__name__)

Say = Callable[[str], None]


@dataclass
class Finding:
    area: str  # settings | database | fts | vectors
    ok: bool
    found: str
    done: str = ""  # what the repair did ("" when nothing)


@dataclass
class DoctorReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """Nothing wrong, or everything wrong was repaired."""
        return all(f.ok or f.done for f in self.findings)


def run_doctor(
    ctx: AppContext, *, repair: bool, say: Say = lambda _: None, cancel: CancelCheck = lambda: False
) -> DoctorReport:
    report = DoctorReport()
    report.findings.append(_settings(ctx))
    database = ctx.data_dir.database
    say("checking the database (integrity_check)")
    reason = health.damage_reason(database, full=True)
    if reason is None:
        report.findings.append(Finding("database", True, "integrity check: ok"))
    elif not repair:
        report.findings.append(Finding("database", False, reason))
        report.findings.append(Finding("fts", False, "not checked: the database is damaged"))
        report.findings.append(Finding("vectors", False, "not checked: the database is damaged"))
        return report
    else:
        say("restoring the database")
        restored = restore_database(database)
        report.findings.append(Finding("database", False, reason, restored.describe()))
    health.forget(database)
    lib = Library(ctx.data_dir, ctx.settings, ctx.embedder, reconcile=False)
    try:
        if reason is not None and repair:
            _import_queued(lib, say, cancel)
        report.findings.append(_fts(lib, repair))
        report.findings.append(_vectors(lib, repair, say, cancel))
        for notice in lib.notices:
            say(notice)
    finally:
        lib.close()
    return report


def _settings(ctx: AppContext) -> Finding:
    if ctx.notices:
        return Finding("settings", False, " ".join(ctx.notices), "defaults in use")
    return Finding("settings", True, f"{ctx.data_dir.settings.name}: ok")


def _import_queued(lib: Library, say: Say, cancel: CancelCheck) -> None:
    queued = len(lib.store.queued())
    if not queued:
        return
    say(f"importing {queued} files again from their source paths")
    for event in lib.import_paths([], cancel, embed=False):
        if isinstance(event, FileResult):
            say(
                f"  {event.status:<10} {event.path}" + (f": {event.reason}" if event.reason else "")
            )


def _fts(lib: Library, repair: bool) -> Finding:
    conn = lib.store.conn
    try:
        # FTS5's own check covers the index's structure; which passages it holds (one
        # docsize row each) is compared with the passages here, both ways.
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('integrity-check')")
        unindexed, stray = conn.execute(
            "SELECT (SELECT COUNT(*) FROM passages WHERE id NOT IN "
            "(SELECT id FROM passages_fts_docsize)), (SELECT COUNT(*) FROM passages_fts_docsize "
            "WHERE id NOT IN (SELECT id FROM passages))"
        ).fetchone()
        if not unindexed and not stray:
            return Finding("fts", True, "full-text index matches the passages")
        found = (
            f"full-text index out of step: {unindexed} passages missing from it, "
            f"{stray} entries without a passage"
        )
    except sqlite3.DatabaseError as exc:
        found = f"full-text index is damaged ({exc})"
    if not repair:
        return Finding("fts", False, found)
    with conn:
        conn.execute("INSERT INTO passages_fts(passages_fts) VALUES ('rebuild')")
    return Finding("fts", False, found, "rebuilt from the passages")


def _vectors(lib: Library, repair: bool, say: Say, cancel: CancelCheck) -> Finding:
    try:
        model_id = lib.embedder().model_id
        vectors = lib.vectors()
    except EvidenceError as exc:
        return Finding("vectors", False, f"not checked: {exc}")
    store = lib.store
    marked = store.embedded_ids(model_id)
    present = vectors.all_ids()
    orphans, missing = sorted(present - marked), sorted(marked - present)
    total = store.status(model_id).passages
    other = store.conn.execute(
        "SELECT COUNT(*) FROM passages WHERE embedded_with IS NOT NULL AND embedded_with != ?",
        (model_id,),
    ).fetchone()[0]
    pending = total - len(marked & present)
    found = (
        f"{len(present)} vectors for {total} passages (embedder {model_id}): "
        f"{len(missing)} missing, {len(orphans)} without a passage, "
        f"{other} from another embedder, {pending} to compute"
    )
    ok = not (orphans or missing or other or pending or lib.notices)
    if ok or not repair:
        return Finding("vectors", ok, found if not lib.notices else f"{found}; {lib.notices[-1]}")
    if orphans:
        vectors.delete(orphans)
    if missing:
        store.unmark_embedded(missing)
    done = 0
    for event in lib.embed_pending(cancel):
        if isinstance(event, EmbedProgress):
            done = event.done
            say(f"  vectors {event.done}/{event.total}")
    left = store.status(model_id).pending_vectors
    return Finding(
        "vectors",
        False,
        found,
        f"removed {len(orphans)}, computed {done}" + (f"; {left} still to compute" if left else ""),
    )


def library_problem(ctx: AppContext) -> str | None:
    """Why the library must not be opened as it is (the window's start-up check), or None.
    The same check every first open makes (evidence/index/health.py); its answer is kept."""
    try:
        health.ensure_fit(ctx.data_dir.database)
    except health.LibraryDamaged as exc:
        return str(exc)
    return None


def repair_job(ctx: AppContext) -> JobFn:
    """`run_doctor(repair=True)` as a job `fn(report, cancelled)` for the window; each line
    it says is reported as a str."""

    def run(report: Report, cancelled: CancelCheck) -> DoctorReport:
        return run_doctor(ctx, repair=True, say=report, cancel=cancelled)

    return run
