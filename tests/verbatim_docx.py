"""A sample CardDocument and read-back helpers for Verbatim .docx files (raw XML)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from lxml import etree

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Mark, Span

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
U, E, H = Mark.UNDERLINE, Mark.EMPHASIS, Mark.HIGHLIGHT

BODY_1 = (
    "Warming causes extinction through cascading ecosystem collapse and crop failure.\n"
    "The second paragraph says <feedbacks> & tipping points make it irreversible."
)
BODY_2 = "Nuclear war is unlikely\tbecause deterrence holds; leaders fear retaliation."


def _find(text: str, words: str, start: int = 0) -> tuple[int, int]:
    i = text.index(words, start)
    return i, i + len(words)


def _spans_1() -> list[Span]:
    a = _find(BODY_1, "Warming causes extinction")
    b = _find(BODY_1, "cascading ecosystem collapse")
    c = _find(BODY_1, "<feedbacks> & tipping points")
    return [
        Span(*a, U),
        Span(*b, U),
        Span(*_find(BODY_1, "extinction"), E),
        Span(*_find(BODY_1, "Warming causes"), H, "yellow"),
        Span(*_find(BODY_1, "ecosystem collapse"), H, "cyan"),
        Span(*c, U),
        Span(*_find(BODY_1, "tipping points"), E),
        Span(*_find(BODY_1, "<feedbacks>"), H, "cyan"),
    ]


def _spans_2() -> list[Span]:
    return [
        Span(*_find(BODY_2, "deterrence holds"), U),
        Span(*_find(BODY_2, "deterrence"), H, "green"),
        Span(*_find(BODY_2, "Nuclear war"), H, "yellow"),  # highlighted, not underlined
    ]


def sample_doc() -> CardDocument:
    card_1 = Card(
        "Warming causes extinction",
        "Matanich 96",
        "(Johanna, J.D. candidate, Spring 1996, International Legal Perspectives)",
        BODY_1,
        _spans_1(),
    )
    card_2 = Card(
        "Deterrence checks nuclear war",
        "Smith 20",
        "John Smith, Professor of Politics, Oxford\nhttps://example.org/deterrence, accessed 2024",
        BODY_2,
        _spans_2(),
    )
    analytic = Analytic("Their evidence is outdated", "It predates the 2020 treaty.\nExtend 1NC.")
    block = Heading(Level.BLOCK, "1NC Warming Bad", [card_1, card_2, analytic])
    hat = Heading(Level.HAT, "Case", [block])
    return CardDocument([Heading(Level.POCKET, "Aff Answers", [hat])], title="Sample backfile")


def part_xml(data: bytes, part: str) -> Any:
    with zipfile.ZipFile(as_file(data)) as z:
        return etree.fromstring(z.read(part))


def as_file(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def body_paragraphs(data: bytes) -> list[Any]:
    return list(part_xml(data, "word/document.xml").iterfind("w:body/w:p", NS))


def p_style(p: Any) -> str | None:
    node = p.find("w:pPr/w:pStyle", NS)
    return None if node is None else str(node.get(f"{{{W}}}val"))


def run_text(r: Any) -> str:
    out = []
    for child in r:
        if child.tag == f"{{{W}}}t":
            out.append(child.text or "")
        elif child.tag == f"{{{W}}}tab":
            out.append("\t")
        elif child.tag == f"{{{W}}}br":
            out.append("\n")
    return "".join(out)


def rpr_val(r: Any, tag: str) -> str | None:
    node = r.find(f"w:rPr/w:{tag}", NS)
    return None if node is None else str(node.get(f"{{{W}}}val"))


def read_body(paragraphs: list[Any]) -> tuple[str, set[Span]]:
    """Body text and spans rebuilt from the runs: adjacent runs with the same mark merge;
    Emphasis implies underline, as the format says."""
    text, spans = "", set()
    open_: dict[tuple[Mark, str], int] = {}

    def close(keep: set[tuple[Mark, str]], pos: int) -> None:
        for key in [k for k in open_ if k not in keep]:
            spans.add(Span(open_.pop(key), pos, key[0], key[1]))

    for n, p in enumerate(paragraphs):
        if n:
            close(set(), len(text))
            text += "\n"
        for r in p.iterfind("w:r", NS):
            style, color = rpr_val(r, "rStyle"), rpr_val(r, "highlight")
            marks = set()
            if style in ("StyleUnderline", "Emphasis"):
                marks.add((U, ""))
            if style == "Emphasis":
                marks.add((E, ""))
            if color:
                marks.add((H, color))
            close(marks, len(text))
            for key in marks:
                open_.setdefault(key, len(text))
            text += run_text(r)
    close(set(), len(text))
    return text, spans


def card_paragraphs(data: bytes, tag: str) -> tuple[Any, Any, list[Any]]:
    """The tag, cite and body paragraphs of the card with `tag`."""
    ps = body_paragraphs(data)
    i = next(i for i, p in enumerate(ps) if p_style(p) == "Heading4" and p_text(p) == tag)
    end = next((j for j in range(i + 1, len(ps)) if p_style(ps[j])), len(ps))
    return ps[i], ps[i + 1], ps[i + 2 : end]


def style_id(p: Any) -> str:
    """The style ID python-docx resolves for a paragraph (Normal when it names none)."""
    return str(p.style.style_id)


def p_text(p: Any) -> str:
    return "".join(run_text(r) for r in p.iterfind("w:r", NS))
