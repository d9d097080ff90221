"""Shared by the reliability tests: the CLI as a subprocess on a data dir, evidence files and
damage made at test time (no committed blobs)."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "import sys; from cli.entry import main; sys.exit(main())"]
WORDS = (
    "sanctions deterrence alliance treaty nuclear economy tariff export growth collapse "
    "regime pressure diplomacy escalation credibility signal market investment"
).split()


def run(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [*CLI, "--data-dir", str(home), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def window(home: Path, out: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The window offscreen: opened, shown, a screenshot in `out`, closed (desktop/selftest)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    args = ["selftest", "--data-dir", str(home), "--out", str(out), "--window-only"]
    return subprocess.run(
        [*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def new_home(tmp: Path, embedder_path: Path, name: str = "home") -> Path:
    home = tmp / name
    home.mkdir()
    settings = {"embedding_model": str(embedder_path), "threads": 1}
    (home / "settings.json").write_text(json.dumps(settings))
    return home


def evidence_file(folder: Path, name: str, seed: int, paragraphs: int = 3) -> Path:
    rng = random.Random(seed)
    text = "\n\n".join(
        " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "." for _ in range(paragraphs)
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"Title {name}\n\n{text}\n")
    return path


def garble(path: Path, offset: int, size: int = 8192, seed: int = 17) -> None:
    data = random.Random(seed).randbytes(size)
    with open(path, "r+b") as fh:
        fh.seek(offset)
        fh.write(data)


def garble_table(db: Path, table: str) -> None:
    """8 KB of noise from the first page of `table` on: damage where reads must meet it."""
    conn = sqlite3.connect(db)
    try:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        offset = (root.fetchone()[0] - 1) * page
    finally:
        conn.close()
    garble(db, offset)


def vector_count(home: Path) -> int:
    conn = sqlite3.connect(home / "vectors" / "chroma.sqlite3")
    try:
        return int(conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])
    finally:
        conn.close()


def passage_count(home: Path) -> int:
    conn = sqlite3.connect(home / "library.sqlite3")
    try:
        return int(conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0])
    finally:
        conn.close()
