"""Import under hostile input and hostile conditions (issue 17): pipes and devices never block
it, a lying zip bomb is refused within a memory bound, links never lead it out of a folder,
kills from outside never get a good file skipped, and two imports share one queue."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from evidence.datadir import DataDir
from evidence.importing.events import FileResult, FileStatus
from evidence.importing.isolated import ReaderCrashed, run_isolated
from evidence.index.store import Store
from evidence.library import Library
from evidence.settings import Settings
from tests import hostile_corpus as hc
from tests.conftest import ROOT, SAMPLES
from tests.consistency import assert_consistent

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="pipes, links, kill -9 and /proc are Linux's"
)

RSS_BOUND_MB = 300
CLI = [sys.executable, "-m", "cli.entry"]


def _cli(data: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # A hang is a failure: the timeout raises instead of waiting for ever.
    return subprocess.run(
        [*CLI, "--data-dir", str(data), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip


def _results(lib: Library, *paths: Path, **kw: object) -> dict[str, FileResult]:
    events = lib.import_paths([str(p) for p in paths], embed=False, **kw)  # type: ignore[arg-type]
    return {e.path: e for e in events if isinstance(e, FileResult)}


def _library(data: DataDir) -> Library:
    def no_embedder() -> None:
        raise AssertionError("these imports compute no vectors")

    return Library(data, Settings(), no_embedder)  # type: ignore[arg-type]


# --- part 3: only regular files, bounded memory, inside the folder ---------------------------


def test_pipes_and_devices_are_refused_at_once_given_directly_or_in_a_folder(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "evidence"
    hc.notes(folder, 1)
    hc.fifo(folder / "pipe.txt")
    pipe = hc.fifo(tmp_path / "alone.docx")
    zero = hc.link(tmp_path / "zero.txt", "/dev/zero")
    done = _cli(tmp_path / "data", "--json", "import", "--no-vectors", str(folder), str(pipe),
                str(zero), timeout=60)  # fmt: skip
    files = {Path(r["path"]).name: r for r in json.loads(done.stdout)["files"]}
    assert files["pipe.txt"]["reason"] == "not a regular file (a named pipe)"
    assert files["alone.docx"]["reason"] == "not a regular file (a named pipe)"
    assert files["zero"]["reason"] == "not a regular file (a character device)"
    assert files["note000.txt"]["status"] == FileStatus.IMPORTED


_SWAPPED_FOR_A_PIPE = """
import os, pathlib, sys
from evidence.parsers import read_bytes
pipe, regular = pathlib.Path(sys.argv[1]), os.stat(sys.argv[2])
real_stat = pathlib.Path.stat
# The check before opening sees a regular file; a pipe is there by the time it is opened.
pathlib.Path.stat = lambda self, **kw: regular if self == pipe else real_stat(self, **kw)
try:
    read_bytes(pipe, 2**20)
except Exception as exc:
    print(exc)
"""


def test_a_pipe_swapped_in_after_the_type_check_does_not_block(tmp_path: Path) -> None:
    pipe = hc.fifo(tmp_path / "notes.txt")
    regular = hc.notes(tmp_path / "real", 1)[0]
    command = [sys.executable, "-c", _SWAPPED_FOR_A_PIPE, str(pipe), str(regular)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "not a regular file (a named pipe)"


def _peak_rss_parsing(path: Path) -> dict[str, object]:
    # VmHWM starts afresh at exec; ru_maxrss would carry pytest's own size over the fork.
    script = textwrap.dedent(f"""
        import json, re
        from pathlib import Path
        from evidence.parsers import parse_file
        try:
            parse_file(Path({str(path)!r}))
            error = ""
        except Exception as exc:
            error = f"{{type(exc).__name__}}: {{exc}}"
        status = Path("/proc/self/status").read_text()
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024
        print(json.dumps({{"error": error, "peak_rss_mb": round(peak, 1)}}))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)  # fmt: skip
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("lie", ["small", "ratio"])
def test_a_zip_bomb_that_lies_about_its_sizes_is_refused_within_the_memory_bound(
    tmp_path: Path, lie: str
) -> None:
    bomb = hc.lying_zip_bomb(tmp_path / f"bomb-{lie}.docx", expanded_mb=400, lie=lie)
    assert bomb.stat().st_size < 5 * 2**20  # it fits any size limit before expanding
    outcome = _peak_rss_parsing(bomb)
    baseline = _peak_rss_parsing(SAMPLES / "verbatim" / "neg.docx")  # a real file, same way
    print(json.dumps({"bomb": lie, **outcome, "baseline_neg_docx_mb": baseline["peak_rss_mb"]}))
    assert str(outcome["error"]).startswith("FileTooLarge: the part word/document.xml")
    assert "zip bomb" in str(outcome["error"])
    assert float(str(outcome["peak_rss_mb"])) <= RSS_BOUND_MB


def test_links_out_of_the_folder_are_skipped_and_inside_ones_kept(
    data_dir: DataDir, tmp_path: Path
) -> None:
    folder = tmp_path / "evidence"
    inside = hc.notes(folder / "inner", 1)[0]
    hc.link(folder / "passwd.txt", "/etc/passwd")
    hc.link(folder / "etc", "/etc")
    hc.link(folder / "again.txt", inside)
    hc.link(folder / "inner-again", folder / "inner")
    lib = _library(data_dir)
    results = _results(lib, folder)
    out = {Path(p).name: r for p, r in results.items()}
    for name, target in (("passwd.txt", "/etc/passwd"), ("etc", "/etc")):
        assert out[name].status == FileStatus.SKIPPED
        assert out[name].reason.startswith(f"a link out of the imported folder (to {target})")
    assert out["note000.txt"].status == FileStatus.IMPORTED  # once, through either link
    assert len(results) == 3
    assert [s.origin for s in lib.store.sources()] == [str(inside)]
    lib.close()


