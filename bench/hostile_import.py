"""What the import's guards cost and bound (issue 17): peak memory refusing lying zip bombs
beside real files parsed the same way, the bounded inflate check beside a header-only check
and the whole parse, and a read in a child process beside one in-process.

Prints one JSON object. Usage: python bench/hostile_import.py [--expanded-mb 400]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.importing.importer import _Input, _prepare  # noqa: E402
from evidence.importing.isolated import run_isolated  # noqa: E402
from evidence.parsers import parse_bytes  # noqa: E402
from evidence.parsers.docx import check_expansion  # noqa: E402
from tests import hostile_corpus  # noqa: E402

SHARED = ROOT.parent / "shared"
_PEAK = """
import json, re, sys
from pathlib import Path
from evidence.parsers import parse_file
try:
    parse_file(Path(sys.argv[1])); error = ""
except Exception as exc:
    error = type(exc).__name__
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"refused": error, "peak_rss_mb": round(peak / 1024, 1)}))
"""


def peak_parsing(path: Path) -> dict[str, object]:
    """Peak RSS of a fresh process that parses `path` (VmHWM starts afresh at exec)."""
    done = subprocess.run([sys.executable, "-c", _PEAK, str(path)], cwd=ROOT, check=True,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def median_ms(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 2)


def headers_only(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--expanded-mb", type=int, default=400)
    args = parser.parse_args()
    real = [SHARED / "samples" / "verbatim" / "neg.docx"]
    real += sorted(
        (SHARED / "training" / "verbatim").glob("*.docx"), key=lambda p: -p.stat().st_size
    )[:1]
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for lie in ("small", "ratio"):
            bomb = hostile_corpus.lying_zip_bomb(
                Path(tmp) / f"{lie}.docx", args.expanded_mb, lie=lie
            )
            out[f"bomb_{lie}_{args.expanded_mb}mb"] = peak_parsing(bomb)
    for path in real:
        data = path.read_bytes()
        out[path.name] = {
            "peak_rss_mb": peak_parsing(path)["peak_rss_mb"],
            "mb": round(len(data) / 2**20, 2),
            "expanded_mb": round(headers_only(data) / 2**20, 2),
            "bounded_check_ms": median_ms(partial(check_expansion, data, 150 * 2**20)),
            "headers_only_ms": median_ms(partial(headers_only, data)),
            "whole_parse_ms": median_ms(partial(parse_bytes, data, file_name=path.name), 3),
        }
    sample = SHARED / "samples" / "verbatim" / "1nc.docx"
    item = _Input("bench", data=sample.read_bytes())
    out["read_1nc_in_process_ms"] = median_ms(lambda: _prepare(item, sample.name, 2**27), 3)
    out["read_1nc_in_child_ms"] = median_ms(
        lambda: run_isolated(_prepare, item, sample.name, 2**27), 3
    )
    out["note"] = re.sub(
        r"\s+",
        " ",
        """peak RSS from VmHWM of a fresh process per file;
        a child read only happens for a file an import left started (killed or crashed)""",
    )
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
