"""The Writer: turns a chosen passage into a card. The body is the source's own text at its
stored offsets; only the tag comes from the model."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from agents.runtime.generation import GenerationRequest, Generator
from agents.team.prompts import render
from agents.team.tag_checks import normalize
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
    own_tag: str = ""  # the debater's tag, when the passage is a card they cut
    own_marks: bool = False  # the marks are the debater's own (their card), not the cutter's


def draft_from_passage(
    passage: PassageRecord,
    source: SourceRecord,
    existing: CardRow | None,
    claim: str,
    cutter: MarkCutter,
    embedder: Embedder,
) -> Draft:
    """Body: an imported card's own body, or the passage's whole paragraphs. Marks: a
    debater's card keeps the underline and highlight they gave it (no cutter reads a card
    better than the debater who cut it); anything else is cut by the cutter."""
    if existing is not None and isinstance(existing.node, Card) and existing.node.body:
        old = existing.node
        cite = Cite(old.short_cite, old.full_cite, () if old.short_cite else ("author",))
        if old.marked(Mark.UNDERLINE) and old.marked(Mark.HIGHLIGHT):
            card = Card(claim, cite.short, cite.full, old.body, sorted(old.spans), [],
                        source.id, old.source_offset)  # fmt: skip
            return Draft(card, cite, passage.id, 0.0, claim, old.tag.strip(), own_marks=True)
        body, offset, own_tag = old.body, old.source_offset, old.tag.strip()
    else:
        body, offset, own_tag = passage.text, passage.start, ""
        cite = build_cite(source, passage.page)
    spans = sorted(cutter(claim, body, embedder))  # the order a Word file reads back in
    card = Card(claim, cite.short, cite.full, body, spans, [], source.id, offset)
    return Draft(card, cite, passage.id, 0.0, claim, own_tag)


def write_tag(
    generator: Generator, card: Card, cancel: CancelCheck, budget: int, attempt: int = 0
) -> Iterator[str]:
    """Stream a tag for the card from its read text (the evidence is data in the prompt: the
    model's output can only ever become the tag). A retry (`attempt` > 0) samples with some
    temperature and another seed, so it does not repeat the refused tag."""
    read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body
    read = " ".join(read.split()[:120])
    request = GenerationRequest(
        tag_prompt(generator, read),
        max_tokens=min(40, budget),
        temperature=0.0 if attempt == 0 else 0.7,
        stop=("\n",),
        seed=1234 + attempt,
    )
    yield from generator.stream(request, cancel)


def tidy_tag(text: str) -> str:
    """The model's text as a tag: one line, no wrapping quotes, ending as a sentence."""
    tag = re.sub(r"\s+", " ", text).strip().strip('"“”')
    return tag if not tag or tag.endswith((".", "!", "?")) else tag + "."


def fallback_tag(claim: str, card: Card, taken: Collection[str]) -> tuple[str, str]:
    """A tag when the model gave no usable one, and what it is: the debater's claim, or (when
    another card of the result already carries the claim) the card's first read sentence."""
    taken_keys = {normalize(t) for t in taken}
    if normalize(claim) not in taken_keys:
        return claim, "the claim"  # the debater's own words, as typed
    read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body
    sentence = " ".join(re.split(r"(?<=[.!?])\s", read.strip(), maxsplit=1)[0].split()[:25])
    return tidy_tag(sentence[:1].upper() + sentence[1:]), "the card's first read sentence"
