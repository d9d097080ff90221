"""The Verbatim reader on the real sample files, with expectations taken from their XML."""

from __future__ import annotations

import io
import struct
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Mark, walk
from evidence.errors import CorruptFile, EmptyFile, EncryptedFile, FileTooLarge
from evidence.verbatim import is_verbatim, read_verbatim
from evidence.verbatim.body import IMAGE_WARNING, TABLE_WARNING
from evidence.verbatim.cites import BY_POSITION
from evidence.verbatim.outline import NO_BODY, NO_TAG
from evidence.verbatim.reader import BAD_STYLES, NO_STYLES
from tests.conftest import SAMPLES

VERBATIM = SAMPLES / "verbatim"
FILES = ["1nc", "neg", "neg-2"]


@pytest.fixture(scope="module")
def docs() -> dict[str, CardDocument]:
    return {name: read_verbatim(VERBATIM / f"{name}.docx") for name in FILES}


# --- 1. card counts against a deliberately simple python-docx count -------------------------


def _level(p: Any) -> int:
    own = p._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    if own:
        return int(own[0]) + 1 if int(own[0]) <= 3 else 0
    sid = p.style.style_id if p.style is not None else ""
    return int(sid[-1]) if sid in ("Heading1", "Heading2", "Heading3", "Heading4") else 0


def _char_styles(p: Any) -> set[str]:
    return {el.get(qn("w:val")) for el in p._p.xpath(".//w:r/w:rPr/w:rStyle")}


def _cite_by_rule(p: Any) -> bool:  # VERBATIM.md: Cite run, or [ ( < * first, or a URL
    text = p.text.lstrip()
    return (
        "Style13ptBold" in _char_styles(p)
        or text[:1] in ("[", "(", "<", "*")
        or "http://" in text
        or "https://" in text
    )


def _underlined(p: Any) -> bool:
    direct = [el.get(qn("w:val")) for el in p._p.xpath(".//w:r/w:rPr/w:u")]
    return bool(_char_styles(p) & {"StyleUnderline", "Emphasis"}) or any(
        v not in (None, "none") for v in direct
    )


def independent_count(path: Path) -> tuple[int, int]:
    """(tags followed by a cite by the rule, tags followed by a plain cite-by-position: a
    paragraph with a year, then underlined text)."""
    paras = docx.Document(str(path)).paragraphs
    strict = positional = 0
    for i, p in enumerate(paras):
        if _level(p) != 4 or not p.text.strip():
            continue
        after = []
        for q in paras[i + 1 :]:
            if _level(q):
                break
            if q.text.strip():
                after.append(q)
        if after and _cite_by_rule(after[0]):
            strict += 1
        elif len(after) > 1 and any(c.isdigit() for c in after[0].text):
            positional += any(_underlined(q) for q in after[1:])
    return strict, positional


@pytest.mark.parametrize(
    ("name", "strict", "positional"), [("1nc", 20, 0), ("neg", 50, 9), ("neg-2", 51, 17)]
)
def test_card_counts_match_an_independent_count(
    docs: dict[str, CardDocument], name: str, strict: int, positional: int
) -> None:
    assert independent_count(VERBATIM / f"{name}.docx") == (strict, positional)
    cards = docs[name].cards()
    assert len(cards) == strict + positional
    assert sum(BY_POSITION in c.warnings for c in cards) == positional
    assert docs[name].warnings == []


# --- 2. spot checks, expected values read from the XML --------------------------------------


def _card(doc: CardDocument, tag_start: str) -> Card:
    (card,) = [c for c in doc.cards() if c.tag.startswith(tag_start)]
    return card


def _texts(card: Card, mark: Mark, color: str | None = None) -> list[str]:
    spans = [s for s in sorted(card.marked(mark)) if color is None or s.color == color]
    return [card.body[s.start : s.end] for s in spans]


