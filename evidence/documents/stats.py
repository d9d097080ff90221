"""Word counts and read time of a document and of each Pocket, Hat and Block in it.

`words` counts every word of the cards (tag, cites, body) and analytics (tag, text);
headings are not counted. `words_read` is what a debater reads aloud: a card's highlighted
words (a word counts once however much of it is highlighted), or its underlined words
when nothing is highlighted, or its whole body when it has neither; analytics are read
whole. Read time is words_read at the debater's words per minute.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Mark, Node

DEFAULT_WPM = 276  # a measured median for policy debaters (issue 14)
_WORD = re.compile(r"\S+")


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
    """Words of `text` with at least one non-space character inside one of `ranges`."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    starts = [s for s, _e in merged]
    count = 0
    for word in _WORD.finditer(text):
        # The last range starting before the word's end; it marks the word if it reaches in.
        i = bisect_right(starts, word.end() - 1) - 1
        if i >= 0 and merged[i][1] > word.start():
            count += 1
    return count


def format_seconds(seconds: float) -> str:
    """m:ss, as the status bar and the command line show a read time."""
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def _count(text: str) -> int:
    return len(_WORD.findall(text))
