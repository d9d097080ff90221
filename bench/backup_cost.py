"""What a backup costs per import (issue 17): time and disk, on the shared samples.

Each sample file is imported on its own into a fresh library (phase 1 only: the backup copies
SQLite, and vectors live in Chroma), as a user dropping files one at a time; after each import
an online backup is taken (evidence/index/backup.py) and timed apart. The baseline, measured
in the same run, is the import itself without the backup; the backup's disk cost is its size
beside the database's. The second part runs the quick check a start-up after an unclean close
runs, against the same database.

Usage: python bench/backup_cost.py [--samples DIR] [--repeat N]   (prints JSON)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.datadir import DataDir  # noqa: E402
from evidence.index.backup import backup_folder, list_backups, make_backup  # noqa: E402
from evidence.index.health import damage_reason  # noqa: E402
from evidence.library import Library  # noqa: E402
from evidence.settings import Settings  # noqa: E402


def _on_disk(database: Path) -> int:
    # In WAL mode recent pages sit in the -wal file until a checkpoint: count both.
    wal = database.with_name(database.name + "-wal")
    return database.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def run_once(samples: list[Path], folder: Path) -> list[dict[str, Any]]:
    rows = []
    lib = Library(DataDir(folder), Settings())
    try:
        backups = backup_folder(lib.data_dir.database)
        # One backup first, so the import's own (at most daily) backup is not due and the
        # import time below is the import alone.
        make_backup(lib.store.conn, backups, keep=1_000)
        for path in samples:
            started = time.perf_counter()
            list(lib.import_paths([path], embed=False))
            import_s = time.perf_counter() - started
            made = make_backup(lib.store.conn, backups, keep=1_000)
            rows.append(
                {
                    "file": path.name,
                    "import_s": round(import_s, 4),
                    "backup_s": round(made.seconds, 4),
                    "db_bytes": _on_disk(lib.data_dir.database),
                    "backup_bytes": made.size,
                }
            )
        started = time.perf_counter()
        damage_reason(lib.data_dir.database)
        rows.append({"quick_check_s": round(time.perf_counter() - started, 4)})
    finally:
        lib.close()
    assert len(list_backups(backups)) == len(samples) + 1
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "samples")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    samples = sorted(f for f in args.samples.rglob("*") if f.suffix in (".pdf", ".docx"))
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(run_once(samples, Path(tmp)))
    per_file = []
    for i, path in enumerate(samples):
        rows = [r[i] for r in runs]
        per_file.append(
            {
                "file": path.name,
                "import_s_median": statistics.median(r["import_s"] for r in rows),
                "backup_s_median": statistics.median(r["backup_s"] for r in rows),
                "db_bytes": rows[-1]["db_bytes"],
                "backup_bytes": rows[-1]["backup_bytes"],
            }
        )
    imports = sum(r["import_s_median"] for r in per_file)
    backups = sum(r["backup_s_median"] for r in per_file)
    print(
        json.dumps(
            {
                "samples": len(samples),
                "repeat": args.repeat,
                "per_import": per_file,
                "baseline_import_s_total": round(imports, 4),
                "backup_s_total": round(backups, 4),
                "backup_share_of_import_time": round(backups / imports, 4) if imports else None,
                "final_db_bytes": per_file[-1]["db_bytes"] if per_file else 0,
                "quick_check_s_median": statistics.median(r[-1]["quick_check_s"] for r in runs),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
