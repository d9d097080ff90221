"""How outline nodes look in the tree, and which node may hold which (Verbatim's rules)."""

from __future__ import annotations

from PySide6.QtGui import QFont

from evidence.cards.card import Analytic, Card, Heading, Level, Node

LEVEL_NAMES = {Level.POCKET: "Pocket", Level.HAT: "Hat", Level.BLOCK: "Block"}


def node_label(node: Node) -> str:
    if isinstance(node, Heading):
        return node.title or f"(untitled {LEVEL_NAMES.get(node.level, 'heading')})"
    if isinstance(node, Analytic):
        return f"{node.tag or '(empty analytic)'}  (analytic)"
    short = node.short_cite.strip()
    return f"{node.tag or '(no tag)'}  [{short}]" if short else node.tag or "(no tag)"


def can_hold(parent: Node | None, node: Node) -> bool:
    """Whether `node` may be a child of `parent` (None: the top level)."""
    if parent is None:
        return True
    if not isinstance(parent, Heading):
        return False
    return not isinstance(node, Heading) or node.level > parent.level


def node_font(node: Node) -> QFont | None:
    if isinstance(node, Card):
        return None
    font = QFont()
    if isinstance(node, Analytic):
        font.setItalic(True)
        return font
    font.setBold(True)
    if node.level == Level.POCKET:
        font.setPointSizeF(font.pointSizeF() * 1.15)
    elif node.level == Level.BLOCK:
        font.setUnderline(True)
    return font
