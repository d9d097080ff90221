"""The Verbatim reader on bad and odd input: a missing or damaged styles.xml, damaged files, and
small documents built with python-docx (tables and images in a body, empty and lone tags, run
content, tracked changes and fields, plain documents, two-line cites, styles that inherit)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Mark, walk
from evidence.errors import CorruptFile, EmptyFile, EncryptedFile, FileTooLarge
from evidence.verbatim import is_verbatim, read_verbatim
from evidence.verbatim.body import IMAGE_WARNING, TABLE_WARNING
from evidence.verbatim.outline import NO_BODY, NO_TAG
from evidence.verbatim.reader import BAD_STYLES, NO_STYLES
from tests.verbatim_samples import FILES, VERBATIM, _texts
from tests.verbatim_samples import docs as docs  # a fixture, the sample files read once

# --- 5. bad and odd input -------------------------------------------------------------------


def _with_styles(data: bytes, styles: bytes | None) -> bytes:
    """The file with word/styles.xml replaced, or left out when `styles` is None."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != "word/styles.xml":
                dst.writestr(info, src.read(info))
            elif styles is not None:
                dst.writestr(info, styles)
    return out.getvalue()


@pytest.mark.parametrize(("styles", "warning"), [(None, NO_STYLES), (b"<w:styles", BAD_STYLES)])
def test_missing_or_damaged_styles_xml_still_finds_the_cards(
    docs: dict[str, CardDocument], styles: bytes | None, warning: str
) -> None:
    data = _with_styles((VERBATIM / "1nc.docx").read_bytes(), styles)
    doc = read_verbatim(data)
    assert doc.warnings == [warning]
    assert [(c.tag, c.short_cite, c.full_cite, c.body, c.spans) for c in doc.cards()] == [
        (c.tag, c.short_cite, c.full_cite, c.body, c.spans) for c in docs["1nc"].cards()
    ]
    assert is_verbatim(data)


