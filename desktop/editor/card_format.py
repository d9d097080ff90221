"""A card's marks as the editor sees them: one set of marks per character.

Qt-free, so it can be tested on its own. The editor reads its document into per-character
marks, changes them with these functions, and writes the changed runs back; `spans_of`
turns them into a Card's spans. Every function here keeps the body's words: marking changes
only marks, and condensing changes only the whitespace between paragraphs.

A paragraph break ("\\n") has no look of its own, so it carries a mark exactly when the
characters on both sides of its run of breaks carry it: a span "crossing" a paragraph break
and two spans ending and starting at it describe the same card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from evidence.cards.card import Mark, Span

# Word's highlight colours (w:highlight names) as RGB; the editor draws them behind black or
# white text, whichever reads better.
HIGHLIGHT_RGB: dict[str, str] = {
    "yellow": "#ffff00",
    "cyan": "#00ffff",
    "green": "#00ff00",
    "magenta": "#ff00ff",
    "blue": "#0000ff",
    "red": "#ff0000",
    "darkBlue": "#000080",
    "darkCyan": "#008080",
    "darkGreen": "#008000",
    "darkMagenta": "#800080",
    "darkRed": "#800000",
    "darkYellow": "#808000",
    "darkGray": "#808080",
    "lightGray": "#c0c0c0",
    "black": "#000000",
}
DEFAULT_HIGHLIGHT = "cyan"


def highlight_rgb(color: str) -> str:
    """The RGB of a highlight colour name; unknown names (foreign files) show as yellow."""
    return HIGHLIGHT_RGB.get(color, HIGHLIGHT_RGB["yellow"])


def text_on(rgb: str) -> str:
    """Black or white, whichever is readable on `rgb` (in either theme)."""
    r, g, b = (int(rgb[i : i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b >= 110 else "#ffffff"


@dataclass(frozen=True)
class Marks:
    underline: bool = False
    emphasis: bool = False
    highlight: str = ""  # highlight colour name, "" = none

    def has(self, mark: Mark) -> bool:
        if mark == Mark.UNDERLINE:
            return self.underline
        if mark == Mark.EMPHASIS:
            return self.emphasis
        return bool(self.highlight)

    def with_mark(self, mark: Mark, on: bool, color: str = DEFAULT_HIGHLIGHT) -> Marks:
        if mark == Mark.UNDERLINE:
            return replace(self, underline=on)
        if mark == Mark.EMPHASIS:
            return replace(self, emphasis=on)
        return replace(self, highlight=(color or DEFAULT_HIGHLIGHT) if on else "")

    def common(self, other: Marks) -> Marks:
        """The marks both carry (what a paragraph break or a joining space between them gets)."""
        return Marks(
            self.underline and other.underline,
            self.emphasis and other.emphasis,
            self.highlight if self.highlight == other.highlight else "",
        )


NONE = Marks()


@dataclass(frozen=True)
class Run:
    start: int
    end: int
    marks: Marks


def char_marks(body: str, spans: Iterable[Span]) -> list[Marks]:
    """Each character's marks; where highlights of two colours overlap, the later span wins."""
    chars = [NONE] * len(body)
    for span in spans:
        for i in range(max(0, span.start), min(len(body), span.end)):
            chars[i] = chars[i].with_mark(span.mark, True, span.color)
    return settle_breaks(body, chars)


def settle_breaks(body: str, chars: list[Marks]) -> list[Marks]:
    """Give each run of paragraph breaks the marks its two neighbours share (in place)."""
    i = 0
    while i < len(body):
        if body[i] != "\n":
            i += 1
            continue
        j = i
        while j < len(body) and body[j] == "\n":
            j += 1
        shared = chars[i - 1].common(chars[j]) if i > 0 and j < len(body) else NONE
        chars[i:j] = [shared] * (j - i)
        i = j
    return chars


def runs_of(chars: Sequence[Marks], start: int = 0, end: int | None = None) -> list[Run]:
    """Maximal runs of equal marks over chars[start:end], covering it."""
    end = len(chars) if end is None else end
    runs: list[Run] = []
    i = start
    while i < end:
        j = i + 1
        while j < end and chars[j] == chars[i]:
            j += 1
        runs.append(Run(i, j, chars[i]))
        i = j
    return runs


def spans_of(chars: Sequence[Marks]) -> list[Span]:
    """Maximal spans per mark (and highlight colour), sorted."""
    spans: list[Span] = []
    for mark in Mark:
        i = 0
        while i < len(chars):
            key = _key(chars[i], mark)
            if not key:
                i += 1
                continue
            j = i + 1
            while j < len(chars) and _key(chars[j], mark) == key:
                j += 1
            spans.append(Span(i, j, mark, chars[i].highlight if mark == Mark.HIGHLIGHT else ""))
            i = j
    return sorted(spans)


