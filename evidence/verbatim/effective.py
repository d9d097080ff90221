"""Effective run formatting, resolved on the raw XML.

Word resolves a run's look from its own w:rPr, then its character style (and that style's
w:basedOn chain), then the paragraph style (and its chain), then w:docDefaults; the nearest
level that sets a property wins. Every style is resolved once per document and every distinct
(paragraph style, run properties) combination once. A run's properties are keyed by the raw
(tag, w:val) pairs of the few w:rPr children that matter (raw_props): a tuple of strings
hashes in C, so a 3,000-card file costs one walk of each w:rPr and one dict lookup per
run; the walk, not the resolution, is what a backfile's 150k runs pay for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RPR, _PPR, _VAL = f"{W}rPr", f"{W}pPr", f"{W}val"
_U, _B, _HIGHLIGHT, _BDR = f"{W}u", f"{W}b", f"{W}highlight", f"{W}bdr"
_RSTYLE = f"{W}rStyle"
RUN_TAGS = frozenset((_RSTYLE, _U, _B, _HIGHLIGHT, _BDR))  # other w:rPr children: ignored
_OUTLINE = f"{W}outlineLvl"
_OFF = {"0", "false", "off"}
_NO_LINE = {"none", "nil"}

# Verbatim's own style ids; foreign styles play a role when their name says so (VERBATIM.md).
CITE_ID, UNDERLINE_ID, EMPHASIS_ID = "Style13ptBold", "StyleUnderline", "Emphasis"
_MAX_CHAIN = 32  # basedOn chains are short; a longer one is a loop or a hostile file


@dataclass(frozen=True, slots=True)
class Props:
    """Run properties set at one level; None means "not set here, inherit"."""

    underline: str | None = None  # w:u val: "single", "double", "none"...
    bold: bool | None = None
    highlight: str | None = None  # colour name, "" when explicitly "none"
    border: bool | None = None  # w:bdr: Verbatim's Emphasis box

    def under(self, base: Props) -> Props:
        """These properties, falling back to `base` for whatever is not set here."""
        return Props(
            self.underline if self.underline is not None else base.underline,
            self.bold if self.bold is not None else base.bold,
            self.highlight if self.highlight is not None else base.highlight,
            self.border if self.border is not None else base.border,
        )


EMPTY = Props()


@dataclass(frozen=True, slots=True)
class RunFormat:
    """What a run means to a debater, after inheritance."""

    underline: bool = False  # read-aloud candidate; always true for emphasis
    emphasis: bool = False
    cite: bool = False
    bold: bool = False
    highlight: str = ""  # Word colour name, "" for none


PLAIN = RunFormat()


RawProps = tuple[tuple[str, str | None], ...]


def raw_props(rpr: Any) -> RawProps:
    """The w:rPr children that matter, as (tag, w:val) pairs in document order: a cheap,
    hashable key for a run's direct formatting and character style."""
    if rpr is None:
        return ()
    raw = []
    for child in rpr:  # a plain walk: lxml's tag-filtered iterchildren costs more here
        tag = child.tag
        if tag in RUN_TAGS:
            raw.append((tag, child.get(_VAL)))
    return tuple(raw)


def read_props(rpr: Any) -> Props:
    """The properties one w:rPr sets. Shading (w:shd) is deliberately not highlight."""
    return decode(raw_props(rpr))[1]


def decode(raw: RawProps) -> tuple[str, Props]:
    """(character style id, direct properties) of raw_props' pairs: the first w:rStyle
    counts, and for each property the last element that sets it."""
    char_style: str | None = None
    underline: str | None = None
    highlight: str | None = None
    bold: bool | None = None
    border: bool | None = None
    for tag, val in raw:
        if tag == _RSTYLE:
            if char_style is None:
                char_style = val or ""
        elif tag == _U:
            underline = val if val else None  # <w:u/> with no val says nothing usable
        elif tag == _B:
            bold = (val if val is not None else "true").lower() not in _OFF
        elif tag == _HIGHLIGHT:
            text = (val or "none").strip()
            highlight = "" if text.lower() == "none" else text
        elif tag == _BDR:
            border = (val or "none").lower() not in _NO_LINE
    if underline is None and bold is None and highlight is None and border is None:
        return char_style or "", EMPTY
    return char_style or "", Props(underline, bold, highlight, border)


@dataclass(frozen=True, slots=True)
class _Style:
    kind: str  # "paragraph", "character", ...
    name: str
    based_on: str
    props: Props
    outline: int | None  # own w:pPr/w:outlineLvl


