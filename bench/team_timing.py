"""How long the agent team takes: `cut` of 3 cards, a `block` and a `case` on a ~2,000-passage
library built from the real backfiles in shared/training, with the default models.

Prints one JSON object (also written to bench/results/team_timing/last.json): the library's
size and build time, then per task its wall seconds, cards, generated tokens, the machine's
load average before and after (the machines are shared: a load near the core count means
another process took half the time), and the cProfile top 15 by own time and by cumulative
time (each task's whole profile is in <task>.prof beside it, for `python -m pstats`).

The library is built once, fully embedded, and cached in bench/results/team_timing/library
(--data-dir elsewhere; --rebuild starts it again), so a rerun spends its time on the tasks.
A cached library whose embedder changed is re-embedded first (vectors are per model).
`--no-profile` times without cProfile (its overhead is small here: the time is in llama.cpp
calls, each one profiled call). `--no-memo` is the baseline without the per-run embedding
memo (texts_embedded counts what each run asked the embedder for, a figure the machine's
load cannot change).

Usage: python bench/team_timing.py [--data-dir DIR] [--rebuild] [--passages 2000]
           [--tasks cut,block,case] [--threads N] [--top 15] [--no-profile] [--no-memo]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import shutil
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
RESULTS = ROOT / "bench" / "results" / "team_timing"
BUILT = "team_timing_built.json"  # in the data dir once the import finished: the files used

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
    """The library in `data`: the training files imported and embedded, unless they already
    are (an import stopped half-way is finished: unchanged files are skipped)."""
    settings = Settings(
        embedding_model=str(default_embedder_path(MODELS)),
        generator_model=str(default_generator_path(MODELS)),
        threads=threads,
    )
    marker = data.root / BUILT
    fresh = not marker.exists()
    save_settings(data.settings, settings)
    ctx = AppContext.open(data)
    lib = ctx.open_library()
    try:
        start = time.perf_counter()
        if fresh:
            files = library_files(passages)
            list(lib.import_paths(files))
            marker.write_text(json.dumps([f.name for f in files], indent=1), encoding="utf-8")
        elif not as_is:  # the vectors still missing: a stopped run, or another embedder
            list(lib.embed_pending())
        seconds = time.perf_counter() - start
        pending = lib.store.status(lib.embedder().model_id).pending_vectors
        return {
            "path": str(data.root),
            "files": len(json.loads(marker.read_text(encoding="utf-8"))),
            "passages": _passages(lib),
            "without_vector": pending,  # searched by words only (BM25) until embedded
            "embedder": lib.embedder().model_id,
            "build_s": round(seconds, 1),
            "fresh": fresh,
        }
    finally:
        lib.close()


def profile_top(prof: cProfile.Profile, top: int) -> dict[str, list[dict[str, Any]]]:
    """The `top` functions by own time and by cumulative time: where the seconds went."""
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = stats.stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}

    def name(key: tuple[str, int, str]) -> str:
        path, line, func = key
        if path == "~":
            return func  # a built-in: "<method 'llama_decode' ...>"
        # The project's files from its root; libraries from their package folder.
        short = re.split(r"/site-packages/|/lib/python3\.\d+/", path)[-1]
        short = short.removeprefix(str(ROOT) + "/")
        return f"{short}:{line}({func})"

    def ranked(index: int) -> list[dict[str, Any]]:
        keys = sorted(rows, key=lambda k: rows[k][index], reverse=True)[:top]
        return [
            {"function": name(k), "calls": rows[k][1], "own_s": round(rows[k][2], 3),
             "cumulative_s": round(rows[k][3], 3)}
            for k in keys
        ]  # fmt: skip

    return {"by_own_time": ranked(2), "by_cumulative_time": ranked(3)}


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


def time_task(ctx: AppContext, task: Task, profile: Path | None, top: int) -> dict[str, Any]:
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
    top_rows: dict[str, Any] = {}
    if prof is not None and profile is not None:
        prof.dump_stats(str(profile))
        top_rows = profile_top(prof, top)
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
        **({"profile": top_rows} if top_rows else {}),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=RESULTS / "library",
                    help="the cached library (built there when missing)")  # fmt: skip
    ap.add_argument("--rebuild", action="store_true", help="build the cached library again")
    ap.add_argument("--passages", type=int, default=2000)
    ap.add_argument("--tasks", default="cut,block,case")
    ap.add_argument("--threads", type=int, default=2, help="llama.cpp threads (2 cores here)")
    ap.add_argument("--top", type=int, default=15, help="profile rows per ranking")
    ap.add_argument("--no-profile", action="store_true", help="time without cProfile")
    ap.add_argument("--as-is", action="store_true", help="use --data-dir without embedding more")
    ap.add_argument("--no-memo", action="store_true", help="baseline: no per-run embedding memo")
    ap.add_argument("--out", type=Path, default=RESULTS, help="last.json and <task>.prof here")
    args = ap.parse_args(argv)
    if args.no_memo:
        import agents.team.run

        agents.team.run.MemoEmbedder = NoMemo  # type: ignore[assignment,attr-defined]
    if args.rebuild and args.data_dir.exists():
        shutil.rmtree(args.data_dir)
    data = DataDir(args.data_dir).create()
    args.out.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"cpus": len(os.sched_getaffinity(0)), "threads": args.threads}
    out["library"] = build(data, args.passages, args.threads, args.as_is)
    ctx = AppContext.open(data)
    tasks: dict[str, Task] = {
        "cut": CutTask(CUT, cards=3),
        "block": BlockTask(BLOCK, answers=3),
        "case": CaseTask(CASE, side=Side.AFF, contentions=2),
    }
    ctx.generator()  # loaded once, before the clocks start (the window keeps it loaded)
    ctx.embedder()
    for name in args.tasks.split(","):
        prof = None if args.no_profile else args.out / f"{name}.prof"
        out[name] = time_task(ctx, tasks[name], prof, args.top)
        print(f"{name}: {out[name]['seconds']} s", file=sys.stderr, flush=True)
    text = json.dumps(out, indent=2, ensure_ascii=False)
    (args.out / "last.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