def test_1nc_matanich_card(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["1nc"], "Protection means to command a cessation of use.")
    assert card.short_cite == "Matanich 96"  # "Johanna " precedes the Cite runs
    assert card.full_cite.startswith("Johanna Matanich 96, ARTICLE: A Treaty Comes of Age")
    assert card.full_cite.endswith("International Legal Perspectives, 8, 37, lexis")
    first, second = card.body.split("\n")  # a two-paragraph body
    assert first.startswith("UNCLOS imposes a duty upon states to conserve whales")
    assert second.startswith("The Vienna Convention on the Law of Treaties")
    assert second.endswith("which provides further support for this conclusion.")
    assert _texts(card, Mark.HIGHLIGHT) == [
        "conservation connotes", "conservative use", "protection", "command a cessation of use"
    ]  # fmt: skip
    assert {s.color for s in card.marked(Mark.HIGHLIGHT)} == {"cyan"}
    assert _texts(card, Mark.EMPHASIS) == ["command a cessation of use"]
    underline = _texts(card, Mark.UNDERLINE)
    assert (
        underline[0]
        == "UNCLOS creates the obligation to protect and preserve the marine environment"
    )
    # Adjacent StyleUnderline and Emphasis runs merge into one underline span.
    assert underline[-1].startswith("conservation connotes a conservative use of a resource")
    assert underline[-1].endswith('"protection" is used to command a cessation of use.')


def test_neg_farley_card_has_two_highlight_colours(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["neg"], "Plank 2 solves norms")
    assert card.short_cite == "1AC Farley 18"
    assert card.full_cite.startswith("Robert 1AC Farley 18, assistant professor at the Patterson")
    assert len(card.body.split("\n")) == 6
    assert card.body.startswith("Under what legal authority can the United States undertake")
    assert _texts(card, Mark.HIGHLIGHT, "cyan")[:6] == [
        "legal authority", "U", "S", "take", "strikes against No", "Ko"
    ]  # fmt: skip
    assert _texts(card, Mark.HIGHLIGHT, "yellow")[:2] == [
        "bloody nose” attack would make a mockery of", "international law, with"
    ]  # fmt: skip
    assert _texts(card, Mark.EMPHASIS)[:2] == ["what legal authority", "U"]
    assert _texts(card, Mark.UNDERLINE)[:3] == ["Under", "what legal authority", "can the"]


def test_neg_card_end_marker_in_cite_style_stays_in_the_body(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["neg"], "This sari card describes the CP")
    assert (card.short_cite, card.full_cite[:25]) == ("Sari 18", "[Aurel Sari, Associate Pr")
    assert "\n[Michigan’s Card End]\n" in card.body
    assert {s.color for s in card.marked(Mark.HIGHLIGHT)} == {"cyan"}


def test_neg_cite_found_by_position(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["neg"], "Deterrence high because of bloody nose threats.")
    assert card.warnings == [BY_POSITION]
    assert card.short_cite == "LEE AND ALEXANDROVA ’19"  # its bold words, up to the year
    assert card.full_cite.startswith("Dong Sun LEE IR @ Korea University AND Iordanka")
    assert card.body.startswith("Finally, some discussions are in order")


def test_neg2_macintosh_card_green_highlight(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["neg-2"], "Business practices refer to repeatable transactions.")
    assert card.short_cite == "Macintosh 97"
    assert card.full_cite.startswith("Kerry Lynn Macintosh 97, Associate Professor of Law")
    assert "\n" not in card.body and card.body.startswith("These new and revised articles")
    assert _texts(card, Mark.HIGHLIGHT, "green")[:3] == [
        'the term "business practices',
        "refer to practices that emerge over time as countless market participants ",
        "engage in",
    ]
    assert _texts(card, Mark.EMPHASIS)[:3] == ["codify", "business practices", "emerge over time"]
    assert _texts(card, Mark.UNDERLINE)[:2] == [
        "new and revised articles reflect a strong trend toward choosing default rules", "that"
    ]  # fmt: skip


# --- 3 and 4. outline and analytics ---------------------------------------------------------


def _heading(node: Any) -> Heading:
    assert isinstance(node, Heading), node
    return node


def _shape(nodes: list[Any]) -> list[tuple[str, str]]:
    return [(type(n).__name__, n.title if isinstance(n, Heading) else n.tag) for n in nodes]