def test_damaged_files() -> None:
    data = (VERBATIM / "1nc.docx").read_bytes()
    with pytest.raises(CorruptFile):
        read_verbatim(data[: len(data) // 2])
    with pytest.raises(CorruptFile):
        read_verbatim(b"PK\x03\x04 not really a zip")
    with pytest.raises(EmptyFile):
        read_verbatim(b"")
    with pytest.raises(FileTooLarge):
        read_verbatim(data, max_bytes=len(data) - 1)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b" " * 30 * 2**20)  # 30 MB of spaces in ~30 kB
    with pytest.raises(FileTooLarge):
        read_verbatim(bomb.getvalue(), max_bytes=2**20)
    with pytest.raises(EncryptedFile):
        read_verbatim(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"))
    no_document = io.BytesIO()
    with zipfile.ZipFile(no_document, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(CorruptFile):
        read_verbatim(no_document.getvalue())
    assert not is_verbatim(data[: len(data) // 2])


def _save(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _cite(document: Any) -> None:
    p = document.add_paragraph()
    p.add_run("Smith 20").bold = True  # a cite with direct formatting only, found by its URL
    p.add_run(" [John Smith, professor, https://example.org/paper]")


def test_table_and_image_inside_a_card_body() -> None:
    d = docx.Document()
    d.add_heading("Tables are cards too.", level=4)
    _cite(d)
    d.add_paragraph().add_run("First body paragraph.").underline = True
    d.add_table(rows=2, cols=2).cell(0, 0).text = "cell text is not read"
    p = d.add_paragraph("Second ")
    p.add_run().add_picture(io.BytesIO(_png()))
    p.add_run(" paragraph.")
    (card,) = read_verbatim(_save(d)).cards()
    assert card.body == "First body paragraph.\n[Table omitted]\nSecond [Image omitted] paragraph."
    assert card.warnings == [TABLE_WARNING, IMAGE_WARNING]
    assert [(s.start, s.end, s.mark) for s in card.spans] == [(0, 21, Mark.UNDERLINE)]


def test_empty_tags_lone_tags_and_text_before_the_first_heading() -> None:
    d = docx.Document()
    d.add_paragraph("A title page line")
    d.add_heading("", level=2)  # empty Hat: skipped
    d.add_heading("", level=4)  # empty Tag with a card: kept, untagged
    _cite(d)
    d.add_paragraph("The body.")
    d.add_heading("A tag with nothing after it", level=4)
    d.add_heading("A tag with a bracket line but no body", level=4)
    d.add_paragraph("[this is the debater's note]")
    d.add_heading("Cite only", level=4)
    d.styles.add_style("Card Cite", WD_STYLE_TYPE.CHARACTER)  # a foreign cite style, by name
    d.add_paragraph().add_run("Jones 19", style="Card Cite")
    doc = read_verbatim(_save(d))
    assert doc.warnings == ["1 paragraph(s) before the first heading were not imported"]
    untagged, lone, note, cite_only = doc.nodes
    assert isinstance(untagged, Card) and untagged.tag == "" and NO_TAG in untagged.warnings
    assert (untagged.short_cite, untagged.body) == ("Smith 20", "The body.")
    assert lone == Analytic("A tag with nothing after it", "")
    assert note == Analytic("A tag with a bracket line but no body", "[this is the debater's note]")
    assert isinstance(cite_only, Card) and cite_only.short_cite == "Jones 19"
    assert cite_only.body == "" and NO_BODY in cite_only.warnings


def test_run_content_tracked_changes_fields_and_direct_marks() -> None:
    d = docx.Document()
    d.add_heading("Runs", level=4)
    _cite(d)
    p = d.add_paragraph()

    def r(inner: str, rpr: str = "") -> str:
        return f"<w:r><w:rPr>{rpr}</w:rPr>{inner}</w:r>"

    def t(text: str) -> str:
        return f'<w:t xml:space="preserve">{text}</w:t>'

    def field(kind: str) -> str:
        return r(f'<w:fldChar w:fldCharType="{kind}"/>')

    box = '<w:b/><w:u w:val="single"/><w:bdr w:val="single" w:sz="4" w:space="0"/>'
    runs = "".join(
        [
            r(t("tab") + "<w:tab/>" + t("and") + "<w:br/>" + t("break ")),
            f'<w:ins w:id="1" w:author="a">{r(t("inserted "))}</w:ins>',
            f'<w:del w:id="2" w:author="a">{r("<w:delText>deleted </w:delText>")}</w:del>',
            field("begin") + r("<w:instrText>PAGE</w:instrText>") + field("separate"),
            r(t("shown ")) + field("end"),
            f'<w:hyperlink r:id="rId99">{r(t("link "))}</w:hyperlink>',
            r(t("lit "), '<w:highlight w:val="yellow"/>'),
            r(t("shaded "), '<w:shd w:val="clear" w:fill="FFFF00"/>'),  # shading: not highlight
            r(t("boxed"), box),  # Verbatim's Emphasis look, as direct formatting
        ]
    )
    for el in list(parse_xml(f"<w:p {nsdecls('w', 'r')}>{runs}</w:p>")):
        p._p.append(el)
    (card,) = read_verbatim(_save(d)).cards()
    assert card.body == "tab and break inserted shown link lit shaded boxed"
    assert _texts(card, Mark.HIGHLIGHT, "yellow") == ["lit "]
    assert _texts(card, Mark.EMPHASIS) == _texts(card, Mark.UNDERLINE) == ["boxed"]


def test_plain_documents_are_not_verbatim() -> None:
    d = docx.Document()
    d.add_heading("An article", level=1)
    d.add_heading("A section", level=4)
    d.add_paragraph("Written in 2021, it cites nothing.")
    d.add_paragraph("Another plain paragraph.")
    data = _save(d)
    assert not is_verbatim(data)
    doc = read_verbatim(data)
    assert doc.cards() == [] and [type(n) for n in walk(doc.nodes)] == [Heading, Analytic]
    assert all(is_verbatim((VERBATIM / f"{n}.docx").read_bytes()) for n in FILES)


def test_two_line_cites() -> None:
    d = docx.Document()
    d.styles.add_style("Style 13 pt Bold", WD_STYLE_TYPE.CHARACTER)  # id Style13ptBold
    d.add_heading("Two-line cite", level=4)
    d.add_paragraph().add_run("Matanich 96", style="Style 13 pt Bold")
    d.add_paragraph("(Johanna Matanich, Lexis, https://example.org/whales)")
    d.add_paragraph("The body.")
    d.add_heading("Short cite line, then a body", level=4)
    d.add_paragraph().add_run("Kelly 15", style="Style 13 pt Bold")
    d.add_paragraph("The body does not open with a bracket.")
    first, second = read_verbatim(_save(d)).cards()
    assert (first.short_cite, first.full_cite, first.body) == (
        "Matanich 96", "(Johanna Matanich, Lexis, https://example.org/whales)", "The body."
    )  # fmt: skip
    assert (second.short_cite, second.full_cite, second.body) == (
        "Kelly 15", "", "The body does not open with a bracket."
    )  # fmt: skip


def test_styles_resolve_through_based_on() -> None:
    d = docx.Document()
    styles = d.styles
    card_style = styles.add_style("Card", WD_STYLE_TYPE.PARAGRAPH)  # Verbatim's: body text
    card_style.base_style = styles["Heading 1"]
    level_9 = parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="9"/>')
    card_style.element.get_or_add_pPr().append(level_9)
    styles.add_style("My Tag", WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Heading 4"]
    underline = styles.add_style("Style Underline", WD_STYLE_TYPE.CHARACTER)
    underline.font.underline = True
    styles.add_style("Read", WD_STYLE_TYPE.CHARACTER).base_style = underline  # role by chain
    styles.add_style("Underlined Para", WD_STYLE_TYPE.PARAGRAPH).font.underline = True
    d.add_paragraph("A tag in a custom style", style="My Tag")
    _cite(d)
    p = d.add_paragraph(style="Card")
    p.add_run("plain ")
    p.add_run("read", style="Read")
    off = p.add_run(" off", style="Style Underline")
    off.font.underline = False  # direct w:u="none" wins over the style
    d.add_paragraph("all underlined", style="Underlined Para")
    (card,) = read_verbatim(_save(d)).cards()
    assert card.tag == "A tag in a custom style"
    assert card.body == "plain read off\nall underlined"
    assert _texts(card, Mark.UNDERLINE) == ["read", "all underlined"]


def _stored_copy(data: bytes, damage_main: bool) -> bytes:
    """The package re-zipped with every part stored (not deflated); its main part's bytes
    changed after the CRC was written when `damage_main`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename), zipfile.ZIP_STORED)
    raw = bytearray(out.getvalue())
    if damage_main:
        at = raw.index(b"<w:body>")  # inside word/document.xml, stored as is
        raw[at + 1] = ord("W")
    return bytes(raw)


def test_main_part_inflated_once_is_still_crc_checked() -> None:
    data = (VERBATIM / "neg.docx").read_bytes()
    cards = read_verbatim(data).cards()
    assert [c.body for c in read_verbatim(_stored_copy(data, False)).cards()] == [
        c.body for c in cards
    ]
    with pytest.raises(CorruptFile, match="CRC"):
        read_verbatim(_stored_copy(data, True))