def _key(m: Marks, mark: Mark) -> str:
    return m.highlight if mark == Mark.HIGHLIGHT else ("x" if m.has(mark) else "")


def canonical(body: str, spans: Iterable[Span]) -> list[Span]:
    """The one spelling of these marks that the editor gives back."""
    return spans_of(char_marks(body, spans))


def has_mark(body: str, chars: Sequence[Marks], start: int, end: int, mark: Mark) -> bool:
    """Whether every character of [start, end) but paragraph breaks carries `mark`."""
    text = [i for i in range(start, end) if body[i] != "\n"]
    return bool(text) and all(chars[i].has(mark) for i in text)


def set_mark(
    body: str, chars: Sequence[Marks], start: int, end: int, mark: Mark, on: bool, color: str = ""
) -> list[Marks]:
    out = list(chars)
    out[start:end] = [m.with_mark(mark, on, color) for m in chars[start:end]]
    return settle_breaks(body, out)


def toggle_mark(
    body: str, chars: Sequence[Marks], start: int, end: int, mark: Mark, color: str = ""
) -> list[Marks]:
    """Word's Ctrl+U rule: mark the selection, or unmark it when it is all marked already.
    A highlight of another colour is recoloured rather than removed."""
    on = not has_mark(body, chars, start, end, mark)
    if mark == Mark.HIGHLIGHT and not on:
        color = color or DEFAULT_HIGHLIGHT
        on = any(chars[i].highlight != color for i in range(start, end) if body[i] != "\n")
    return set_mark(body, chars, start, end, mark, on, color)


def clear_marks(body: str, chars: Sequence[Marks], start: int, end: int) -> list[Marks]:
    out = list(chars)
    out[start:end] = [NONE] * (end - start)
    return settle_breaks(body, out)


def condense_edits(body: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
    """Verbatim's condense: each run of whitespace holding a paragraph break inside
    [start, end) becomes one space (nothing at the body's ends). Returns (start, end,
    replacement) edits in order; only whitespace is replaced."""
    end = len(body) if end is None else end
    edits: list[tuple[int, int, str]] = []
    i = start
    while i < end:
        if body[i] != "\n":
            i += 1
            continue
        a, b = i, i
        while a > start and body[a - 1].isspace():
            a -= 1
        while b < end and body[b].isspace():
            b += 1
        edits.append((a, b, "" if a == 0 or b == len(body) else " "))
        i = b
    return edits


def condense(
    body: str, chars: Sequence[Marks], start: int = 0, end: int | None = None
) -> tuple[str, list[Marks]]:
    """The body and marks after `condense_edits`; a joining space gets its neighbours'
    shared marks, so a span across the break stays one span."""
    out_text: list[str] = []
    out_marks: list[Marks] = []
    pos = 0
    for a, b, repl in condense_edits(body, start, end):
        out_text.append(body[pos:a])
        out_marks.extend(chars[pos:a])
        if repl:
            out_text.append(repl)
            out_marks.append(joining_marks(chars, a, b))
        pos = b
    out_text.append(body[pos:])
    out_marks.extend(chars[pos:])
    text = "".join(out_text)
    return text, settle_breaks(text, out_marks)


def joining_marks(chars: Sequence[Marks], a: int, b: int) -> Marks:
    """The marks of a space that replaces chars[a:b]: what both neighbours share."""
    if a == 0 or b >= len(chars):
        return NONE
    return chars[a - 1].common(chars[b])


class Utf16:
    """Python string indexes ⇄ Qt's UTF-16 positions (they differ after a non-BMP char)."""

    def __init__(self, text: str) -> None:
        self._identity = all(ord(c) <= 0xFFFF for c in text)
        self._to_qt: list[int] = []
        self._to_py: dict[int, int] = {}
        if not self._identity:
            pos = 0
            for i, c in enumerate(text):
                self._to_qt.append(pos)
                self._to_py[pos] = i
                pos += 2 if ord(c) > 0xFFFF else 1
            self._to_qt.append(pos)
            self._to_py[pos] = len(text)

    def qt(self, index: int) -> int:
        return index if self._identity else self._to_qt[index]

    def py(self, pos: int) -> int:
        """The index of the character at (or, inside a surrogate pair, just after) `pos`."""
        if self._identity:
            return pos
        while pos not in self._to_py:
            pos += 1
        return self._to_py[pos]
