"""Progress a person can trust (issue 16, part 5): the snapshot's fields from a real import's
events, the moving rate and the time left (shown only after enough work), and the command
line's bar with them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from cli.terminal import ProgressBar
from evidence.datadir import DataDir
from evidence.importing.events import EmbedProgress, FileResult, FilesFound, FileStatus
from evidence.importing.progress import ImportMeter, RateMeter, duration
from evidence.library import Library
from evidence.settings import Settings


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_time_left_waits_for_enough_work_then_follows_the_recent_rate() -> None:
    meter = RateMeter(window_s=30, min_span_s=5, min_steps=3)
    meter.add(0.0, 0)
    meter.add(1.0, 10)
    assert meter.rate() is None and meter.seconds_left(10, 1000) is None  # 2 reports, 1 s
    meter.add(4.0, 40)
    assert meter.rate() is None  # 3 reports but only 4 s of work
    meter.add(5.0, 50)
    assert meter.rate() == pytest.approx(10.0)
    assert meter.seconds_left(50, 1000) == pytest.approx(95.0)
    # The machine gets busy: 2 per second from now on. After the window has moved past the
    # fast part, the estimate is the slow rate's, not the run's average.
    done, t = 50, 5.0
    for _ in range(40):
        t += 1.0
        done += 2
        meter.add(t, done)
    assert meter.rate() == pytest.approx(2.0)
    assert meter.seconds_left(done, 1000) == pytest.approx((1000 - done) / 2.0)
    average = done / t
    assert average > 2.5  # what an all-run average would have promised instead


def test_a_count_that_starts_again_starts_the_estimate_again() -> None:
    meter = RateMeter(min_span_s=1, min_steps=2)
    meter.add(0.0, 0)
    meter.add(2.0, 20)
    assert meter.rate() == pytest.approx(10.0)
    meter.add(3.0, 0)  # e.g. a reindex counting from zero
    assert meter.rate() is None


def test_snapshot_fields_through_both_phases() -> None:
    clock = FakeClock()
    meter = ImportMeter(clock, window_s=30, min_span_s=5, min_steps=3)
    snap = meter.feed(FilesFound(total=4, resumed=0))
    assert (snap.phase, snap.files_done, snap.files_total, snap.passages) == ("files", 0, 4, 0)
    for i in range(1, 5):
        clock.now += 2.0
        snap = meter.feed(FileResult(f"f{i}.docx", FileStatus.IMPORTED, i, 4, passages=100 * i))
    assert (snap.files_done, snap.passages) == (4, 1000)
    assert snap.rate == pytest.approx(0.5) and snap.seconds_left == pytest.approx(0.0)
    assert snap.text() == "files 4/4 · 1,000 passages · 0.5 files/s"

    clock.now += 30.0  # loading the embedding model
    snap = meter.feed(EmbedProgress(0, 1000))
    assert snap.phase == "vectors" and snap.seconds_left is None
    assert snap.text() == "vectors 0/1,000 · estimating time left…"
    for done in (32, 64, 96):
        clock.now += 2.0
        snap = meter.feed(EmbedProgress(done, 1000))
    # 96 passages in 6 s: 16/s, 904 left: 56.5 s. The model's load is not counted.
    assert snap.rate == pytest.approx(16.0) and snap.seconds_left == pytest.approx(56.5)
    assert (snap.files_done, snap.files_total, snap.passages) == (4, 4, 1000)
    assert snap.text() == "vectors 96/1,000 · 16.0 passages/s · about 56 s left"
    snap = meter.feed(EmbedProgress(1000, 1000))
    assert snap.finished and snap.text().endswith(" passages/s")  # no estimate at the end


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0.2, "1 s"), (45, "45 s"), (272, "4 min 30 s"), (61, "1 min"), (1500, "25 min"),
     (7500, "2 h 05 min")],
)  # fmt: skip
def test_durations_in_words(seconds: float, words: str) -> None:
    assert duration(seconds) == words


def test_a_real_import_reports_files_passages_and_vectors(
    data_dir: DataDir, embedder: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(3):
        paragraphs = [
            f"Paragraph {j} of file {i}: " + "sanctions fail to coerce. " * 30 for j in range(4)
        ]
        (folder / f"f{i}.txt").write_text("\n\n".join(paragraphs))
    meter = ImportMeter()
    with Library(data_dir, Settings(embed_batch=2), lambda: embedder) as lib:
        snaps = [meter.feed(ev) for ev in lib.import_paths([folder])]
        passages = lib.status().passages
    files = [s for s in snaps if s.phase == "files"]
    vectors = [s for s in snaps if s.phase == "vectors"]
    assert files[-1].files_done == files[-1].files_total == 3
    assert files[-1].passages == passages > 3
    assert [s.vectors_done for s in vectors] == sorted(s.vectors_done for s in vectors)
    assert vectors[-1].vectors_done == vectors[-1].vectors_total == passages
    assert len(vectors) >= 1 + passages // 2  # one report per batch


def test_the_command_line_bar_shows_the_rate_and_time_left() -> None:
    out = io.StringIO()
    bar = ProgressBar("vectors", out)
    clock = FakeClock()
    meter = ImportMeter(clock)
    for done in (0, 100, 200, 300, 400):
        clock.now += 2.0
        snap = meter.feed(EmbedProgress(done, 1000))
        bar.update(done, 1000, f"passages · {snap.detail()}")
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("0/1000 passages · estimating time left…")
    assert lines[-1].endswith("400/1000 passages · 50.0 passages/s · about 12 s left")