def test_1nc_outline_hats_blocks_and_analytics(docs: dict[str, CardDocument]) -> None:
    hats = [_heading(n) for n in docs["1nc"].nodes]
    assert [(h.level, h.title) for h in hats] == [
        (Level.HAT, "Offcase"),
        (Level.HAT, "Equitable Apportionment ADV"),
        (Level.HAT, "Article III ADV"),
        (Level.HAT, "International Water Law ADV"),
    ]
    blocks = [_heading(n) for n in hats[0].children]
    assert {b.level for b in blocks} == {Level.BLOCK}
    assert [b.title for b in blocks] == [
        "1NC---T", "1NC---T", "1NC---CP", "1NC---CP", "1NC---DA", "1NC---DA"
    ]  # fmt: skip
    assert _shape(blocks[0].children) == [
        ("Card", "Protection means to command a cessation of use."),
        ("Analytic", "Violation: the plan does not eliminate military use of water."),
        ("Analytic", "Vote Neg for limits and ground. There are infinite ways to affect water OR "
         "prevent threats---err Neg on a massive topic with unlimited mechanisms."),
    ]  # fmt: skip
    # The counterplan text: a Tag-level plan and its planks, all Heading 4 with no cite.
    plan = blocks[3].children
    assert _shape(plan) == [
        ("Analytic", "The United States Congress and Executive should:"),
        ("Analytic", "prohibit overdrawing aquifers,"),
        ("Analytic", "invest in agriculture, especially for food insecure countries,"),
        ("Analytic", "incentivize other countries to adopt the significant harms principle and "
         "reject equitable apportionment, and"),
        ("Analytic", "fund desalination projects and provide water to insecure countries."),
        ("Card", "Payments convince other states."),
    ]  # fmt: skip
    assert all(n.text == "" for n in plan[:5] if isinstance(n, Analytic))


def test_neg_pockets(docs: dict[str, CardDocument]) -> None:
    pockets = [_heading(n) for n in docs["neg"].nodes]
    assert [(p.level, p.title) for p in pockets] == [
        (Level.POCKET, t) for t in ("1NC", "2NC", "1NR", "2NR")
    ]
    # Blocks straight under a Pocket (no Hat) stay where they are.
    blocks = [_heading(n) for n in pockets[0].children]
    assert [b.level for b in blocks] == [Level.BLOCK] * 6
    plan = blocks[2].children[0]
    assert isinstance(plan, Analytic) and plan.tag == "The United States federal government should:"
    assert plan.text.split("\n")[2] == "adopt an No first use policy."
    assert [h.title for h in map(_heading, pockets[1].children)] == ["CP", "Korea", "Norms"]


# --- 6. invariants over every sample card ---------------------------------------------------


def test_span_and_body_invariants(docs: dict[str, CardDocument]) -> None:
    for name, doc in docs.items():
        paras = docx.Document(str(VERBATIM / f"{name}.docx")).paragraphs
        lines = [p.text.replace("\t", " ").replace("\n", " ") for p in paras]
        at = 0
        for card in doc.cards():
            assert card.body and card.tag and card.spans, card.tag
            for s in card.spans:
                assert 0 <= s.start < s.end <= len(card.body), (card.tag, s)
                assert "\n" not in card.body[s.start : s.end], (card.tag, s)
                assert bool(s.color) == (s.mark == Mark.HIGHLIGHT), (card.tag, s)
            covered = {(s.start, s.end) for s in card.marked(Mark.UNDERLINE)}
            for s in card.marked(Mark.EMPHASIS):  # emphasis is underlined too
                assert any(a <= s.start and s.end <= b for a, b in covered), (card.tag, s)
            for line in card.body.split("\n"):  # python-docx's paragraph text, in order
                at = lines.index(line, at)
    card = _card(docs["1nc"], "Extinction.")  # whole-body comparison for one card
    paras = docx.Document(str(VERBATIM / "1nc.docx")).paragraphs
    start = next(i for i, p in enumerate(paras) if p.text == "Extinction.") + 2
    assert card.body == "\n".join(p.text for p in paras[start : start + 1])


def test_neg_reads_fast() -> None:
    started = time.perf_counter()
    doc = read_verbatim(VERBATIM / "neg.docx")
    assert time.perf_counter() - started < 1.0 and doc.cards()


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
