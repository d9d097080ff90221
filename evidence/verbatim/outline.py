"""Paragraph roles: headings, tags, cites and bodies, in document order.

Every heading (Pocket, Hat, Block, Tag) opens a group that runs to the next heading of any
level. A Tag's group is a card when it starts with a cite (see cites.py), else an analytic:
the tag with the group's text. Empty paragraphs are dropped everywhere, inside a body too:
they carry no words, and a body's paragraphs are joined with exactly one "\\n".

Text that no tag owns (under a Pocket/Hat/Block, or under an empty tag) becomes a card with
an empty tag when it has a cite, else an analytic with an empty tag, so nothing the debater
wrote is lost. Text before the first heading (a title page, a table of contents) is not
imported; the document's warnings count it.
"""

from __future__ import annotations

from evidence.cards.card import Analytic, Card, Heading, Level, Node
from evidence.documents.provenance import find_provenance
from evidence.verbatim.blocks import Para
from evidence.verbatim.body import build_body
from evidence.verbatim.cites import BY_POSITION, find_cite, split_cite

NO_TAG = "the card has no tag"
NO_BODY = "the card has no body text"


def outline(paras: list[Para]) -> tuple[list[Node], list[str]]:
    """Flat nodes in document order (Headings still childless) and document warnings."""
    nodes: list[Node] = []
    warnings: list[str] = []
    first = next((i for i, p in enumerate(paras) if p.level), len(paras))
    _preface(paras[:first], nodes, warnings)
    i = first
    while i < len(paras):
        head = paras[i]
        end = i + 1
        while end < len(paras) and not paras[end].level:
            end += 1
        title = " ".join(head.words.split())
        if head.level < Level.TAG and title:
            nodes.append(Heading(Level(head.level), title))
        tag = title if head.level == Level.TAG else ""
        node = _group(tag, paras[i + 1 : end])
        if isinstance(node, Card) and head.level == Level.TAG and head.bookmarks:
            found = find_provenance(head.bookmarks)
            if found is not None:
                node.source_id, node.source_offset = found
        if node is not None:
            nodes.append(node)
        i = end
    return nodes, warnings


def has_tagged_cite(paras: list[Para]) -> bool:
    """A non-empty Tag followed by a cite by VERBATIM.md's rule (no position fallback)."""
    for i, head in enumerate(paras):
        if head.level != Level.TAG or not head.words.strip():
            continue
        group: list[Para] = []
        for p in paras[i + 1 :]:
            if p.level:
                break
            if p.text.strip():
                group.append(p)
                if len(group) == 2:
                    break
        if find_cite(group, by_position=False)[0]:
            return True
    return False


def _preface(paras: list[Para], nodes: list[Node], warnings: list[str]) -> None:
    node = _group("", paras)
    if isinstance(node, Card):
        nodes.append(node)
    elif node is not None:
        count = sum(1 for p in paras if p.text.strip())
        warnings.append(f"{count} paragraph(s) before the first heading were not imported")


def _group(tag: str, paras: list[Para]) -> Card | Analytic | None:
    filled = [p for p in paras if p.text.strip()]
    count, by_position = find_cite(filled)
    if not count:
        if not filled:
            return Analytic(tag) if tag else None
        return Analytic(tag, "\n".join(p.text.strip() for p in filled))
    short, full = split_cite(filled[:count])
    body, spans, warnings = build_body(filled[count:])
    if by_position:
        warnings.insert(0, BY_POSITION)
    if not tag:
        warnings.insert(0, NO_TAG)
    if not body.strip():
        warnings.append(NO_BODY)
    return Card(tag, short, full, body, spans, warnings)
