"""The Analyzer's plan: the claims a block, an answer or a case needs, asked of the model as
JSON under a grammar, then checked (plan_checks.py): fragments and near-duplicates are
dropped, and so are "answers" that only restate the opponent. A small model often repeats
the question; a refused plan is asked for once more, then filled from the library (the
caller's job, builders.py)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Generator as Gen
from typing import Any

from agents.runtime.generation import GenerationError, GenerationRequest, Generator
from agents.team.events import Role, StepEvent, TokenStreamed
from agents.team.plan_checks import check_plan
from agents.team.prompts import render
from evidence.cancel import CancelCheck
from evidence.index.embedding import Embedder

ATTEMPTS = 2


def plan_schema(n: int) -> dict[str, Any]:
    claim = {"type": "string", "minLength": 8, "maxLength": 110}
    return {
        "type": "object",
        "properties": {"claims": {"type": "array", "items": claim, "minItems": n, "maxItems": n}},
        "required": ["claims"],
    }


def ask_claims(
    generator: Generator,
    prompt: str,
    n: int,
    budget: int,
    cancel: CancelCheck,
    replan: bool = False,
) -> Gen[StepEvent, None, list[str] | None]:
    """Stream the model's JSON plan as Analyzer tokens; the claims, or None when cancelled.
    `replan`: the first plan was refused, so sample another (greedy would repeat it).
    Raises GenerationError when no attempt parses (the step fails with that reason)."""
    request = GenerationRequest(
        prompt, max_tokens=min(60 * n, budget), temperature=0.0, json_schema=plan_schema(n)
    )
    reason = ""
    for attempt in range(ATTEMPTS):
        if attempt or replan:  # another seed, some temperature: the same prompt, same output
            seed = request.seed + attempt + (ATTEMPTS if replan else 0)
            request = dataclasses.replace(request, seed=seed, temperature=0.7)
        pieces: list[str] = []
        for piece in generator.stream(request, cancel):
            pieces.append(piece)
            yield TokenStreamed(Role.ANALYZER, piece)
        if cancel():
            return None
        try:
            value = json.loads("".join(pieces))
            claims = value["claims"]
            if isinstance(claims, list) and all(isinstance(c, str) for c in claims):
                return [_first_sentence(c) for c in claims]
            reason = "claims is not a list of strings"
        except (ValueError, KeyError, TypeError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
    raise GenerationError(f"the plan was not valid JSON after {ATTEMPTS} attempts ({reason})")


def _first_sentence(text: str) -> str:
    # Small models run on ("… security. It is a key driver … It"): one sentence is a claim.
    flat = " ".join(text.split())
    head = re.split(r"(?<=[.!?])\s", flat, maxsplit=1)[0]
    return head if head.endswith((".", "!", "?")) else head.rstrip(",;:") + "."


def distinct_claims(
    claims: list[str], embedder: Embedder, avoid: str = "", limit: int = 0
) -> list[str]:
    """Claims that add something: full claims (plan_checks.py), not a near-copy of an earlier
    one, nor of `avoid`."""
    kept = check_plan(claims, embedder, avoid).kept
    return kept[:limit] if limit else kept


def plan_prompt(generator: Generator, kind: str, subject: str, side: str = "") -> str:
    return render(generator, f"plan_{kind}", end="\n", subject=subject, side=side)
