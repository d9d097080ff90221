"""Where the cards, analytics and headings of a document are: ranges of blocks.

A range is (first, stop): the blocks from `first` up to, not including, `stop`; an invalid
`stop` means to the end. Walks go block by block from the cursor, so they cost the size of
the unit, not of the document.
"""

from __future__ import annotations

from PySide6.QtGui import QTextBlock, QTextCursor, QTextDocument

from desktop.documents import roles as r
from desktop.documents.rich_text import NodeWriter, read_blocks
from evidence.cards.card import Level, Node

BlockRange = tuple[QTextBlock, QTextBlock]


def subtree_stop(first: QTextBlock) -> QTextBlock:
    """The block after what `first` heads: a heading holds up to the next heading of its
    level or higher; a tag (card, analytic) or body text up to the next tag or heading."""
    role = r.role_of(first)
    limit = role if r.is_heading(role) else r.TAG
    block = first.next()
    while block.isValid():
        other = r.role_of(block)
        if other != r.BODY and other != r.CITE and other <= limit:
            return block
        block = block.next()
    return block


def card_range(block: QTextBlock) -> BlockRange | None:
    """The card or analytic holding `block` (body text under a heading counts as one);
    None on a heading."""
    if r.is_heading(r.role_of(block)):
        return None
    first = block
    while r.role_of(first) != r.TAG:
        before = first.previous()
        if not before.isValid() or r.is_heading(r.role_of(before)):
            break
        first = before
    return first, subtree_stop(first)


def heading_range(block: QTextBlock, level: Level) -> BlockRange | None:
    """The `level` heading at or above `block` with everything under it; None when a higher
    heading (or the start) comes first."""
    first = block
    while first.isValid():
        role = r.role_of(first)
        if role == int(level):
            return first, subtree_stop(first)
        if r.is_heading(role) and role < int(level):
            return None
        first = first.previous()
    return None


def unit_range(block: QTextBlock, kind: str) -> BlockRange | None:
    if kind == "block":
        found = heading_range(block, Level.BLOCK)
        if found is not None:
            return found
    return card_range(block)


def heading_path(block: QTextBlock) -> list[str]:
    """Titles of the Pocket, Hat and Block above `block` (itself included), top first."""
    path: list[str] = []
    below = int(Level.TAG)
    while block.isValid() and below > int(Level.POCKET):
        role = r.role_of(block)
        if r.is_heading(role) and role < below:
            path.append(r.block_text(block))
            below = role
        block = block.previous()
    return path[::-1]


def nodes_in(found: BlockRange) -> list[Node]:
    return read_blocks(found[0], found[1])


def range_positions(qdoc: QTextDocument, found: BlockRange) -> tuple[int, int]:
    """Character positions covering the range's blocks whole, for cutting them out: with its
    trailing paragraph separator, or (at the end of the document) the one before it."""
    first, stop = found
    start = first.position()
    if stop.isValid():
        return start, stop.position()
    end = qdoc.characterCount() - 1
    return (start - 1 if start > 0 else start), end


def remove_range(cursor: QTextCursor, found: BlockRange) -> None:
    start, end = range_positions(cursor.document(), found)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    cursor.removeSelectedText()
    if start == 0 and end == cursor.document().characterCount() - 1:
        cursor.setBlockFormat(r.block_format(r.BODY))


def insert_before(cursor: QTextCursor, before: QTextBlock, nodes: list[Node]) -> None:
    """Write `nodes` as blocks in front of `before` (an invalid block: at the end)."""
    qdoc = cursor.document()
    if qdoc.characterCount() <= 1 and r.role_of(qdoc.begin()) == r.BODY:
        cursor.setPosition(0)  # an empty document: its one empty paragraph is replaced
        NodeWriter(cursor, first_block=True).nodes(nodes)
        return
    if not before.isValid():
        cursor.movePosition(QTextCursor.MoveOperation.End)
        NodeWriter(cursor).nodes(nodes)
        return
    if before.position() > 0:
        cursor.setPosition(before.position() - 1)
        NodeWriter(cursor).nodes(nodes)
        return
    # In front of the first block: split an empty block off before it and fill that one.
    cursor.setPosition(0)
    cursor.insertBlock(before.blockFormat(), before.charFormat())
    cursor.setPosition(0)
    NodeWriter(cursor, first_block=True).nodes(nodes)
