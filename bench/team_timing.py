"""How long the agent team takes: `cut` of 3 cards, a `block` and a `case` on a ~2,000-passage
library built from the real backfiles in shared/training, with the default models.

Prints one JSON object: the library's size and import time, then per task its wall seconds,
cards, generated tokens and the machine's load average before and after (the machines are
shared: a load near the core count means another process took half the time). `--profile
DIR` writes a cProfile file per task there. `--data-dir` keeps the built library for the
next run (it is built only when missing); without it everything goes in a temp dir.
`--no-memo` is the baseline: the run without its per-run embedding memo (texts_embedded
counts what each run asked the embedder for, a figure the machine's load cannot change).

Usage: python bench/team_timing.py [--data-dir DIR] [--passages 2000] [--profile DIR]
           [--tasks cut,block,case] [--threads N]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.models.bundled import default_embedder_path, default_generator_path  # noqa: E402
from agents.team.events import RunDone, StepEvent, TokenStreamed  # noqa: E402
from agents.team.tasks import BlockTask, CaseTask, CutTask, Side, Task  # noqa: E402
from app.context import AppContext  # noqa: E402
from evidence.datadir import DataDir  # noqa: E402
from evidence.index.embedding import Embedder  # noqa: E402
from evidence.settings import Settings, save_settings  # noqa: E402

TRAINING = ROOT.parent / "shared" / "training" / "verbatim"
MODELS = ROOT / ".pytest_cache" / "models"  # where the tests keep the prepared models

CUT = "Antitrust enforcement stifles innovation"
BLOCK = "Nuclear war does not cause extinction"
CASE = "Resolved: The United States federal government should strengthen antitrust enforcement"


def library_files(passages: int) -> list[Path]:
    """Training files in name order, each taken while the total stays near `passages`
    (one passage per card for these files; counted by a quick import without vectors)."""
    from evidence.library import Library

    sizes: list[tuple[Path, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(DataDir(Path(tmp) / "d").create(), Settings(), None)
        try:
            before = 0
            for path in sorted(TRAINING.glob("*.docx")):
                list(lib.import_paths([path], embed=False))
                now = _passages(lib)
                sizes.append((path, now - before))
                before = now
        finally:
            lib.close()
    chosen: list[Path] = []
    total = 0
    for path, size in sizes:  # a file that would overshoot is skipped, the next tried
        if total + size <= passages * 1.05:
            chosen.append(path)
            total += size
    return chosen


def _passages(lib: Any) -> int:
    return int(lib.store.conn.execute("SELECT count(*) FROM passages").fetchone()[0])


def build(data: DataDir, passages: int, threads: int, as_is: bool = False) -> dict[str, Any]:
    """The library in `data` (imported and embedded unless it already is)."""
    settings = Settings(
        embedding_model=str(default_embedder_path(MODELS)),
        generator_model=str(default_generator_path(MODELS)),
        threads=threads,
    )
    fresh = not data.settings.exists()
    save_settings(data.settings, settings)
    ctx = AppContext.open(data)
    lib = ctx.open_library()
    seconds = 0.0
    try:
        start = time.perf_counter()
        if fresh or _passages(lib) == 0:
            list(lib.import_paths(library_files(passages)))
        elif not as_is:  # a run stopped mid-way: the vectors still missing
            list(lib.embed_pending())
        seconds = time.perf_counter() - start
        pending = lib.store.status(lib.embedder().model_id).pending_vectors
        return {
            "passages": _passages(lib),
            "without_vector": pending,  # searched by words only (BM25) until embedded
            "import_s": round(seconds, 1),
            "fresh": fresh,
        }
    finally:
        lib.close()


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed (what the run costs in
    embedding passes, whatever the machine's load)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.texts, self.calls = inner, 0, 0

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts += len(texts)
        self.calls += 1
        return self.inner.embed(texts)


class NoMemo:
    """`--no-memo`: the run's embedder as it was before the per-run memo (the baseline)."""

    def __new__(cls, inner: Embedder) -> Embedder:  # type: ignore[misc]
        return inner


def time_task(ctx: AppContext, task: Task, profile: Path | None) -> dict[str, Any]:
    from app.assistant import run_team

    lib = ctx.open_library()
    embedder, generator = CountingEmbedder(ctx.embedder()), ctx.generator()
    tokens = 0
    notes: list[str] = []

    def report(event: StepEvent) -> None:
        nonlocal tokens
        if isinstance(event, TokenStreamed):
            tokens += 1
        elif not isinstance(event, RunDone):
            notes.append(f"[{event.role}] {event.text}")

    load_before = os.getloadavg()
    prof = cProfile.Profile() if profile else None
    start = time.perf_counter()
    try:
        if prof is not None:
            prof.enable()
        result = run_team(lib, generator, embedder, task, report, lambda: False)
        if prof is not None:
            prof.disable()
    finally:
        lib.close()
    seconds = time.perf_counter() - start
    if prof is not None and profile is not None:
        prof.dump_stats(str(profile))
    return {
        "seconds": round(seconds, 2),
        "cards": len(result.cards),
        "tags": [c.tag for c in result.cards],
        "objections": len(result.objections),
        "streamed_tokens": tokens,
        "texts_embedded": embedder.texts,
        "embed_calls": embedder.calls,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "steps": notes if os.environ.get("TEAM_TIMING_STEPS") else len(notes),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, help="keep (or reuse) the built library here")
    ap.add_argument("--passages", type=int, default=2000)
    ap.add_argument("--profile", type=Path, help="write <task>.prof files here")
    ap.add_argument("--tasks", default="cut,block,case")
    ap.add_argument("--threads", type=int, default=2, help="llama.cpp threads (2 cores here)")
    ap.add_argument("--as-is", action="store_true", help="use --data-dir without embedding more")
    ap.add_argument("--no-memo", action="store_true", help="baseline: no per-run embedding memo")
    args = ap.parse_args(argv)
    if args.no_memo:
        import agents.team.run

        agents.team.run.MemoEmbedder = NoMemo  # type: ignore[assignment,attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.data_dir or Path(tmp) / "data"
        data = DataDir(root).create()
        out: dict[str, Any] = {"cpus": os.cpu_count(), "threads": args.threads}
        out["library"] = build(data, args.passages, args.threads, args.as_is)
        ctx = AppContext.open(data)
        tasks: dict[str, Task] = {
            "cut": CutTask(CUT, cards=3),
            "block": BlockTask(BLOCK, answers=3),
            "case": CaseTask(CASE, side=Side.AFF, contentions=2),
        }
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
        ctx.generator()  # loaded once, before the clocks start (the window keeps it loaded)
        for name in args.tasks.split(","):
            prof = args.profile / f"{name}.prof" if args.profile else None
            out[name] = time_task(ctx, tasks[name], prof)
        print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
