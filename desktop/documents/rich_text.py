"""CardDocument ⇄ QTextDocument, exactly: what `build_text_document` writes,
`read_text_document` reads back as the same document (spans in their canonical spelling,
`canonical_document`: the same marked characters).

One paragraph per QTextBlock, its role in a block property (desktop/documents/roles.py):
Pocket/Hat/Block/Tag headings, the cite paragraph (the short cite in the Cite style), and the
body paragraphs, whose characters carry the card's marks as in the card editor. A card's
provenance and warnings ride on its tag block; the document's warnings on the QTextDocument.
The document is built with one QTextCursor inside one edit block, undo off (measured against
generated HTML in bench/document_bench.py).
"""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtGui import (
    QFont,
    QTextBlock,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

from desktop.documents import roles as r
from desktop.documents.body_runs import Run, paragraph_runs, spans_of_runs
from desktop.documents.read_cache import ReadCache
from desktop.editor import card_format as cf
from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Node, nest

_WARNINGS_PROPERTY = "debate_prep_warnings"


def new_text_document() -> QTextDocument:
    qdoc = QTextDocument()
    font = QFont(r.FONT)
    font.setPointSizeF(r.BASE_POINTS)
    qdoc.setDefaultFont(font)
    qdoc.setDocumentMargin(24.0)
    return qdoc


def build_text_document(doc: CardDocument) -> QTextDocument:
    qdoc = new_text_document()
    qdoc.setUndoRedoEnabled(False)
    qdoc.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, doc.title)
    qdoc.setProperty(_WARNINGS_PROPERTY, json.dumps(doc.warnings))
    cursor = QTextCursor(qdoc)
    cursor.beginEditBlock()
    writer = NodeWriter(cursor, first_block=True)
    writer.nodes(doc.nodes)
    if writer.first_block:  # an empty document: one body paragraph to type in
        cursor.setBlockFormat(r.block_format(r.BODY))
    cursor.endEditBlock()
    qdoc.setUndoRedoEnabled(True)
    qdoc.setModified(False)
    return qdoc


def read_text_document(
    qdoc: QTextDocument, title: str = "", cache: ReadCache | None = None
) -> CardDocument:
    """The document's CardDocument; with `cache` (the editor's), unchanged cards are not
    read again."""
    meta_title = qdoc.metaInformation(QTextDocument.MetaInformation.DocumentTitle)
    warnings = qdoc.property(_WARNINGS_PROPERTY)
    nodes = read_blocks(qdoc.begin(), QTextBlock(), cache)
    return CardDocument(
        nodes=nodes,
        title=title or meta_title,
        warnings=json.loads(warnings) if isinstance(warnings, str) and warnings else [],
    )


def canonical_document(doc: CardDocument) -> CardDocument:
    """`doc` with every card's spans in the one spelling the editor gives back."""
    return replace(doc, nodes=[_canonical(n) for n in doc.nodes], warnings=list(doc.warnings))


def _canonical(node: Node) -> Node:
    if isinstance(node, Heading):
        return replace(node, children=[_canonical(c) for c in node.children])
    if isinstance(node, Card):
        return replace(node, spans=cf.canonical(node.body, node.spans))
    return replace(node)


class NodeWriter:
    """Writes nodes as blocks at a cursor: the first one into the cursor's (empty) block
    when `first_block`, every other one as a new block after it."""

    def __init__(self, cursor: QTextCursor, *, first_block: bool = False) -> None:
        self.cursor = cursor
        self.first_block = first_block

    def nodes(self, nodes: list[Node]) -> None:
        for node in nodes:
            if isinstance(node, Heading):
                role = int(node.level)
                self._paragraph(
                    r.with_newlines(r.block_format(role), node.title),
                    r.heading_char_format(role),
                    [(r.to_block_text(node.title), r.heading_char_format(role))],
                )
                self.nodes(node.children)
            elif isinstance(node, Card):
                self.card(node)
            else:
                self.analytic(node)

    def card(self, card: Card) -> None:
        tag_char = r.heading_char_format(r.TAG)
        self._paragraph(
            r.with_newlines(
                r.tag_block_format(
                    r.provenance_text(card.source_id, card.source_offset), card.warnings
                ),
                card.tag,
            ),
            tag_char,
            [(r.to_block_text(card.tag), tag_char)],
        )
        plain = r.body_char_format(cf.NONE)
        self._paragraph(
            r.with_newlines(r.block_format(r.CITE), card.short_cite, card.full_cite),
            plain,
            _cite_runs(card.short_cite, card.full_cite),
        )
        # paragraph_runs shares one Marks per kind within a card, so formats are looked up
        # by identity here (hashing a Marks per run was a fifth of a big file's build).
        formats: dict[int, QTextCharFormat] = {}
        body = r.block_format(r.BODY)
        for para in paragraph_runs(card.body, card.spans):
            runs: list[tuple[str, QTextCharFormat]] = []
            for text, marks in para:
                fmt = formats.get(id(marks))
                if fmt is None:
                    fmt = formats[id(marks)] = r.body_char_format(marks)
                runs.append((text, fmt))
            self._paragraph(body, plain, runs)

    def analytic(self, node: Analytic) -> None:
        tag_char = r.heading_char_format(r.TAG)
        self._paragraph(
            r.with_newlines(r.block_format(r.TAG), node.tag),
            tag_char,
            [(r.to_block_text(node.tag), tag_char)],
        )
        if node.text:
            plain = r.body_char_format(cf.NONE)
            for line in node.text.split("\n"):
                self._paragraph(r.block_format(r.BODY), plain, [(line, plain)])

    def _paragraph(
        self,
        block_fmt: QTextBlockFormat,
        char_fmt: QTextCharFormat,
        runs: list[tuple[str, QTextCharFormat]],
    ) -> None:
        cursor = self.cursor
        if self.first_block:
            cursor.setBlockFormat(block_fmt)
            cursor.setBlockCharFormat(char_fmt)
            self.first_block = False
        else:
            cursor.insertBlock(block_fmt, char_fmt)
        for text, fmt in runs:
            if text:
                cursor.insertText(text, fmt)


