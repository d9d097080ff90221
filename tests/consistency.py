"""The invariants a kill must never break, checked on a real library."""

from __future__ import annotations

from evidence.library import Library


def assert_consistent(lib: Library) -> None:
    conn = lib.store.conn
    orphans = conn.execute(
        "SELECT COUNT(*) FROM passages WHERE source_id NOT IN (SELECT id FROM sources)"
    ).fetchone()[0]
    assert orphans == 0, "passages without their source"
    conn.execute("INSERT INTO passages_fts(passages_fts) VALUES('integrity-check')")
    try:
        vectors = lib.vectors()
    except Exception:
        return  # no embedder: nothing more to check
    ids = {r[0] for r in conn.execute("SELECT id FROM passages")}
    vector_ids = vectors.all_ids()
    assert vector_ids <= ids, f"vectors without a passage: {sorted(vector_ids - ids)[:10]}"
    marked = lib.store.embedded_ids(lib.embedder().model_id)
    assert marked <= vector_ids, "passages marked embedded without a vector"