class StyleSheet:
    """styles.xml, resolved lazily and memoised. Works without one (style ids still count)."""

    def __init__(self, root: Any | None) -> None:
        self._elements: dict[str, Any] = {}  # w:style by id, read into _Style when used
        self._styles: dict[str, _Style] = {}
        self.default_paragraph = "Normal"
        self._defaults = EMPTY
        self._props: dict[str, Props] = {}
        self._roles: dict[str, tuple[bool, bool, bool]] = {}
        self._levels: dict[str, int] = {}
        self._formats: dict[tuple[str, str, Props], RunFormat] = {}
        self._runs: dict[str, dict[RawProps, RunFormat]] = {}
        if root is not None:
            self._load(root)

    def _load(self, root: Any) -> None:
        rpr_default = root.find(f"{W}docDefaults/{W}rPrDefault/{_RPR}")
        self._defaults = read_props(rpr_default)
        # Only indexed here: a backfile's styles.xml can hold 2,000 styles (Word keeps every
        # one ever pasted in) and a document uses a handful; reading them all cost 25 ms.
        for el in root.iter(f"{W}style"):
            sid = el.get(f"{W}styleId")
            if not sid:
                continue
            self._elements[sid] = el  # a repeated id: the last one counts
            if el.get(f"{W}default") in ("1", "true") and el.get(f"{W}type") in (
                None,
                "paragraph",
            ):
                self.default_paragraph = sid

    def _style(self, sid: str) -> _Style | None:
        style = self._styles.get(sid)
        if style is None:
            el = self._elements.get(sid)
            if el is None:
                return None
            name_el, based_el = el.find(f"{W}name"), el.find(f"{W}basedOn")
            outline_el = el.find(f"{_PPR}/{_OUTLINE}")
            style = self._styles[sid] = _Style(
                el.get(f"{W}type", "paragraph"),
                (name_el.get(_VAL, "") if name_el is not None else "").strip(),
                based_el.get(_VAL, "") if based_el is not None else "",
                read_props(el.find(_RPR)),
                _int(outline_el.get(_VAL)) if outline_el is not None else None,
            )
        return style

    def _chain(self, sid: str) -> list[tuple[str, _Style | None]]:
        """The style and its ancestors, nearest first; unknown ids end the chain."""
        out: list[tuple[str, _Style | None]] = []
        seen: set[str] = set()
        while sid and sid not in seen and len(out) < _MAX_CHAIN:
            seen.add(sid)
            style = self._style(sid)
            out.append((sid, style))
            sid = style.based_on if style is not None else ""
        return out

    def props(self, sid: str) -> Props:
        """A style's own properties merged with its basedOn chain's."""
        cached = self._props.get(sid)
        if cached is None:
            cached = EMPTY
            for _, style in self._chain(sid):
                if style is not None:
                    cached = cached.under(style.props)
            self._props[sid] = cached
        return cached

    def roles(self, sid: str) -> tuple[bool, bool, bool]:
        """(cite, emphasis, underline) for a character style id, by id or by name."""
        cached = self._roles.get(sid)
        if cached is None:
            cite = emphasis = underline = False
            for style_id, style in self._chain(sid):
                name = style.name.lower() if style is not None else ""
                cite = cite or style_id == CITE_ID or "cite" in name
                emphasis = emphasis or style_id == EMPHASIS_ID or "emphasi" in name
                underline = underline or style_id == UNDERLINE_ID or "underline" in name
            cached = self._roles[sid] = (cite, emphasis, underline)
        return cached

    def heading_level(self, sid: str) -> int:
        """1..4 for a Pocket/Hat/Block/Tag paragraph style, 0 for body text. The nearest
        w:outlineLvl decides (Verbatim's "Card" style is based on Heading1 but is level 9:
        body text); a style that sets none is a heading by its id or name."""
        cached = self._levels.get(sid)
        if cached is None:
            cached = 0
            for style_id, style in self._chain(sid or self.default_paragraph):
                if style is not None and style.outline is not None:
                    cached = outline_to_level(style.outline)
                    break
                by_name = _heading_by_name(style_id, style.name if style is not None else "")
                if by_name:
                    cached = by_name
                    break
            self._levels[sid] = cached
        return cached

    def run_formats(self, para_style: str) -> dict[RawProps, RunFormat]:
        """The memo of run_format_raw for one paragraph style: the reader looks a run up
        here first and calls run_format_raw only on a miss."""
        memo = self._runs.get(para_style)
        if memo is None:
            memo = self._runs[para_style] = {}
        return memo

    def run_format_raw(self, para_style: str, raw: RawProps) -> RunFormat:
        """run_format for a run in a `para_style` paragraph whose w:rPr gave `raw`."""
        memo = self.run_formats(para_style)
        cached = memo.get(raw)
        if cached is None:
            char_style, direct = decode(raw)
            cached = memo[raw] = self.run_format(para_style, char_style, direct)
        return cached

    def run_format(self, para_style: str, char_style: str, direct: Props) -> RunFormat:
        key = (para_style, char_style, direct)
        cached = self._formats.get(key)
        if cached is None:
            cached = self._formats[key] = self._resolve(para_style, char_style, direct)
        return cached

    def _resolve(self, para_style: str, char_style: str, direct: Props) -> RunFormat:
        para = self.props(para_style or self.default_paragraph)
        eff = direct.under(self.props(char_style)).under(para).under(self._defaults)
        cite, emphasis, underline_role = self.roles(char_style) if char_style else (False,) * 3
        # A direct w:u="none" switches the underline style off, as Word shows it.
        underline_role = underline_role and direct.underline not in _NO_LINE
        underlined = eff.underline is not None and eff.underline not in _NO_LINE
        # Verbatim's Emphasis look pasted as direct formatting: bold + underline + box.
        emphasis = emphasis or bool(underlined and eff.bold and eff.border)
        return RunFormat(
            underline=underline_role or underlined or emphasis,
            emphasis=emphasis,
            cite=cite,
            bold=bool(eff.bold),
            highlight=eff.highlight or "",
        )


def outline_to_level(outline: int) -> int:
    """w:outlineLvl 0..3 are Verbatim's levels 1..4; anything else is body text."""
    return outline + 1 if 0 <= outline <= 3 else 0


def paragraph_outline(ppr: Any) -> int | None:
    """A paragraph's own w:outlineLvl, which overrides its style's."""
    if ppr is None:
        return None
    el = ppr.find(_OUTLINE)
    return _int(el.get(_VAL)) if el is not None else None


def _heading_by_name(style_id: str, name: str) -> int:
    if len(style_id) == 8 and style_id.startswith("Heading") and style_id[7] in "1234":
        return int(style_id[7])
    low = name.lower()
    if len(low) == 9 and low.startswith("heading ") and low[8] in "1234":
        return int(low[8])
    return 0


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
