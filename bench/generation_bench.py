"""Generation benchmark: LlamaGenerator.stream against raw llama-cpp-python.

Prints one JSON object. Both sides load the same GGUF (default: Gemma 3 270M) with the same
threads and context, get the same prompt and generate exactly --max-tokens tokens greedily
with no stop string (the counts are checked). Runs are interleaved, best of --rounds each,
and every run starts from an empty prompt cache, so time to first token includes the prompt.
A second part times JSON-schema output (llama.cpp grammar) the same way.

Usage: python bench/generation_bench.py [--model PATH] [--threads N] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import llama_cpp  # noqa: E402
from llama_cpp.llama_grammar import LlamaGrammar  # noqa: E402

from agents.models.bundled import default_generator_path  # noqa: E402
from agents.models.embedder_setup import default_threads  # noqa: E402
from agents.runtime.generation import GenerationRequest  # noqa: E402
from agents.runtime.llama_generator import LlamaGenerator  # noqa: E402

PROMPT = (
    "Resolved: The United States federal government should substantially increase its "
    "protection of marine species. The affirmative team argues that the International "
    "Whaling Commission moratorium has failed to stop scientific whaling, that bycatch in "
    "commercial fisheries kills hundreds of thousands of cetaceans every year, and that "
    "ocean acidification threatens the food web. The negative team replies that unilateral "
    "action undermines international cooperation. The strongest affirmative argument is"
)
TAG_SCHEMA = {
    "type": "object",
    "properties": {"tag": {"type": "string", "maxLength": 80}},
    "required": ["tag"],
}


Run = tuple[float, float, str]  # seconds, seconds to the first piece, text


def raw_run(raw: llama_cpp.Llama, max_tokens: int, **kwargs: Any) -> Run:
    """One cold streamed completion through llama-cpp-python's own API."""
    raw.reset()  # type: ignore[no-untyped-call]
    start = time.perf_counter()
    first, text = 0.0, []
    stream = raw.create_completion(
        PROMPT, max_tokens=max_tokens, temperature=0.0, stream=True, **kwargs
    )
    for i, chunk in enumerate(stream):
        if i == 0:
            first = time.perf_counter() - start
        text.append(chunk["choices"][0]["text"])  # type: ignore[index]
    return time.perf_counter() - start, first, "".join(text)


def our_run(gen: LlamaGenerator, request: GenerationRequest) -> Run:
    gen.reset_cache()
    start = time.perf_counter()
    first, text = 0.0, []
    for i, piece in enumerate(gen.stream(request)):
        if i == 0:
            first = time.perf_counter() - start
        text.append(piece)
    return time.perf_counter() - start, first, "".join(text)


def summary(runs: list[Run], tokens: int) -> dict[str, Any]:
    best = min(runs)
    return {
        "tokens_per_s": round(tokens / best[0], 1),
        "best_seconds": round(best[0], 3),
        "seconds_to_first_token": round(min(r[1] for r in runs), 3),
        "runs_seconds": [round(r[0], 3) for r in runs],
    }


def bench_plain(
    raw: llama_cpp.Llama, gen: LlamaGenerator, max_tokens: int, rounds: int
) -> dict[str, Any]:
    request = GenerationRequest(PROMPT, max_tokens=max_tokens, temperature=0.0)
    # Untimed check: both generate exactly max_tokens tokens, and the same greedy text.
    raw.reset()  # type: ignore[no-untyped-call]
    reference = raw.create_completion(PROMPT, max_tokens=max_tokens, temperature=0.0)
    raw_tokens = reference["usage"]["completion_tokens"]  # type: ignore[index]
    gen.reset_cache()
    ours_text = gen.complete(request)
    ours_tokens = gen.last_stats.generated_tokens
    if raw_tokens != max_tokens or ours_tokens != max_tokens:
        raise SystemExit(f"token counts differ: raw {raw_tokens}, ours {ours_tokens}")
    raw_runs, our_runs = [], []
    for _ in range(rounds):  # interleaved: background load on 2 cores hits both alike
        raw_runs.append(raw_run(raw, max_tokens))
        our_runs.append(our_run(gen, request))
    raw_sum, our_sum = summary(raw_runs, max_tokens), summary(our_runs, max_tokens)
    return {
        "prompt_tokens": gen.count_tokens(PROMPT),
        "max_tokens": max_tokens,
        "generated_tokens": {"raw": raw_tokens, "ours": ours_tokens},
        "same_text": reference["choices"][0]["text"] == ours_text,  # type: ignore[index]
        "raw_create_completion": raw_sum,
        "llama_generator_stream": our_sum,
        "ratio": round(our_sum["tokens_per_s"] / raw_sum["tokens_per_s"], 3),
        "target_ratio": 0.95,
    }


