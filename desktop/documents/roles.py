"""What each paragraph of a document is, and how each kind looks (Verbatim's styles).

A block's role lives in a block user property, so reading the document back never guesses
from fonts: Pocket/Hat/Block/Tag are Level 1-4, a cite paragraph is CITE, anything else is
body text (a card body, or an analytic's text). Sizes are relative (FontSizeAdjustment) to
the document's default font, 11 pt Calibri as in Verbatim, so read mode scales the whole
document by changing one font.
"""

from __future__ import annotations

import json
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QTextBlock, QTextBlockFormat, QTextCharFormat, QTextFormat

from desktop.editor import card_body
from desktop.editor import card_format as cf
from evidence.cards.card import Level

BODY = 0
CITE = 5
HEADINGS = (int(Level.POCKET), int(Level.HAT), int(Level.BLOCK))
TAG = int(Level.TAG)

_USER = int(QTextFormat.Property.UserProperty)
ROLE = _USER + 10  # block: BODY, CITE or a Level
PROVENANCE = _USER + 11  # tag block: "source_id:offset" ("" or either part empty when unknown)
WARNINGS = _USER + 12  # tag block: the card's warnings as a JSON list
CITE_MARK = _USER + 4  # char: part of the short cite (the Cite style)
SHRUNK = _USER + 5  # char: shrunk by Alt+F3 (looks only; never part of the card)
NEWLINES = _USER + 13  # block: its line separators stand for "\n" (a title, tag or cite)

BASE_POINTS = 11.0
FONT = "Calibri"
LINE_SEPARATOR = "\u2028"  # Qt's in-paragraph line break, for a "\n" inside a tag or cite

# Per level: FontSizeAdjustment (+1: 13.2 pt, +2: 16.5, +3: 22), underline, centred, top margin.
_HEADING_LOOK: dict[int, tuple[int, bool, bool, float]] = {
    int(Level.POCKET): (3, False, True, 18.0),
    int(Level.HAT): (3, True, True, 14.0),
    int(Level.BLOCK): (2, True, True, 12.0),
    int(Level.TAG): (1, False, False, 10.0),
}
POCKET_BOX = QColor("#d9d9d9")  # the Pocket's box as a grey band: Qt has no paragraph borders


def role_of(block: QTextBlock) -> int:
    value = block.blockFormat().property(ROLE)
    return int(value) if isinstance(value, int) else BODY


def is_heading(role: int) -> bool:
    return role in HEADINGS


@cache
def block_format(role: int) -> QTextBlockFormat:
    fmt = QTextBlockFormat()
    fmt.setProperty(ROLE, role)
    if role in _HEADING_LOOK:
        _adj, _under, centred, top = _HEADING_LOOK[role]
        fmt.setTopMargin(top)
        fmt.setBottomMargin(2.0)
        if centred:
            fmt.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        if role == int(Level.POCKET):
            fmt.setBackground(POCKET_BOX)
    else:
        fmt.setBottomMargin(6.0 if role == BODY else 2.0)
    return QTextBlockFormat(fmt)


def tag_block_format(provenance: str, warnings: list[str]) -> QTextBlockFormat:
    fmt = QTextBlockFormat(block_format(TAG))
    if provenance:
        fmt.setProperty(PROVENANCE, provenance)
    if warnings:
        fmt.setProperty(WARNINGS, json.dumps(warnings))
    return fmt


@cache
def heading_char_format(role: int) -> QTextCharFormat:
    adj, underline, _centred, _top = _HEADING_LOOK[role]
    fmt = QTextCharFormat(card_body.char_format(cf.NONE))
    fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontUnderline(underline)
    fmt.setProperty(QTextFormat.Property.FontSizeAdjustment, adj)
    if role == int(Level.POCKET):
        fmt.setForeground(QColor("#000000"))  # readable on the band in the dark theme too
    return QTextCharFormat(fmt)


@cache
def cite_char_format() -> QTextCharFormat:
    """The short cite: Verbatim's "Style 13 pt Bold"."""
    fmt = QTextCharFormat(card_body.char_format(cf.NONE))
    fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setProperty(QTextFormat.Property.FontSizeAdjustment, 1)
    fmt.setProperty(CITE_MARK, True)
    return QTextCharFormat(fmt)


_MARKS_FORMATS: dict[cf.Marks, QTextCharFormat] = {}


def body_char_format(marks: cf.Marks) -> QTextCharFormat:
    """A body character's look from its marks (cached, as all the formats here: a backfile
    has a handful of kinds; Qt copies a format it is given, and callers never change one)."""
    fmt = _MARKS_FORMATS.get(marks)
    if fmt is None:
        fmt = card_body.char_format(marks)
        fmt.setProperty(QTextFormat.Property.FontSizeAdjustment, 0)
        fmt.setProperty(CITE_MARK, False)
        fmt.setProperty(SHRUNK, False)
        _MARKS_FORMATS[marks] = fmt
    return fmt


def char_format_for(role: int) -> QTextCharFormat:
    """The look of plain text typed into a paragraph of this role."""
    if role in _HEADING_LOOK:
        return heading_char_format(role)
    return body_char_format(cf.NONE)


def marks_of(fmt: QTextCharFormat) -> cf.Marks:
    return card_body.marks_of(fmt)


def to_block_text(text: str) -> str:
    return text.replace("\n", LINE_SEPARATOR) if "\n" in text else text


def with_newlines(fmt: QTextBlockFormat, *texts: str) -> QTextBlockFormat:
    """`fmt`, marked when a "\n" in these texts is shown as a line separator (a text that
    holds U+2028 itself keeps it: only marked blocks map it back)."""
    if not any("\n" in t for t in texts):
        return fmt
    marked = QTextBlockFormat(fmt)
    marked.setProperty(NEWLINES, True)
    return marked


def block_text(block: QTextBlock, text: str | None = None) -> str:
    """The block's text (or `text` read from it), line separators as "\n" where they were."""
    text = block.text() if text is None else text
    if block.blockFormat().boolProperty(NEWLINES):
        return text.replace(LINE_SEPARATOR, "\n")
    return text


def provenance_text(source_id: int | None, offset: int | None) -> str:
    if source_id is None and offset is None:
        return ""
    return f"{'' if source_id is None else source_id}:{'' if offset is None else offset}"


def parse_provenance(block: QTextBlock) -> tuple[int | None, int | None]:
    value = block.blockFormat().property(PROVENANCE)
    if not isinstance(value, str) or ":" not in value:
        return None, None
    sid, _, off = value.partition(":")
    return (int(sid) if sid else None), (int(off) if off else None)


def block_warnings(block: QTextBlock) -> list[str]:
    value = block.blockFormat().property(WARNINGS)
    if not isinstance(value, str) or not value:
        return []
    loaded = json.loads(value)
    return [str(w) for w in loaded] if isinstance(loaded, list) else []
