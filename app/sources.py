"""Go to source: the library text a document's card was cut from.

A card in a document carries its library source and offset (a hidden bookmark in the .docx,
evidence/documents/provenance.py). The ids belong to the library that wrote them, so a file
from a teammate, or one saved before its source was removed, can point at another text or at
nothing: the body is checked against the source before the place is trusted."""

from __future__ import annotations

from dataclasses import dataclass

from app.context import AppContext
from evidence.cards.card import Card
from evidence.library import Library


class SourceNotFound(Exception):
    """The card's source cannot be shown; the message says why, for the user."""


@dataclass(frozen=True)
class SourcePlace:
    source_id: int
    title: str
    origin: str
    text: str  # the source's whole text
    start: int  # the card's body is text[start:end]
    end: int
    note: str = ""  # e.g. the body was found at another place than the card said


def card_source(ctx: AppContext, card: Card) -> SourcePlace:
    lib = ctx.open_library()
    try:
        return find_card_source(lib, card)
    finally:
        lib.close()


def find_card_source(lib: Library, card: Card) -> SourcePlace:
    """Where `card`'s body is in its library source. Raises SourceNotFound."""
    if card.source_id is None:
        raise SourceNotFound(
            "This card does not say where it came from: it was typed or pasted in, or comes "
            "from a file not made with Debate Prep."
        )
    record = lib.store.source(card.source_id)
    if record is None:
        raise SourceNotFound(
            f"This card's source (library id {card.source_id}) is not in your library: it was "
            "removed, or the document was made with another library."
        )
    text = lib.store.source_text(card.source_id)
    body = card.body
    start, note = _locate(text, body, card.source_offset)
    if start < 0:
        raise SourceNotFound(
            f"Your library's source {record.display_name!r} does not hold this card's text: the "
            "card was edited, or the document was made with another library."
        )
    return SourcePlace(
        card.source_id, record.display_name, record.origin, text, start, start + len(body), note
    )


def _locate(text: str, body: str, offset: int | None) -> tuple[int, str]:
    if not body:
        return -1, ""
    if offset is not None and text[offset : offset + len(body)] == body:
        return offset, ""
    found = text.find(body)
    if found >= 0:
        return found, "The card's text is at another place in its source than it said."
    return -1, ""
