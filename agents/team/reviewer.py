"""The Reviewer's first duty, done mechanically: is the card what it claims to be?"""

from __future__ import annotations

import math
from collections.abc import Sequence

from agents.team.contradiction import load_check
from evidence.cards.card import Card, Mark
from evidence.index.embedding import Embedder

SUPPORT_THRESHOLD = 0.35  # cosine(tag, read text) under which a tag is "not supported"


def mechanical_objections(card: Card, source_text: str, cite_missing: Sequence[str]) -> list[str]:
    """Problems no argument can excuse. An unverifiable body is a bug, never a style issue."""
    out: list[str] = []
    off = card.source_offset
    if off is None or source_text[off : off + len(card.body)] != card.body:
        out.append("body is not verbatim in its source at the stored offset")
    if not card.body.strip():
        out.append("body is empty")
    if not card.tag.strip():
        out.append("tag is empty")
    if cite_missing:
        out.append("cite incomplete: no " + ", no ".join(cite_missing))
    for span in card.spans:
        if not 0 <= span.start < span.end <= len(card.body):
            out.append(f"{span.mark} span {span.start}-{span.end} lies outside the body")
    under = [(s.start, s.end) for s in card.marked(Mark.UNDERLINE)]
    for hi in card.marked(Mark.HIGHLIGHT):
        if not any(s <= hi.start and hi.end <= e for s, e in _merged(under)):
            out.append("highlighted text outside the underlined text")
            break
    if not card.marked(Mark.HIGHLIGHT):
        out.append("nothing is highlighted: there is nothing to read")
    return out


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1] + 1:  # touching runs (a space apart) read as one
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)


def support(tag: str, card: Card, embedder: Embedder) -> float:
    """How well the read (highlighted) text supports the tag: cosine of their vectors.
    A cheap, MiniCheck-like proxy; a small model judging entailment can replace it."""
    read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body
    tag_vec, read_vec = embedder.embed([tag, read])
    return cosine(tag_vec, read_vec)


def contradiction_objection(tag: str, card: Card, embedder: Embedder) -> str:
    """The other side's sharpest objection: the tag says the opposite of what the card reads
    ("sanctions work" on a card that says they fail), which `support` cannot see. "" when
    the check passes the tag, or is off (no weights, or an embedder it was not trained on)."""
    check = load_check()
    verdict = check.check(tag, card, embedder) if check is not None else None
    if verdict is None or not verdict.flagged:
        return ""
    return f"the tag says the opposite of the card ({verdict.reason})"
