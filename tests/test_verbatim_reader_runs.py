"""The reader's run walk on hand-written document.xml: the cases its fast path must still get
right (a w:rPr after the text, repeated properties, one raw w:rPr under two paragraph
styles, marks opening and closing run by run), and the collector it pauses coming back."""

from __future__ import annotations

import gc
import io
import threading
import zipfile

import pytest

from evidence.cards.card import Card, Mark, Span
from evidence.errors import CorruptFile
from evidence.gc_pause import gc_paused
from evidence.verbatim import read_verbatim

_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_STYLES = f"""<w:styles {_NS}>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading4"><w:name w:val="heading 4"/>
  <w:pPr><w:outlineLvl w:val="3"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Marked"><w:name w:val="Marked"/>
  <w:rPr><w:u w:val="single"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="Style13ptBold"><w:name w:val="Style 13 pt Bold"/>
  <w:rPr><w:b/></w:rPr></w:style>
</w:styles>"""


def _docx(*paragraphs: str, styles: str = _STYLES) -> bytes:
    body = "".join(paragraphs)
    document = f"<w:document {_NS}><w:body>{body}</w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", document)
        z.writestr("word/styles.xml", styles)
    return out.getvalue()


def _p(runs: str, style: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{runs}</w:p>"


def _r(text: str, rpr: str = "") -> str:
    return f'<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def _card(*body: str) -> Card:
    data = _docx(
        _p(_r("Tag"), "Heading4"),
        _p(_r("Smith 19", '<w:rStyle w:val="Style13ptBold"/>')),
        *body,
    )
    (card,) = read_verbatim(data).cards()
    return card


def test_an_rpr_after_the_text_still_formats_all_of_it() -> None:
    run = (
        "<w:r><w:t>before</w:t><w:drawing/><w:t>after</w:t>"
        '<w:rPr><w:u w:val="single"/></w:rPr></w:r>'
    )
    card = _card(_p(run))
    assert card.body == "before[Image omitted]after"
    assert card.spans == [Span(0, 6, Mark.UNDERLINE), Span(21, 26, Mark.UNDERLINE)]


def test_the_last_property_and_the_first_character_style_count() -> None:
    card = _card(
        _p(
            _r("off ", '<w:u w:val="single"/><w:u w:val="none"/>')
            + _r("on", '<w:u w:val="none"/><w:u w:val="single"/><w:highlight w:val="cyan"/>')
        )
    )
    assert card.body == "off on"
    assert card.spans == [Span(4, 6, Mark.HIGHLIGHT, "cyan"), Span(4, 6, Mark.UNDERLINE)]
    twice = _docx(
        _p(_r("Tag"), "Heading4"),
        _p(_r("Smith 19", '<w:rStyle w:val="Style13ptBold"/><w:rStyle w:val="Normal"/>')),
        _p(_r("text", '<w:u w:val="single"/>')),
    )
    assert read_verbatim(twice).cards()[0].short_cite == "Smith 19"


def test_one_raw_run_format_under_two_paragraph_styles() -> None:
    # The same (empty) w:rPr is plain in a Normal paragraph and underlined in "Marked".
    card = _card(_p(_r("plain")), _p(_r("marked"), "Marked"), _p(_r("plain again")))
    assert card.body == "plain\nmarked\nplain again"
    assert card.spans == [Span(6, 12, Mark.UNDERLINE)]


def test_styles_read_when_used_follow_word_for_repeats_and_the_default() -> None:
    # A repeated style id: the last definition counts. The default paragraph style (w:type
    # left out means paragraph) formats paragraphs that name none.
    styles = _STYLES.replace(
        "</w:styles>",
        '<w:style w:type="paragraph" w:styleId="Marked"><w:name w:val="Marked"/></w:style>'
        '<w:style w:default="1" w:styleId="Body"><w:name w:val="Body"/>'
        '<w:rPr><w:highlight w:val="green"/></w:rPr></w:style></w:styles>',
    )
    data = _docx(
        _p(_r("Tag"), "Heading4"),
        _p(_r("Smith 19", '<w:rStyle w:val="Style13ptBold"/>')),
        _p(_r("marked"), "Marked"),
        _p(_r("body")),
        styles=styles,
    )
    (card,) = read_verbatim(data).cards()
    assert card.body == "marked\nbody"
    assert card.spans == [Span(7, 11, Mark.HIGHLIGHT, "green")]


def test_marks_open_and_close_run_by_run() -> None:
    u = '<w:u w:val="single"/>'
    y, g = '<w:highlight w:val="yellow"/>', '<w:highlight w:val="green"/>'
    emphasis = '<w:u w:val="single"/><w:b/><w:bdr w:val="single"/>'
    runs = _r("a", u) + _r("b", u + y) + _r("c", u + g) + _r("d", emphasis) + _r("e") + _r("f", y)
    card = _card(_p(runs), _p(_r("g", u)))
    assert card.body == "abcdef\ng"
    assert card.spans == [
        Span(0, 4, Mark.UNDERLINE),
        Span(1, 2, Mark.HIGHLIGHT, "yellow"),
        Span(2, 3, Mark.HIGHLIGHT, "green"),
        Span(3, 4, Mark.EMPHASIS),
        Span(5, 6, Mark.HIGHLIGHT, "yellow"),
        Span(7, 8, Mark.UNDERLINE),
    ]


def test_reading_leaves_the_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    read_verbatim(_docx(_p(_r("Tag"), "Heading4")))
    assert gc.isenabled()
    with pytest.raises(CorruptFile):
        read_verbatim(b"PK\x03\x04 not really a zip")
    assert gc.isenabled()
    gc.disable()
    try:
        read_verbatim(_docx(_p(_r("Tag"), "Heading4")))
        assert not gc.isenabled()  # a caller's own pause is kept
    finally:
        gc.enable()


def test_overlapping_pauses_resume_only_when_the_last_ends() -> None:
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other() -> None:
        with gc_paused():
            first_in.wait(5)
        second_done.set()

    thread = threading.Thread(target=other)
    with gc_paused():
        thread.start()
        first_in.set()
        second_done.wait(5)
        seen.append(gc.isenabled())  # the other block ended first: still paused
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()
