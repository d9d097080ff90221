"""Cards in the library: how a Verbatim file is laid out as a source, and read back.

A Verbatim file's source text is its outline written out (headings, tags, cites, bodies);
each card or analytic is one passage of it, so lexical and vector search find cards like any
passage, and each card body sits verbatim in the source text at `body_offset`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Mark, Node, Span
from evidence.index.shared_cards import Place as Place  # a card's places, for search results
from evidence.index.shared_cards import card_digest
from evidence.index.shared_cards import places_for_passages as places_for_passages

OutlinePath = list[tuple[int, str]]
ExtraWriteFn = Callable[[sqlite3.Connection, int, list[int]], None]


@dataclass(frozen=True)
class Placement:
    """Where one card or analytic landed in the laid-out text."""

    node: Card | Analytic
    path: OutlinePath
    start: int  # the passage: from the tag to the end of the body
    end: int
    body_offset: int


@dataclass
class Layout:
    text: str
    placements: list[Placement]
    outline: list[Any]  # JSON skeleton; cards referenced by placement index until stored
    # Each placement's node_digest, computed once: the store's keys and the cards' column.
    digests: list[str] = field(default_factory=list)


# A card's vector text: its tag (whole: a debater's query reads like a tag), then the first
# CARD_VECTOR_WORDS content words of the words a debater reads and of the body after them,
# stop words left out. The read text alone can miss the card's subject (a topicality card
# read for "protection means cessation" is still about whaling), so the body's first words
# come too. Embedding cost follows tokens (decode is 96 % of the embedding phase), and a
# season of backfiles must reach vectors in half an hour (issue 16): bench/retrieval_eval.py,
# 1,000 training cards found from their tags (text without the tag / tokens / hybrid and
# vector recall@10): the whole card on the old F16 embedder 71.2 / 65.6; read text then body
# to 60 words (the last default) 102,556 tokens, 73.3 / 66.9; 40 content words 54,231, 71.0 /
# 63.9; the first 40 words with stop words kept 50,743, 70.4 / 62.5. The vector finds the
# card; it does not judge whether the card is evidence for a claim: the team's floors embed
# the card's own text (agents/team/searcher.py).
CARD_VECTOR_WORDS = 40
# Function words MiniLM spends tokens on and a tag query does not need in the card's vector.
_VECTOR_STOP = frozenset(
    "a an the of to in on at by for and or but is are was were be been it its this that these "
    "those with as from will would can could has have had do does did".split()
)


def embed_text(node: Card | Analytic) -> str:
    """What a card's vector should mean: its tag and the words a debater reads, first; then
    the start of the body, so the vector also says what the card is about."""
    if isinstance(node, Analytic):
        return f"{node.tag}\n{node.text}".strip()
    read = node.text_of(Mark.HIGHLIGHT) or node.text_of(Mark.UNDERLINE)
    words = _content_words(read, CARD_VECTOR_WORDS)
    if len(words) < CARD_VECTOR_WORDS:
        words += _content_words(node.body, CARD_VECTOR_WORDS - len(words))
    return f"{node.tag}\n{' '.join(words)}".strip()


def _content_words(text: str, n: int) -> list[str]:
    """The first `n` words of `text` that are not stop words. Splits only as far as needed:
    a backfile's 3,000 bodies are 900k words, and this is on the way to keyword search."""
    out: list[str] = []
    reach = 3 * n
    while reach > 0:
        parts = text.split(None, reach)
        for word in parts[:reach]:
            if word.lower() not in _VECTOR_STOP:
                out.append(word)
                if len(out) == n:
                    return out
        if len(parts) <= reach:
            return out
        text = parts[reach]  # the rest, not split yet
    return out


def layout(doc: CardDocument) -> Layout:
    parts: list[str] = []
    pos = 0
    placements: list[Placement] = []

    def put(chunk: str) -> int:
        nonlocal pos
        start = pos
        parts.append(chunk)
        pos += len(chunk)
        return start

    def visit(nodes: list[Node], path: OutlinePath) -> list[Any]:
        skeleton: list[Any] = []
        for node in nodes:
            if isinstance(node, Heading):
                put(node.title + "\n\n")
                sub = visit(node.children, [*path, (int(node.level), node.title)])
                skeleton.append({"level": int(node.level), "title": node.title, "children": sub})
                continue
            start = put(node.tag + "\n")
            if isinstance(node, Card):
                put(f"{node.short_cite} {node.full_cite}".strip() + "\n")
                body_at = put(node.body)
            else:
                body_at = put(node.text)
            placements.append(Placement(node, path, start, pos, body_at))
            put("\n\n")
            skeleton.append({"item": len(placements) - 1})
        return skeleton

    outline = visit(doc.nodes, [])
    return Layout("".join(parts), placements, outline, [node_digest(p.node) for p in placements])


