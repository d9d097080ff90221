"""Verbatim reader speed against a baseline commit, measured in the same run (issue 14).

The baseline is `git archive REV` unpacked into a temp folder; each tree reads the files in
its own process (both are the `evidence` package), the processes alternating for --rounds.
Times are CPU seconds of read_verbatim (steadier than wall time on a shared machine; wall is
printed too), best of --repeat per process, then the median over rounds. Both trees' results
are compared: the speed-up must return equal CardDocuments, warnings included.

--combined builds the issue's target file from the training files: about 3,000 cards,
bodies cut after 320 words (~830k body words, ~900k with tags and cites), written with
write_docx.

Usage: python bench/reader_bench.py [FILES...] [--baseline REV] [--rounds N] [--repeat N]
       [--combined]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TRAINING = SHARED / "training" / "verbatim"
NEG = SHARED / "samples" / "verbatim" / "neg.docx"

_WORKER = """
import json, pickle, sys, time
sys.path.insert(0, sys.argv[1])
from evidence.verbatim.reader import read_verbatim
repeat, out, files = int(sys.argv[2]), sys.argv[3], sys.argv[4:]
times, docs = {}, {}
for name in files:
    data = open(name, "rb").read()
    docs[name] = read_verbatim(data)
    cpu, wall = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        read_verbatim(data)
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    times[name] = (min(cpu), min(wall))
pickle.dump(docs, open(out, "wb"))
print(json.dumps(times))
"""


def run_tree(tree: Path, files: list[Path], repeat: int, out: Path) -> dict[str, list[float]]:
    cmd = [sys.executable, "-c", _WORKER, str(tree), str(repeat), str(out), *map(str, files)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, list[float]] = json.loads(done.stdout)
    return result


def export(rev: str, into: Path) -> None:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True)
    archive.check_returncode()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)


def build_combined(path: Path, cards_wanted: int = 3000, words: int = 320) -> dict[str, int]:
    from evidence.cards.card import Card, CardDocument, Heading, Node, Span
    from evidence.verbatim.reader import read_verbatim
    from evidence.verbatim.writer import write_docx

    def trim(nodes: list[Node]) -> list[Node]:
        out: list[Node] = []
        for node in nodes:
            if isinstance(node, Heading):
                out.append(dataclasses.replace(node, children=trim(node.children)))
            elif isinstance(node, Card):
                ends = [m.end() for m in re.finditer(r"\S+", node.body)]
                cut = ends[words - 1] if len(ends) > words else len(node.body)
                spans = [
                    Span(s.start, min(s.end, cut), s.mark, s.color)
                    for s in node.spans
                    if s.start < cut
                ]
                out.append(dataclasses.replace(node, body=node.body[:cut], spans=spans))
            else:
                out.append(node)
        return out

    sources = sorted(TRAINING.glob("*.docx"), key=lambda p: -p.stat().st_size)
    docs = [read_verbatim(p) for p in sources]
    nodes: list[Node] = []
    cards = body_words = 0
    while cards < cards_wanted:
        for doc in docs:
            part = trim(doc.nodes)
            found = CardDocument(nodes=part).cards()
            nodes.extend(part)
            cards += len(found)
            body_words += sum(len(c.body.split()) for c in found)
            if cards >= cards_wanted:
                break
    write_docx(CardDocument(nodes=nodes, title="combined"), path)
    return {"cards": cards, "body_words": body_words, "bytes": path.stat().st_size}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--baseline", default="HEAD")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--combined", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    files: list[Path] = args.files or [
        NEG,
        *sorted(TRAINING.glob("*.docx"), key=lambda p: -p.stat().st_size)[:3],
    ]
    report: dict[str, Any] = {"baseline": args.baseline, "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        base.mkdir()
        export(args.baseline, base)
        if args.combined:
            combined = Path(tmp) / "combined.docx"
            report["combined"] = build_combined(combined)
            files.append(combined)
        runs: dict[str, list[dict[str, list[float]]]] = {"baseline": [], "new": []}
        for _ in range(args.rounds):  # alternate, so both see the same load
            for name, tree in (("baseline", base), ("new", ROOT)):
                runs[name].append(run_tree(tree, files, args.repeat, Path(tmp) / f"{name}.pkl"))
        with open(Path(tmp) / "baseline.pkl", "rb") as fh:
            before = pickle.load(fh)
        with open(Path(tmp) / "new.pkl", "rb") as fh:
            after = pickle.load(fh)
        report["equal_results"] = all(before[k] == after[k] for k in before)
        report["files"] = {}
        for path in files:
            row: dict[str, Any] = {"bytes": path.stat().st_size}
            for name in runs:
                cpu = statistics.median(r[str(path)][0] for r in runs[name])
                wall = statistics.median(r[str(path)][1] for r in runs[name])
                row[f"{name}_cpu_ms"] = round(cpu * 1000, 1)
                row[f"{name}_wall_ms"] = round(wall * 1000, 1)
            row["speedup_cpu"] = round(row["baseline_cpu_ms"] / row["new_cpu_ms"], 2)
            row["speedup_wall"] = round(row["baseline_wall_ms"] / row["new_wall_ms"], 2)
            report["files"][path.name] = row
    report["load_after"] = os.getloadavg()
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