def _cite_runs(short: str, full: str) -> list[tuple[str, QTextCharFormat]]:
    """The cite paragraph as the writer lays it out: the short cite styled in place when the
    full cite holds it (after its start), else the short cite, a space and the full cite."""
    plain = r.body_char_format(cf.NONE)
    cite = r.cite_char_format()
    at = full.find(short) if short else -1
    if at > 0:
        end = at + len(short)
        return [
            (r.to_block_text(full[:at]), plain),
            (r.to_block_text(short), cite),
            (r.to_block_text(full[end:]), plain),
        ]
    if not short:
        return [(r.to_block_text(full), plain)]
    return [(r.to_block_text(short), cite), (r.to_block_text(" " + full if full else ""), plain)]


def read_blocks(first: QTextBlock, stop: QTextBlock, cache: ReadCache | None = None) -> list[Node]:
    """The nodes of the blocks from `first` up to (not including) `stop` (an invalid block:
    to the end), nested by heading level as the .docx reader nests them."""
    flat: list[Node] = []
    block = first
    stop_number = stop.blockNumber() if stop.isValid() else -1
    if stop_number >= 0:
        cache = None  # a cached card may run past `stop`
    while block.isValid() and block.blockNumber() != stop_number:
        role = r.role_of(block)
        if r.is_heading(role):
            flat.append(Heading(Level(role), r.block_text(block)))
            block = block.next()
        elif role == r.TAG and cache is not None:
            block = _read_tagged_cached(block, flat, cache)
        elif role == r.TAG:
            block = _read_tagged(block, stop_number, flat)
        else:  # body text with no tag above it: an analytic with no tag keeps it
            paras, block = _body_blocks(block, stop_number)
            flat.append(Analytic("", "\n".join("".join(t for t, _ in p) for p in paras)))
    return nest(flat)


def _read_tagged_cached(tag: QTextBlock, flat: list[Node], cache: ReadCache) -> QTextBlock:
    found = cache.get(tag)
    if found is not None:
        node, count = found
        after = tag
        for _ in range(count):
            after = after.next()
        if not after.isValid() or r.role_of(after) not in (r.BODY, r.CITE):  # still whole
            flat.append(node)
            return after
    after = _read_tagged(tag, -1, flat)
    count = after.blockNumber() if after.isValid() else tag.document().blockCount()
    read = flat[-1]
    assert isinstance(read, Card | Analytic)
    cache.put(tag, read, count - tag.blockNumber())
    found = cache.get(tag)
    assert found is not None
    flat[-1] = found[0]  # the caller owns a copy; the cache keeps its own
    return after


def _read_tagged(tag: QTextBlock, stop_number: int, flat: list[Node]) -> QTextBlock:
    block = tag.next()
    tag_text = r.block_text(tag)
    if block.isValid() and block.blockNumber() != stop_number and r.role_of(block) == r.CITE:
        short, full = _read_cite(block)
        paras, after = _body_blocks(block.next(), stop_number)
        body, spans = spans_of_runs(paras) if paras else ("", [])
        source_id, offset = r.parse_provenance(tag)
        flat.append(
            Card(tag_text, short, full, body, spans, r.block_warnings(tag), source_id, offset)
        )
        return after
    paras, after = _body_blocks(block, stop_number)
    flat.append(Analytic(tag_text, "\n".join("".join(t for t, _ in p) for p in paras)))
    return after


def _body_blocks(block: QTextBlock, stop_number: int) -> tuple[list[list[Run]], QTextBlock]:
    """The body paragraphs from `block` on (a cite paragraph out of place reads as body)."""
    paras: list[list[Run]] = []
    marks_at: dict[int, cf.Marks] = {}  # per format index: a document has few formats
    while block.isValid() and block.blockNumber() != stop_number:
        role = r.role_of(block)
        if role != r.BODY and not (role == r.CITE and paras):
            break
        para: list[Run] = []
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            index = frag.charFormatIndex()
            marks = marks_at.get(index)
            if marks is None:
                marks = marks_at[index] = r.marks_of(frag.charFormat())
            para.append((frag.text(), marks))
            it += 1
        paras.append(para)
        block = block.next()
    return paras, block


def _read_cite(block: QTextBlock) -> tuple[str, str]:
    """(short cite, full cite) of a cite paragraph: the inverse of `_cite_runs`."""
    text_parts: list[str] = []
    start = end = -1
    pos = 0
    it = block.begin()
    while not it.atEnd():
        frag = it.fragment()
        text = frag.text()
        if frag.charFormat().boolProperty(r.CITE_MARK):
            if start < 0:
                start = pos
            end = pos + len(text)
        text_parts.append(text)
        pos += len(text)
        it += 1
    text = r.block_text(block, "".join(text_parts))
    if start < 0:
        return "", text
    short = text[start:end]
    if start > 0:
        return short, text
    rest = text[end:]
    return short, rest[1:] if rest.startswith(" ") else rest