def node_digest(node: Card | Analytic) -> str:
    """The card's identity across files (evidence/index/shared_cards.py)."""
    if isinstance(node, Analytic):
        return card_digest("analytic", node.tag, "", "", node.text, [])
    spans = [(s.start, s.end, str(s.mark)) for s in node.spans]
    return card_digest("card", node.tag, node.short_cite, node.full_cite, node.body, spans)


def write_cards(
    conn: sqlite3.Connection, source_id: int, passage_ids: Sequence[int], plan: Layout
) -> list[tuple[int, Card]]:
    """Insert the cards of `plan` (placement i is passage i) with their places, and the
    source's outline. A card already stored (its passage is a stored card's, keyed by the
    same digest: Store.add_source) only gains a place here. Returns the cards inserted, with
    their ids, for their highlight count (NULL until then: evidence/cards/flagged.py)."""
    card_ids: list[int] = []
    inserted: list[tuple[int, Card]] = []
    for i, (pl, pid) in enumerate(zip(plan.placements, passage_ids, strict=True)):
        node = pl.node
        is_card = isinstance(node, Card)
        digest = plan.digests[i]
        path = json.dumps(pl.path)
        held = conn.execute(
            "SELECT id FROM cards WHERE passage_id = ? AND digest = ?", (pid, digest)
        ).fetchone()
        if held is not None:
            card_ids.append(int(held[0]))
        else:
            cur = conn.execute(
                "INSERT INTO cards (source_id, passage_id, ordinal, kind, outline_path, tag, "
                "short_cite, full_cite, body, spans, warnings, body_offset, digest, "
                "highlight_findings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    source_id, pid, i, "card" if is_card else "analytic", path,
                    node.tag,
                    node.short_cite if isinstance(node, Card) else "",
                    node.full_cite if isinstance(node, Card) else "",
                    node.body if isinstance(node, Card) else node.text,
                    json.dumps([[s.start, s.end, str(s.mark), s.color] for s in node.spans])
                    if isinstance(node, Card) else "[]",
                    json.dumps(node.warnings) if isinstance(node, Card) else "[]",
                    pl.body_offset, digest, None,
                ),
            )  # fmt: skip
            card_ids.append(int(cur.lastrowid or 0))
            if isinstance(node, Card):
                inserted.append((card_ids[-1], node))
        conn.execute(
            "INSERT INTO card_places (card_id, source_id, ordinal, outline_path, start, end, "
            "body_offset) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (card_ids[-1], source_id, i, path, pl.start, pl.end, pl.body_offset),
        )

    def resolve(items: list[Any]) -> list[Any]:
        out: list[Any] = []
        for it in items:
            if "item" in it:
                out.append({"card": card_ids[it["item"]]})
            else:
                out.append({**it, "children": resolve(it["children"])})
        return out

    conn.execute(
        "UPDATE sources SET outline = ? WHERE id = ?",
        (json.dumps(resolve(plan.outline)), source_id),
    )
    return inserted


@dataclass(frozen=True)
class CardRow:
    id: int
    source_id: int
    passage_id: int | None
    path: OutlinePath
    node: Card | Analytic


_COLUMNS = (
    "id, source_id, passage_id, kind, outline_path, tag, short_cite, full_cite, body, spans, "
    "warnings, body_offset"
)
_PREFIXED = ", ".join(f"c.{c.strip()}" for c in _COLUMNS.split(","))


def _row(r: Sequence[Any]) -> CardRow:
    node: Card | Analytic
    if r[3] == "card":
        spans = [Span(s, e, Mark(m), c) for s, e, m, c in json.loads(r[9])]
        node = Card(r[5], r[6], r[7], r[8], spans, json.loads(r[10]), r[1], r[11])
    else:
        node = Analytic(r[5], r[8])
    path = [(int(level), str(title)) for level, title in json.loads(r[4])]
    return CardRow(r[0], r[1], r[2], path, node)