def bench_json(raw: llama_cpp.Llama, gen: LlamaGenerator, rounds: int) -> dict[str, Any]:
    """JSON-schema output: raw applies the grammar to every candidate token; ours checks
    the sampled token first (see agents/runtime/llama_sampling.py)."""
    max_tokens = 32
    grammar = LlamaGrammar.from_json_schema(json.dumps(TAG_SCHEMA), verbose=False)
    request = GenerationRequest(
        PROMPT, max_tokens=max_tokens, temperature=0.0, json_schema=TAG_SCHEMA
    )
    raw_runs, our_runs = [], []
    for _ in range(rounds):
        raw_runs.append(raw_run(raw, max_tokens, grammar=grammar))
        our_runs.append(our_run(gen, request))
    # Greedy under the same grammar: the same tokens (checked by the text), so one count.
    tokens = gen.last_stats.generated_tokens
    raw_sum, our_sum = summary(raw_runs, tokens), summary(our_runs, tokens)
    return {
        "schema": TAG_SCHEMA,
        "generated_tokens": tokens,
        "same_text": raw_runs[-1][2] == our_runs[-1][2],
        "output": our_runs[-1][2],
        "raw_create_completion_grammar": raw_sum,
        "llama_generator_json_schema": our_sum,
        "speedup": round(raw_sum["best_seconds"] / our_sum["best_seconds"], 2),
    }


CASE = (
    "Resolved: The United States federal government should substantially increase its "
    "cooperation on international water law"
)


def bench_case(gen: LlamaGenerator, cache: Path, threads: int) -> dict[str, Any]:
    """Wall time of a full `case` run (2 contentions) on the shared samples, after import."""
    import tempfile

    from agents.cutter.extractive import cut_marks
    from agents.models.bundled import default_embedder_path
    from agents.runtime.embedder import LlamaEmbedder
    from agents.team.events import RunDone, TokenStreamed
    from agents.team.run import run_task
    from agents.team.tasks import CaseTask, Side
    from agents.team.team import Team
    from evidence.datadir import DataDir
    from evidence.library import Library
    from evidence.settings import Settings

    samples = ROOT.parent / "shared" / "samples"
    with (
        tempfile.TemporaryDirectory() as tmp,
        LlamaEmbedder(default_embedder_path(cache), n_threads=threads) as emb,
    ):
        lib = Library(DataDir(Path(tmp)), Settings(), lambda: emb)
        t0 = time.perf_counter()
        list(lib.import_paths([samples]))
        imported = time.perf_counter() - t0
        team = Team(lib, gen, emb, cut_marks)
        t0 = time.perf_counter()
        events = list(run_task(CaseTask(CASE, Side.AFF, 2), team))
        wall = time.perf_counter() - t0
        lib.close()
    tokens = sum(isinstance(e, TokenStreamed) for e in events)
    done = events[-1]
    assert isinstance(done, RunDone)
    return {
        "case_run_seconds": round(wall, 2),
        "case_cards": len(done.cards),
        "case_generated_pieces": tokens,
        "case_steps": len(events) - tokens,
        "import_samples_seconds": round(imported, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, help="a GGUF file (default: Gemma 3 270M)")
    ap.add_argument("--threads", type=int, default=default_threads())
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--context", type=int, default=4096)
    args = ap.parse_args()
    cache = Path(os.environ.get("DEBATE_PREP_TEST_CACHE", ROOT / ".pytest_cache" / "models"))
    model = args.model or default_generator_path(cache)
    load_before = os.getloadavg()
    gen = LlamaGenerator(model, n_threads=args.threads, context_size=args.context)
    raw = llama_cpp.Llama(
        model_path=str(model),
        n_ctx=gen.context_size,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        n_gpu_layers=gen.gpu_layers,
        verbose=False,
    )
    result: dict[str, Any] = {
        "model": model.name,
        "threads": args.threads,
        "device": gen.device_note,
        "plain": bench_plain(raw, gen, args.max_tokens, args.rounds),
        "json_schema": bench_json(raw, gen, args.rounds),
        "case": bench_case(gen, cache, args.threads),
        # Other processes on a 2-core machine slow llama.cpp's OpenMP threads a lot.
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    raw.close()
    gen.close()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
