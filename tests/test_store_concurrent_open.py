"""Several connections opening a brand-new library at once (the window's panels do, each
in its own thread) must all succeed: WAL switch and schema migration race otherwise."""

from __future__ import annotations

import threading
from pathlib import Path

from evidence.index.store import Store


def _open_together(path: Path, n: int) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def open_store() -> None:
        barrier.wait()
        try:
            Store(path).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_first_open(tmp_path: Path) -> None:
    for attempt in range(12):
        errors = _open_together(tmp_path / f"lib-{attempt}.sqlite3", 4)
        assert not errors, errors
