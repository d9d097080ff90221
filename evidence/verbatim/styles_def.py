"""Verbatim's styles, written from the format facts in shared/VERBATIM.md.

Verbatim's own template is GPL-3, so nothing here is copied from it: each style is built from
the documented look. Readers match on style IDs and outline levels, so those are exact; the
spacing and border widths are our own choices. Highlight is not a style but a run property
with a fixed set of colour names, kept here with the rest of the format's vocabulary.
"""

from __future__ import annotations

import re
from typing import Any

from docx.document import Document
from docx.oxml.ns import qn
from lxml import etree

from evidence.cards.card import Level

HEADING_STYLE_IDS: dict[Level, str] = {level: f"Heading{int(level)}" for level in Level}
CITE_STYLE_ID = "Style13ptBold"
UNDERLINE_STYLE_ID = "StyleUnderline"
EMPHASIS_STYLE_ID = "Emphasis"
FONT = "Calibri"
BODY_HALF_POINTS = 22  # 11pt

# The only values Word accepts in w:highlight (ST_HighlightColor, less "none").
WORD_HIGHLIGHTS = (
    "yellow", "green", "cyan", "magenta", "blue", "red", "darkBlue", "darkCyan", "darkGreen",
    "darkMagenta", "darkRed", "darkYellow", "darkGray", "lightGray", "black",
)  # fmt: skip
DEFAULT_HIGHLIGHT = "yellow"
# Word's menu names for the same colours, as users and other programs spell them.
_HIGHLIGHT_ALIASES = {
    "turquoise": "cyan", "brightgreen": "green", "pink": "magenta", "teal": "darkCyan",
    "violet": "darkMagenta", "gray25": "lightGray", "lightgrey": "lightGray",
    "gray50": "darkGray", "darkgrey": "darkGray",
}  # fmt: skip
_HIGHLIGHT_LOOKUP = {c.lower(): c for c in WORD_HIGHLIGHTS} | _HIGHLIGHT_ALIASES


def resolve_highlight(color: str) -> tuple[str, bool]:
    """The w:highlight value for `color`, and whether it was understood (else yellow)."""
    if not color:
        return DEFAULT_HIGHLIGHT, True  # a highlight with no colour recorded
    key = re.sub(r"[\s_%-]", "", color).lower()
    value = _HIGHLIGHT_LOOKUP.get(key)
    return (value, True) if value else (DEFAULT_HIGHLIGHT, False)


def half_points(pt: float) -> int:
    """Word sizes (w:sz) are integer half-points; Shrink uses this for its small size."""
    return max(2, round(pt * 2))


def size_elements(parent: Any, pt: float) -> None:
    """Append w:sz and w:szCs (complex scripts too, so Arabic/Hebrew quotes shrink alike)."""
    value = str(half_points(pt))
    etree.SubElement(parent, qn("w:sz")).set(qn("w:val"), value)
    etree.SubElement(parent, qn("w:szCs")).set(qn("w:val"), value)


def apply_verbatim_styles(document: Document) -> None:
    """Give `document` Verbatim's style IDs and looks, replacing any same-ID styles."""
    styles = document.styles.element
    _set_doc_defaults(styles)
    # python-docx's template links "Heading N Char" styles with its own blue look; ours are
    # paragraph-only styles, so the stale linked styles go.
    for n in range(1, 5):
        _remove_style(styles, f"Heading{n}Char")

    normal = _new_style(styles, "paragraph", "Normal", "Normal", default=True)
    _body_font(_child(normal, "w:rPr"))

    for level, style_id in HEADING_STYLE_IDS.items():
        _heading(styles, level, style_id)

    cite = _new_style(styles, "character", CITE_STYLE_ID, "Style 13 pt Bold", aliases="Cite")
    rpr = _child(cite, "w:rPr")
    _on(rpr, "w:b", "w:bCs")
    size_elements(rpr, 13)
    _val(rpr, "w:u", "none")

    underline = _new_style(
        styles, "character", UNDERLINE_STYLE_ID, "Style Underline", aliases="Underline"
    )
    rpr = _child(underline, "w:rPr")
    _val(rpr, "w:b", "0")
    _val(rpr, "w:bCs", "0")
    size_elements(rpr, 11)
    _val(rpr, "w:u", "single")

    # Word's built-in Emphasis is italic; Verbatim redefines it as bold, underlined and boxed.
    emphasis = _new_style(styles, "character", EMPHASIS_STYLE_ID, "Emphasis", custom=False)
    rpr = _child(emphasis, "w:rPr")
    _on(rpr, "w:b", "w:bCs")
    _val(rpr, "w:i", "0")
    _val(rpr, "w:iCs", "0")
    size_elements(rpr, 11)
    _val(rpr, "w:u", "single")
    _border(rpr, "w:bdr", size=8, space=0)


