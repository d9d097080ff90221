"""The Writer: turns a chosen passage into a card. The body is the source's own text at its
stored offsets; only the tag comes from the model."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from agents.runtime.generation import GenerationRequest, Generator
from agents.team.prompts import render
from evidence.cancel import CancelCheck
from evidence.cards.card import Card, Mark, Span
from evidence.cards.cite import Cite, build_cite
from evidence.cards.store import CardRow
from evidence.index.embedding import Embedder
from evidence.index.records import PassageRecord, SourceRecord

MarkCutter = Callable[[str, str, Embedder], list[Span]]


def tag_prompt(generator: Generator, read: str) -> str:
    return render(generator, "tag", read=read)


@dataclass
class Draft:
    card: Card
    cite: Cite
    passage_id: int
    score: float
    claim: str = ""


def draft_from_passage(
    passage: PassageRecord,
    source: SourceRecord,
    existing: CardRow | None,
    claim: str,
    cutter: MarkCutter,
    embedder: Embedder,
) -> Draft:
    """Body: an imported card's own body, or the passage's whole paragraphs; marks: the cutter."""
    if existing is not None and isinstance(existing.node, Card) and existing.node.body:
        old = existing.node
        body, offset = old.body, old.source_offset
        cite = Cite(old.short_cite, old.full_cite, () if old.short_cite else ("author",))
    else:
        body, offset = passage.text, passage.start
        cite = build_cite(source, passage.page)
    spans = sorted(cutter(claim, body, embedder))  # the order a Word file reads back in
    card = Card(claim, cite.short, cite.full, body, spans, [], source.id, offset)
    return Draft(card, cite, passage.id, 0.0, claim)


def write_tag(generator: Generator, card: Card, cancel: CancelCheck, budget: int) -> Iterator[str]:
    """Stream a tag for the card from its read text (the evidence is data in the prompt: the
    model's output can only ever become the tag)."""
    read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body
    read = " ".join(read.split()[:120])
    request = GenerationRequest(
        tag_prompt(generator, read), max_tokens=min(40, budget), temperature=0.0, stop=("\n",)
    )
    yield from generator.stream(request, cancel)


def clean_tag(text: str, fallback: str) -> str:
    tag = re.sub(r"\s+", " ", text).strip().strip('"“”')
    if len(tag.split()) < 3 or len(tag) > 200:
        return fallback
    return tag if tag.endswith((".", "!", "?")) else tag + "."
