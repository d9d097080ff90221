"""Issue 15's scale bench, one JSON object per run.

--part chroma: a Chroma server on this machine holding N passages (bench/team_chroma_bench.py):
  ingest rate, team search p50/p95 with real queries embedded next to the raw Chroma query,
  server memory.
--part generation: tokens/s through our model-server client vs the raw OpenAI-compatible
  stream from the same server (bench/team_generation_bench.py).

Usage: python bench/team_bench.py --part chroma [--passages N] [--queries Q] [--k K]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import team_chroma_bench, team_generation_bench


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--part", choices=("chroma", "generation"), required=True)
    team_chroma_bench.add_arguments(p)
    team_generation_bench.add_arguments(p)
    args = p.parse_args(argv)
    if args.part == "chroma":
        result = team_chroma_bench.run(args)
    else:
        result = team_generation_bench.run(args)
    print(json.dumps({"part": args.part, **result}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
