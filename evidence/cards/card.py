"""Cards and the debate outline, as the Verbatim format defines them (shared/VERBATIM.md).

A card body is one verbatim string; underline, emphasis and highlight are character ranges
over it, so marking can never change the words. Body paragraphs are joined with "\\n".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Level(IntEnum):
    """Verbatim's outline levels; each is Word's Heading N with outline level N."""

    POCKET = 1
    HAT = 2
    BLOCK = 3
    TAG = 4


class Mark(StrEnum):
    UNDERLINE = "underline"
    EMPHASIS = "emphasis"
    HIGHLIGHT = "highlight"


@dataclass(frozen=True, order=True)
class Span:
    """A marked range of a card body: [start, end) in characters. `color` is the Word
    highlight colour name (w:highlight, e.g. "yellow", "cyan") for highlights, else ""."""

    start: int
    end: int
    mark: Mark
    color: str = ""


@dataclass
class Card:
    tag: str
    short_cite: str  # "Matanich 96": the part in the Cite style
    full_cite: str  # the rest of the cite paragraph(s), qualifications, date, title, URL
    body: str  # verbatim source text; paragraphs joined by "\n"
    spans: list[Span] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. "[Table omitted]" markers kept
    # Where the body came from, when known: the library source and the offset of the body in
    # its text (cards cut by the agents always have both; imported cards may not).
    source_id: int | None = None
    source_offset: int | None = None

    def marked(self, mark: Mark) -> list[Span]:
        return [s for s in self.spans if s.mark == mark]

    def text_of(self, mark: Mark) -> str:
        """The marked words in order, e.g. what is read aloud for HIGHLIGHT."""
        return " ".join(self.body[s.start : s.end] for s in sorted(self.marked(mark)))


@dataclass
class Analytic:
    """A tag-level line with no cite: the debater's own argument, with optional text."""

    tag: str
    text: str = ""


@dataclass
class Heading:
    """A Pocket, Hat or Block; what follows it (up to the next heading of the same or a
    higher level) is its children."""

    level: Level
    title: str
    children: list[Node] = field(default_factory=list)


Node = Heading | Card | Analytic


@dataclass
class CardDocument:
    """One Word file's worth of outline: top-level nodes in document order."""

    nodes: list[Node] = field(default_factory=list)
    title: str = ""
    warnings: list[str] = field(default_factory=list)

    def cards(self) -> list[Card]:
        return [n for n in walk(self.nodes) if isinstance(n, Card)]


def walk(nodes: list[Node]) -> list[Node]:
    """Every node, depth first, in document order."""
    out: list[Node] = []
    for node in nodes:
        out.append(node)
        if isinstance(node, Heading):
            out.extend(walk(node.children))
    return out


def nest(flat: list[Node]) -> list[Node]:
    """Headings hold what follows them up to the next heading of the same or a higher
    level; a missing level is fine (a Block straight under a Pocket, or at the top)."""
    top: list[Node] = []
    stack: list[Heading] = []
    for node in flat:
        if isinstance(node, Heading):
            while stack and stack[-1].level >= node.level:
                stack.pop()
            (stack[-1].children if stack else top).append(node)
            stack.append(node)
        else:
            (stack[-1].children if stack else top).append(node)
    return top
