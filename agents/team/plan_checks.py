"""Is the Analyzer's plan a list of distinct full claims? A small model plans a block as three
copies of one claim, or an answer as fragments cut out of the opponent's card ("and is a
policy of the US government to"); each claim then gets a card tagged with it. A refused
plan is asked for once more, then filled from the debater's own tags (builders.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agents.team.reviewer import cosine
from agents.team.tag_checks import normalize, tag_problem
from evidence.index.embedding import Embedder

MIN_WORDS = 4  # fewer is a topic ("Nuclear deterrence."), not a claim
DUPLICATE = 0.9  # cosine above which two claims say the same thing
OVERLAP = 0.7  # share of content words above which two claims are one claim reworded
# A claim does not start with a conjunction or preposition: it was cut out of a sentence.
_LEADING = frozenset(
    "and or but nor so yet because since although though while whereas if unless than of "
    "to in on at by for with from as into onto upon about against between through during "
    "without within which who whom whose that".split()
)
_NEGATION = frozenset("not no never cannot can't won't doesn't don't isn't fail fails".split())
_STOP = frozenset("a an the of to in on at by for with and or is are be it its that this".split())


@dataclass
class PlanCheck:
    kept: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (claim, why)

    def summary(self) -> str:
        return "; ".join(f"“{c}” {why}" for c, why in self.refused)


def claim_problem(claim: str) -> str:
    """Why `claim` is not a full claim on its own, in a few words; "" when it is one."""
    words = re.findall(r"[A-Za-z0-9'’-]+", claim)
    if len(words) < MIN_WORDS:
        return f"has under {MIN_WORDS} words"
    if words[0].lower() in _LEADING:
        return f"starts with “{words[0]}”: a fragment"
    problem = tag_problem(claim)  # markup, loops, fragment endings, no verb
    return problem.replace("it is", "is").replace("it ", "") if problem else ""


def check_plan(
    claims: Sequence[str], embedder: Embedder, avoid: str = "", kept: Sequence[str] = ()
) -> PlanCheck:
    """The claims that are full and distinct (from each other, from `kept`, and from `avoid`,
    the opponent's claim an answer must not restate), and why the others were refused."""
    out = PlanCheck()
    full: list[str] = []
    for claim in claims:
        problem = claim_problem(claim)
        if problem:
            out.refused.append((claim, problem))
        else:
            full.append(claim)
    if not full:
        return out
    earlier = [*([avoid] if avoid else []), *kept]
    vecs = embedder.embed([*earlier, *full])
    seen = list(zip(earlier, vecs[: len(earlier)], strict=True))
    for claim, vec in zip(full, vecs[len(earlier) :], strict=True):
        twin = next((c for c, v in seen if _same(claim, c, cosine(vec, v), c != avoid)), None)
        if twin is not None:
            which = "restates the claim answered" if twin == avoid else f"repeats “{twin}”"
            out.refused.append((claim, which))
            continue
        seen.append((claim, vec))
        out.kept.append(claim)
    return out


def _same(a: str, b: str, similarity: float, words: bool) -> bool:
    """Near-identical vectors, or (`words`) one claim's content words mostly the other's
    with the same polarity: an answer that negates the claim answered is not its copy."""
    if similarity > DUPLICATE:
        return True
    wa = {w for w in normalize(a).split() if w not in _STOP}
    wb = {w for w in normalize(b).split() if w not in _STOP}
    if not words or not wa or not wb or bool(wa & _NEGATION) != bool(wb & _NEGATION):
        return False
    return len(wa & wb) / min(len(wa), len(wb)) > OVERLAP