# Per level: size in points, centred, page break before, underline type, boxed.
_HEADING_LOOKS: dict[Level, tuple[float, bool, bool, str | None, bool]] = {
    Level.POCKET: (26, True, True, None, True),
    Level.HAT: (22, True, True, "double", False),
    Level.BLOCK: (16, True, True, "single", False),
    Level.TAG: (13, False, False, None, False),
}
_HEADING_ALIASES = {
    Level.POCKET: "Pocket",
    Level.HAT: "Hat",
    Level.BLOCK: "Block",
    Level.TAG: "Tag",
}


def _heading(styles: Any, level: Level, style_id: str) -> None:
    size, centred, page_break, underline, boxed = _HEADING_LOOKS[level]
    style = _new_style(
        styles,
        "paragraph",
        style_id,
        f"heading {int(level)}",  # Word's internal name for the built-in headings
        aliases=_HEADING_ALIASES[level],
        custom=False,
        based_on="Normal",
        next_style="Normal",
    )
    ppr = _child(style, "w:pPr")  # children in schema order: Word rejects misordered pPr
    _on(ppr, "w:keepNext", "w:keepLines")
    if page_break:
        _on(ppr, "w:pageBreakBefore")
    if boxed:
        pbdr = etree.SubElement(ppr, qn("w:pBdr"))
        for side, space in (("top", 1), ("left", 4), ("bottom", 1), ("right", 4)):
            _border(pbdr, f"w:{side}", size=24, space=space)
    spacing = etree.SubElement(ppr, qn("w:spacing"))
    spacing.set(qn("w:before"), "240" if level is Level.TAG else "120")
    spacing.set(qn("w:after"), "0")
    if centred:
        _val(ppr, "w:jc", "center")
    _val(ppr, "w:outlineLvl", str(int(level) - 1))  # 0-based in XML: Heading 1 is level 0

    rpr = _child(style, "w:rPr")
    _on(rpr, "w:b", "w:bCs")
    size_elements(rpr, size)
    if underline:
        _val(rpr, "w:u", underline)


def _set_doc_defaults(styles: Any) -> None:
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        styles.remove(defaults)
    defaults = etree.Element(qn("w:docDefaults"))
    styles.insert(0, defaults)  # docDefaults must come first in styles.xml
    rpr = etree.SubElement(etree.SubElement(defaults, qn("w:rPrDefault")), qn("w:rPr"))
    _body_font(rpr)
    lang = etree.SubElement(rpr, qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    ppr = etree.SubElement(etree.SubElement(defaults, qn("w:pPrDefault")), qn("w:pPr"))
    spacing = etree.SubElement(ppr, qn("w:spacing"))
    for attr, value in (("after", "160"), ("line", "259"), ("lineRule", "auto")):
        spacing.set(qn(f"w:{attr}"), value)


def _body_font(rpr: Any) -> None:
    fonts = etree.SubElement(rpr, qn("w:rFonts"))
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)
    size_elements(rpr, BODY_HALF_POINTS / 2)


def _new_style(
    styles: Any,
    kind: str,
    style_id: str,
    name: str,
    *,
    aliases: str = "",
    custom: bool = True,
    default: bool = False,
    based_on: str | None = None,
    next_style: str | None = None,
) -> Any:
    _remove_style(styles, style_id)
    style = etree.SubElement(styles, qn("w:style"))
    style.set(qn("w:type"), kind)
    if default:
        style.set(qn("w:default"), "1")
    if custom:
        style.set(qn("w:customStyle"), "1")
    style.set(qn("w:styleId"), style_id)
    _val(style, "w:name", name)
    if aliases:  # python-docx has no API for w:aliases; it must follow w:name
        _val(style, "w:aliases", aliases)
    if based_on is None and kind == "character":
        based_on = "DefaultParagraphFont"
    if based_on:
        _val(style, "w:basedOn", based_on)
    if next_style:
        _val(style, "w:next", next_style)
    _on(style, "w:qFormat")  # shown in Word's style gallery
    return style


def _remove_style(styles: Any, style_id: str) -> None:
    for old in styles.findall(qn("w:style")):
        if old.get(qn("w:styleId")) == style_id:
            styles.remove(old)


def _child(parent: Any, tag: str) -> Any:
    return etree.SubElement(parent, qn(tag))


def _on(parent: Any, *tags: str) -> None:
    for tag in tags:
        etree.SubElement(parent, qn(tag))


def _val(parent: Any, tag: str, value: str) -> None:
    etree.SubElement(parent, qn(tag)).set(qn("w:val"), value)


def _border(parent: Any, tag: str, *, size: int, space: int) -> None:
    edge = etree.SubElement(parent, qn(tag))
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))  # eighths of a point
    edge.set(qn("w:space"), str(space))
    edge.set(qn("w:color"), "auto")
