"""Issue 15's generation half: tokens/s through our model-server client (OpenAIGenerator)
against the raw OpenAI-compatible stream (plain httpx, no parsing beyond the SSE lines) from
the same server, with the same request: same messages, greedy, exactly --max-tokens tokens.

Without --server-url it starts llama-cpp-python's server (`python -m llama_cpp.server`) on
127.0.0.1 with the bundled Gemma 3 270M, and stops it after. Runs are interleaved (the order
alternates each round); the rate is tokens after the first over the time after the first,
as the status bar shows it. Used by bench/team_bench.py --part generation."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.runtime.generation import GenerationRequest  # noqa: E402
from agents.runtime.openai_generator import OpenAIGenerator  # noqa: E402
from evidence.network import NetworkPolicy  # noqa: E402

SYSTEM = "You are a debate coach. Answer in full sentences."
USER = (
    "Resolved: The United States federal government should substantially increase its "
    "protection of marine species. Explain the strongest affirmative argument about the "
    "whaling moratorium, bycatch in commercial fisheries and ocean acidification."
)
TARGET = 0.95

Run = dict[str, Any]  # pieces, text, seconds, first


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server-url", default="", help="an OpenAI-compatible server (…/v1); "
                   "default: start llama.cpp's server with the bundled Gemma")  # fmt: skip
    p.add_argument("--server-model", default="", help="model name on --server-url")
    p.add_argument("--api-key", default="")
    p.add_argument("--max-tokens", type=int, default=128, help="tokens per generation")
    p.add_argument("--rounds", type=int, default=5, help="timed generations per side")
    p.add_argument("--server-threads", type=int, default=1, help="for the started server")


def raw_run(base: str, model: str, api_key: str, max_tokens: int) -> Run:
    """One generation read straight off the wire: SSE lines, JSON per chunk, nothing else."""
    payload = {
        "model": model, "max_tokens": max_tokens, "temperature": 0.0, "seed": 1234,
        "stream": True, "messages": [{"role": "system", "content": SYSTEM},
                                     {"role": "user", "content": USER}],
    }  # fmt: skip
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    pieces: list[str] = []
    cpu = time.process_time()
    start = time.perf_counter()
    first = 0.0
    with (
        httpx.Client(timeout=120, headers=headers) as client,
        client.stream("POST", base + "/chat/completions", json=payload) as response,
    ):
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            for choice in json.loads(line[6:]).get("choices") or ():
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    first = first or time.perf_counter() - start
                    pieces.append(piece)
    return {"pieces": len(pieces), "text": "".join(pieces), "first": first,
            "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}  # fmt: skip


def client_run(gen: OpenAIGenerator, max_tokens: int) -> Run:
    request = GenerationRequest(gen.chat_prompt(SYSTEM, USER), max_tokens=max_tokens,
                                temperature=0.0, seed=1234)  # fmt: skip
    cpu = time.process_time()
    start = time.perf_counter()
    text = "".join(gen.stream(request))
    stats = gen.last_stats
    seconds = time.perf_counter() - start
    return {"pieces": stats.generated_tokens, "text": text, "seconds": seconds,
            "first": stats.seconds_to_first_token, "cpu": time.process_time() - cpu}  # fmt: skip


def rate(run: Run) -> float:
    after = run["seconds"] - run["first"]
    return (run["pieces"] - 1) / after if run["pieces"] > 1 and after > 0 else 0.0


def aggregate(runs: list[Run]) -> float:
    """All runs' tokens after the first over all their time after the first token."""
    tokens = sum(int(r["pieces"]) - 1 for r in runs)
    return tokens / sum(float(r["seconds"]) - float(r["first"]) for r in runs)


def summary(runs: list[Run]) -> dict[str, Any]:
    rates = [rate(r) for r in runs]
    return {
        "tokens_per_s_all_runs": round(aggregate(runs), 2),
        "tokens_per_s_median": round(statistics.median(rates), 2),
        "tokens_per_s_best": round(max(rates), 2),
        # This process's CPU per token: the client's own cost, whatever the server's speed.
        "client_cpu_ms_per_token": round(
            1000 * sum(r["cpu"] for r in runs) / sum(r["pieces"] for r in runs), 3
        ),
        "first_token_s_median": round(statistics.median(r["first"] for r in runs), 3),
        "tokens": [r["pieces"] for r in runs],
    }


def measure(base: str, model: str, api_key: str, max_tokens: int, rounds: int) -> dict[str, Any]:
    policy = NetworkPolicy(enabled=True, allow_private=True)
    raw: list[Run] = []
    ours: list[Run] = []
    with OpenAIGenerator(base, model, api_key=api_key, policy=policy) as gen:
        client_run(gen, 8)  # warm-up: model pages, the server's prompt cache, connections
        raw_run(base, model, api_key, 8)
        for r in range(rounds):
            if r % 2:
                ours.append(client_run(gen, max_tokens))
                raw.append(raw_run(base, model, api_key, max_tokens))
            else:
                raw.append(raw_run(base, model, api_key, max_tokens))
                ours.append(client_run(gen, max_tokens))
    raw_s, ours_s = summary(raw), summary(ours)
    # The target is judged on all runs together (one slow round on a busy machine weighs
    # by its time, not as a whole median sample); the paired per-round ratios show spread.
    ratio = aggregate(ours) / aggregate(raw)
    paired = [rate(o) / rate(r) for o, r in zip(ours, raw, strict=True) if rate(r)]
    return {
        "server": base, "model": model, "max_tokens": max_tokens, "rounds": rounds,
        "raw_httpx_stream": raw_s, "our_client": ours_s,
        "ratio_all_runs": round(ratio, 3),
        "ratio_paired_median": round(statistics.median(paired), 3),
        "ratio_paired_min_max": [round(min(paired), 3), round(max(paired), 3)],
        "target": TARGET, "meets_target": ratio >= TARGET,
        "same_text": len({r["text"] for r in raw + ours}) == 1,  # greedy: one answer
    }  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.server_url:
        model = args.server_model or "default"
        return measure(args.server_url.rstrip("/"), model, args.api_key, args.max_tokens,
                       args.rounds)  # fmt: skip
    from agents.models.bundled import default_generator_path
    from tests.model_server import start_llama_server, stop_llama_server

    with tempfile.TemporaryDirectory() as folder:
        model_path = default_generator_path(ROOT / ".pytest_cache" / "models")
        server = start_llama_server(model_path, Path(folder) / "server.log",
                                    threads=args.server_threads)  # fmt: skip
        try:
            result = measure(server.base_url, server.model, "", args.max_tokens, args.rounds)
        finally:
            stop_llama_server(server.process)
    return {"server_kind": "llama-cpp-python server, bundled Gemma 3 270M (CPU)", **result}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    print(json.dumps({"part": "generation", **run(parser.parse_args())}, indent=1))
