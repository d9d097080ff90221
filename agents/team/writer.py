"""The Writer: turns a chosen passage into a card. The body is the source's own text at its
stored offsets; only the tag comes from the model."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from agents.runtime.generation import GenerationRequest, Generator
from agents.team.prompts import render
from agents.team.tag_checks import normalize, tag_problem
from agents.team.tag_examples import ExampleBank, TagExample, default_bank, terms
from evidence.cancel import CancelCheck
from evidence.cards.card import Card, Mark, Span
from evidence.cards.cite import Cite, build_cite
from evidence.cards.store import CardRow
from evidence.index.embedding import Embedder
from evidence.index.records import PassageRecord, SourceRecord

MarkCutter = Callable[[str, str, Embedder], list[Span]]


# When the bank has no example near the card: two fixed ones.
FIXED_EXAMPLES = (
    TagExample(
        "sanctions rarely change the behaviour of the target regime and often entrench it",
        "Sanctions fail and entrench the regime.",
    ),
    TagExample(
        "UNCLOS imposes a duty upon states to conserve whales that is stronger than the "
        "whaling convention",
        "UNCLOS requires states to conserve whales.",
    ),
)
TAG_EXAMPLES = 4  # retrieved few-shot examples: more lengthen the prompt for little gain
READ_WORDS = 80  # of the card's read text, in the prompt and as the retrieval query
TAG_TOKENS = 40  # the length bound: debaters' tags average 13 words
# One declarative sentence: starts with a capital (or a digit or quote) and ends at its first
# full stop; "U.S." and "e.g." go on, and a decimal ("3.5 million", "$1.5M", "5.1%") whose
# one to three digits end at a space, sign or unit, but not "U.S.S.R." nor a chain of
# numbers (it looped "2.1.1.2.3.4…" and "U.S.S.R.A.S.C.T…" on cards). No question or
# exclamation, no line break, none of the marks tag_checks refuses as markup. Any
# GBNF-capable generator can apply it.
TAG_GRAMMAR = r"""
root ::= " "? first rest end
first ::= [A-Z0-9"“‘']
rest ::= ( [^.!?\n\r«»<>{}\[\]*#|\\`] | "." [A-Za-z] "." " " | decimal )+
decimal ::= "." [0-9] [0-9]? [0-9]? [ %,MmBbKkTt]
end ::= "." | "." [A-Za-z] "."
"""
# Repetition block: each token said already costs this much logit per use (OpenAI's
# frequency penalty), so a greedy small model does not loop ("Climate change climate …").
TAG_FREQUENCY_PENALTY = 0.5
# A generated tag whose content words the card mostly lacks was seen to be a few-shot
# example's tag copied ("No impact---it's inefficient…" on a proliferation card): written
# again once. Debaters' own tags are often more abstract; this applies to the model only.
GROUNDED = 0.4


def read_text(card: Card) -> str:
    """What the card reads aloud (highlight, else underline, else body), shortened."""
    read = card.text_of(Mark.HIGHLIGHT) or card.text_of(Mark.UNDERLINE) or card.body
    return " ".join(read.split()[:READ_WORDS])


def tag_prompt(
    generator: Generator, read: str, examples: Sequence[TagExample] = FIXED_EXAMPLES
) -> str:
    """Few-shot: the examples (most similar last, nearest the card) then the card."""
    shots = "".join(f"Evidence: {e.read}\nTag: {e.tag}\n\n" for e in reversed(examples))
    return render(generator, "tag", examples=shots, read=read)


def tag_examples(read: str, bank: ExampleBank | None = None) -> list[TagExample]:
    found = (bank or default_bank()).nearest(read, TAG_EXAMPLES)
    return found or list(FIXED_EXAMPLES)


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
    generator: Generator,
    card: Card,
    cancel: CancelCheck,
    budget: int,
    attempt: int = 0,
    bank: ExampleBank | None = None,
) -> Iterator[str]:
    """Stream a tag for the card from its read text (the evidence is data in the prompt: the
    model's output can only ever become the tag), few-shot on the debaters' tags of the most
    similar training cards, under the one-sentence grammar. A retry (`attempt` > 0) samples
    with some temperature and another seed, so it does not repeat the refused tag."""
    read = read_text(card)
    request = GenerationRequest(
        tag_prompt(generator, read, tag_examples(read, bank)),
        max_tokens=min(TAG_TOKENS, budget),
        temperature=0.0 if attempt == 0 else 0.7,
        stop=("\n",),
        grammar=TAG_GRAMMAR,
        seed=1234 + attempt,
        frequency_penalty=TAG_FREQUENCY_PENALTY,
    )
    yield from generator.stream(request, cancel)


def grounding(tag: str, card: Card) -> float:
    """The share of the tag's content words that the card's body holds."""
    words = set(terms(tag))
    return len(words & set(terms(card.body))) / len(words) if words else 0.0


def tag_refusal(tag: str, card: Card, others: Collection[str], last: bool) -> str:
    """Why the Writer does not keep its generated tag; "" when it does. A degenerate tag
    (tag_checks) never stays; one that says little of what the card says is written again
    once, and then kept (the claim, the fallback, says even less of the card)."""
    problem = tag_problem(tag, others)
    if not problem and not last and grounding(tag, card) < GROUNDED:
        return "it says little of what the card says"
    return problem


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
