"""Word counts and read time of a document and of each Pocket, Hat and Block in it.

`words` counts every word of the cards (tag, cites, body) and analytics (tag, text);
headings are not counted. `words_read` is what a debater reads aloud: a card's highlighted
words (a word counts once however much of it is highlighted), or its underlined words
when nothing is highlighted, or its whole body when it has neither; analytics are read
whole. Read time is words_read at the debater's words per minute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Mark, Node

DEFAULT_WPM = 276  # a measured median for policy debaters (issue 14)


@dataclass
class DocStats:
    title: str
    level: int  # 0 document, 1 pocket, 2 hat, 3 block
    cards: int = 0
    analytics: int = 0
    words: int = 0
    words_read: int = 0
    read_seconds: float = 0.0
    children: list[DocStats] = field(default_factory=list)


def document_stats(doc: CardDocument, wpm: int = DEFAULT_WPM) -> DocStats:
    return node_stats(doc.nodes, wpm, doc.title, 0)


def node_stats(nodes: list[Node], wpm: int, title: str = "", level: int = 0) -> DocStats:
    """Totals over `nodes`, with a child DocStats per heading among them (nested)."""
    out = DocStats(title, level)
    for node in nodes:
        if isinstance(node, Heading):
            child = node_stats(node.children, wpm, node.title, int(node.level))
            out.children.append(child)
            out.cards += child.cards
            out.analytics += child.analytics
            out.words += child.words
            out.words_read += child.words_read
        elif isinstance(node, Card):
            out.cards += 1
            out.words += _count(node.tag) + _count(node.short_cite) + _count(node.full_cite)
            out.words += _count(node.body)
            out.words_read += card_words_read(node)
        elif isinstance(node, Analytic):
            out.analytics += 1
            words = _count(node.tag) + _count(node.text)
            out.words += words
            out.words_read += words
    out.read_seconds = read_seconds(out.words_read, wpm)
    return out


def read_seconds(words_read: int, wpm: int) -> float:
    return words_read * 60.0 / max(1, wpm)


def card_words_read(card: Card) -> int:
    for mark in (Mark.HIGHLIGHT, Mark.UNDERLINE):
        spans = card.marked(mark)
        if spans:
            return marked_words(card.body, [(s.start, s.end) for s in spans])
    return _count(card.body)


def marked_words(text: str, ranges: list[tuple[int, int]]) -> int:
    """Words of `text` with at least one non-space character inside one of `ranges`: each
    range grows to the edges of the words it touches, then the grown ranges are merged (two
    ranges in one word count it once) and their words counted."""
    n = len(text)
    grown: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        start, end = max(0, start), min(n, end)
        if end <= start:
            continue
        while start > 0 and not text[start - 1].isspace() and not text[start].isspace():
            start -= 1
        while end < n and not text[end].isspace() and not text[end - 1].isspace():
            end += 1
        if grown and start < grown[-1][1]:
            grown[-1] = (grown[-1][0], max(grown[-1][1], end))
        else:
            grown.append((start, end))
    return sum(len(text[a:b].split()) for a, b in grown)


def format_seconds(seconds: float) -> str:
    """m:ss, as the status bar and the command line show a read time."""
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def _count(text: str) -> int:
    return len(text.split())  # runs of non-space characters, counted at C speed