def load_cards(conn: sqlite3.Connection, source_ids: Iterable[int] | None = None) -> list[CardRow]:
    """Every card once. With `source_ids`: the cards those sources hold, those another
    file owns included (with their path in the first of these sources that holds them)."""
    if source_ids is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM cards ORDER BY source_id, ordinal")
        return [_row(r) for r in rows]
    args = list(source_ids)
    if not args:
        return []
    marks = ",".join("?" * len(args))
    owned = conn.execute(
        f"SELECT {_COLUMNS}, source_id, ordinal FROM cards WHERE source_id IN ({marks})", args
    ).fetchall()
    placed = conn.execute(
        f"SELECT {_PREFIXED.replace('c.outline_path', 'pl.outline_path')}, pl.source_id, "
        "pl.ordinal FROM card_places pl JOIN cards c ON c.id = pl.card_id "
        f"WHERE pl.source_id IN ({marks}) AND c.source_id != pl.source_id",
        args,
    ).fetchall()
    order = {sid: n for n, sid in enumerate(args)}
    seen: set[int] = set()
    out: list[CardRow] = []
    for r in sorted([*owned, *placed], key=lambda r: (order.get(r[-2], 0), r[-2], r[-1])):
        if r[0] not in seen:
            seen.add(r[0])
            out.append(_row(r[:-2]))
    return out


def load_cards_by_id(conn: sqlite3.Connection, ids: Sequence[int]) -> list[CardRow]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT {_COLUMNS} FROM cards WHERE id IN ({marks})", list(ids))
    by_id = {r[0]: _row(r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def load_outline(conn: sqlite3.Connection, source_id: int) -> CardDocument:
    """A Verbatim source's whole outline, headings included, as it was imported (cards it
    shares with other files included)."""
    row = conn.execute("SELECT outline, title FROM sources WHERE id = ?", (source_id,)).fetchone()
    if row is None or row[0] is None:
        return CardDocument()
    outline = json.loads(row[0])
    wanted: list[int] = []

    def collect(items: list[Any]) -> None:
        for it in items:
            if "card" in it:
                wanted.append(it["card"])
            else:
                collect(it["children"])

    collect(outline)
    cards = {c.id: c.node for c in load_cards_by_id(conn, list(dict.fromkeys(wanted)))}

    def build(items: list[Any]) -> list[Node]:
        out: list[Node] = []
        for it in items:
            if "card" in it:
                if it["card"] in cards:
                    out.append(cards[it["card"]])
            else:
                out.append(Heading(Level(it["level"]), it["title"], build(it["children"])))
        return out

    return CardDocument(build(outline), title=row[1] or "")


def outline_of(rows: Iterable[CardRow], title: str = "") -> CardDocument:
    """Selected cards under their outline headings (shared headings merged), in order."""
    doc = CardDocument(title=title)
    for row in rows:
        level_nodes = doc.nodes
        for level, heading in row.path:
            last = level_nodes[-1] if level_nodes else None
            if not (isinstance(last, Heading) and last.level == level and last.title == heading):
                last = Heading(Level(level), heading)
                level_nodes.append(last)
            level_nodes = last.children
        level_nodes.append(row.node)
    return doc


def analytic_passage_ids(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> set[int]:
    """Those passages that are analytics: a debater's own words, never evidence to cut."""
    if not passage_ids:
        return set()
    marks = ",".join("?" * len(passage_ids))
    rows = conn.execute(
        f"SELECT passage_id FROM cards WHERE kind = 'analytic' AND passage_id IN ({marks})",
        list(passage_ids),
    )
    return {r[0] for r in rows}


def load_cards_for_passages(conn: sqlite3.Connection, passage_ids: Sequence[int]) -> list[CardRow]:
    """The imported cards (and analytics) that these passages are, e.g. a search's hits."""
    if not passage_ids:
        return []
    marks = ",".join("?" * len(passage_ids))
    sql = f"SELECT {_COLUMNS} FROM cards WHERE passage_id IN ({marks})"
    return [_row(r) for r in conn.execute(sql, list(passage_ids))]
