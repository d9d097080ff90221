"""The send doc: a copy of a speech document without analytics, as debaters send it to the
other team (their own arguments stay private). Headings that held only analytics go too."""

from __future__ import annotations

from dataclasses import replace

from evidence.cards.card import Analytic, CardDocument, Heading, Node


def send_doc(doc: CardDocument) -> CardDocument:
    """A deep copy of `doc` without analytics; `doc` is not changed."""
    return CardDocument(
        nodes=_without_analytics(doc.nodes), title=doc.title, warnings=list(doc.warnings)
    )


def _without_analytics(nodes: list[Node]) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Analytic):
            continue
        if isinstance(node, Heading):
            children = _without_analytics(node.children)
            if node.children and not children:
                continue  # emptied by the removal; a heading empty before stays
            out.append(Heading(node.level, node.title, children))
        else:  # a card; its spans are frozen, so new lists copy it all (deepcopy is slow)
            out.append(replace(node, spans=list(node.spans), warnings=list(node.warnings)))
    return out
