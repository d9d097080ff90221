"""The Analyzer's plan: the claims a block, an answer or a case needs, asked of the model as
JSON under a grammar, then checked: near-duplicates are dropped, and so are "answers" that
only restate the opponent. A small model often repeats the question; what survives is the
plan, and the evidence fills the rest (the caller's job)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Generator as Gen
from typing import Any

from agents.runtime.generation import GenerationError, GenerationRequest, Generator
from agents.team.events import Role, StepEvent, TokenStreamed
from agents.team.prompts import render
from agents.team.reviewer import cosine
from evidence.cancel import CancelCheck
from evidence.index.embedding import Embedder

DUPLICATE = 0.9  # cosine above which two claims say the same thing
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
) -> Gen[StepEvent, None, list[str] | None]:
    """Stream the model's JSON plan as Analyzer tokens; the claims, or None when cancelled.
    Raises GenerationError when no attempt parses (the step fails with that reason)."""
    request = GenerationRequest(
        prompt, max_tokens=min(60 * n, budget), temperature=0.0, json_schema=plan_schema(n)
    )
    reason = ""
    for attempt in range(ATTEMPTS):
        if attempt:  # another seed, some temperature: the same prompt gives the same output
            request = dataclasses.replace(request, seed=request.seed + attempt, temperature=0.7)
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
    """Claims that add something: not a near-copy of an earlier one, nor of `avoid`."""
    if not claims:
        return []
    texts = [avoid, *claims] if avoid else claims
    vecs = embedder.embed(texts)
    avoid_vec, claim_vecs = (vecs[0], vecs[1:]) if avoid else (None, vecs)
    kept: list[tuple[str, list[float]]] = []
    for claim, vec in zip(claims, claim_vecs, strict=True):
        if len(claim.split()) < 3:
            continue
        if avoid_vec is not None and cosine(vec, avoid_vec) > DUPLICATE:
            continue
        if any(cosine(vec, k) > DUPLICATE for _, k in kept):
            continue
        kept.append((claim, list(vec)))
    out = [c for c, _ in kept]
    return out[:limit] if limit else out


def plan_prompt(generator: Generator, kind: str, subject: str, side: str = "") -> str:
    return render(generator, f"plan_{kind}", end="\n", subject=subject, side=side)