def test_follow_links_imports_links_out_from_the_setting_or_the_flag(tmp_path: Path) -> None:
    outside = hc.notes(tmp_path / "outside", 2)
    folder = tmp_path / "evidence"
    folder.mkdir()
    hc.link(folder / "a.txt", outside[0])
    hc.link(folder / "sub", outside[0].parent)
    data = DataDir(tmp_path / "data").create()
    lib = _library(data)
    assert {r.status for r in _results(lib, folder).values()} == {FileStatus.SKIPPED}
    lib.settings.follow_links = True
    imported = _results(lib, folder)
    assert {Path(p).name for p, r in imported.items() if r.status == FileStatus.IMPORTED} == {
        "note000.txt",
        "note001.txt",
    }
    lib.close()
    again = DataDir(tmp_path / "data2")
    done = _cli(again.root, "import", "--no-vectors", "--follow-links", str(folder))
    assert done.stdout.count("  imported") == 2, done.stdout


# --- part 4: the queue -----------------------------------------------------------------------

_KILLED_WHILE_READING = """
import os, signal, sys
from pathlib import Path
from evidence.importing.queue import ImportQueue
from evidence.index.store import Store
queue = ImportQueue(Store(Path(sys.argv[1])))
queue.add([sys.argv[2]])
queue.start(sys.argv[2])
os.kill(os.getpid(), signal.SIGKILL)  # killed from outside while it reads the file
"""


def test_a_file_being_read_during_two_kills_from_outside_is_still_imported(
    data_dir: DataDir, tmp_path: Path
) -> None:
    verbatim = tmp_path / "1nc.docx"
    verbatim.write_bytes((SAMPLES / "verbatim" / "1nc.docx").read_bytes())
    Store(data_dir.database).close()
    for _ in range(2):
        killed = subprocess.run(
            [sys.executable, "-c", _KILLED_WHILE_READING, str(data_dir.database), str(verbatim)],
            cwd=ROOT, check=False, timeout=60,
        )  # fmt: skip
        assert killed.returncode == -signal.SIGKILL
    lib = _library(data_dir)
    assert lib.store.queued() == [(str(verbatim), 2)]
    results = _results(lib)  # resume: read in a child process this time
    assert results[str(verbatim)].status == FileStatus.IMPORTED
    assert results[str(verbatim)].cards == 20
    assert lib.store.queued() == []
    lib.close()


def test_a_crash_in_the_child_reader_is_blamed_on_the_file() -> None:
    with pytest.raises(ReaderCrashed, match=r"crashed the reader .*SIGSEGV"):
        run_isolated(hc.segfault)
    with pytest.raises(ReaderCrashed, match="SIGABRT"):
        run_isolated(os.abort)


def _start_import(data: Path, folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [*CLI, "--data-dir", str(data), "import", "--no-vectors", str(folder)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def _imported_paths(output: str) -> list[str]:
    words = (line.split() for line in output.splitlines())
    return [w[1].rstrip(":") for w in words if len(w) > 1 and w[0] in ("imported", "replaced")]


def test_two_imports_at_once_import_each_file_once(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "data").create()
    mine = hc.notes(tmp_path / "a", 120, paragraphs=40)
    theirs = hc.notes(tmp_path / "b", 20)
    first = _start_import(data.root, tmp_path / "a")
    assert first.stdout is not None
    head = [first.stdout.readline() for _ in range(3)]  # it is importing, its queue full
    # Hold the write lock while the second one starts: both then wait at the same point,
    # the first with most of its queue left, whatever the machine's speed.
    hold = sqlite3.connect(data.database, timeout=30)
    hold.execute("BEGIN IMMEDIATE")
    second = _start_import(data.root, tmp_path / "b")
    time.sleep(6)  # its start-up (it then waits for the lock; the first one's timeout is 30 s)
    hold.commit()
    hold.close()
    second_out, _ = second.communicate(timeout=120)
    first_out = "".join(head) + first.communicate(timeout=120)[0]
    assert sorted(_imported_paths(second_out)) == [str(p) for p in theirs], second_out
    assert sorted(_imported_paths(first_out)) == [str(p) for p in mine]
    store = Store(data.database)
    assert len(store.sources()) == 140 and store.queued() == []
    store.close()


def test_kill_at_random_points_then_resume_imports_every_file_once(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    hc.notes(folder, 60, paragraphs=20)
    (folder / "1nc.docx").write_bytes((SAMPLES / "verbatim" / "1nc.docx").read_bytes())
    data = DataDir(tmp_path / "data").create()
    rng = random.Random(17)
    for _ in range(4):
        proc = _start_import(data.root, folder)
        time.sleep(rng.uniform(2.0, 6.0))  # start-up takes about 2 s: some kills land late
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        lib = _library(data)
        assert_consistent(lib)
        lib.close()
    done = _cli(data.root, "--json", "import", "--no-vectors", str(folder))
    report = json.loads(done.stdout)
    assert report["failed"] == 0, report  # no file blamed for a kill from outside
    lib = _library(data)
    assert len(lib.store.sources()) == 61 and lib.store.queued() == []
    lib.close()
