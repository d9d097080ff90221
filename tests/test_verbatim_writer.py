"""The Verbatim writer: real .docx files written and read back (python-docx and raw XML)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Span, walk
from evidence.verbatim.writer import (
    ExportError,
    ExportOptions,
    docx_bytes,
    export_error,
    export_warnings,
    write_docx,
)
from tests.conftest import ARTIFACTS
from tests.verbatim_docx import (
    NS,
    E,
    H,
    U,
    W,
    as_file,
    body_paragraphs,
    card_paragraphs,
    p_style,
    p_text,
    part_xml,
    read_body,
    rpr_val,
    run_text,
    sample_doc,
    style_id,
)


@pytest.fixture()
def exported(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "out.docx"
    write_docx(sample_doc(), path)
    return path, path.read_bytes()


def test_styles_have_verbatim_ids_and_looks(exported: tuple[Path, bytes]) -> None:
    styles = part_xml(exported[1], "word/styles.xml")
    by_id = {s.get(f"{{{W}}}styleId"): s for s in styles.iterfind("w:style", NS)}

    def has(style_id: str, path: str, val: str | None = "") -> bool:
        node = by_id[style_id].find(path, NS)
        return node is not None and (val == "" or node.get(f"{{{W}}}val") == val)

    looks = {1: ("52", None), 2: ("44", "double"), 3: ("32", "single"), 4: ("26", None)}
    for n, (size, underline) in looks.items():
        sid = f"Heading{n}"
        assert by_id[sid].get(f"{{{W}}}type") == "paragraph"
        assert has(sid, "w:name", f"heading {n}")
        assert has(sid, "w:pPr/w:outlineLvl", str(n - 1))
        assert has(sid, "w:rPr/w:b") and has(sid, "w:rPr/w:sz", size)
        assert has(sid, "w:rPr/w:u", underline) if underline else not has(sid, "w:rPr/w:u")
        assert has(sid, "w:pPr/w:pageBreakBefore") == (n < 4)
        assert has(sid, "w:pPr/w:jc", "center") == (n < 4)
        assert has(sid, "w:pPr/w:keepNext")
    assert has("Heading1", "w:pPr/w:pBdr/w:top") and has("Heading1", "w:pPr/w:pBdr/w:left")

    assert by_id["Style13ptBold"].get(f"{{{W}}}type") == "character"
    assert has("Style13ptBold", "w:aliases", "Cite") and has("Style13ptBold", "w:rPr/w:b")
    assert has("Style13ptBold", "w:rPr/w:sz", "26")
    assert has("StyleUnderline", "w:name", "Style Underline")
    assert has("StyleUnderline", "w:rPr/w:u", "single") and has("StyleUnderline", "w:rPr/w:b", "0")
    assert has("StyleUnderline", "w:rPr/w:sz", "22")
    assert has("Emphasis", "w:rPr/w:b") and has("Emphasis", "w:rPr/w:u", "single")
    assert has("Emphasis", "w:rPr/w:i", "0") and has("Emphasis", "w:rPr/w:bdr")
    assert has("Emphasis", "w:rPr/w:sz", "22")
    assert has("Normal", "w:rPr/w:rFonts") and has("Normal", "w:rPr/w:sz", "22")
    assert by_id["Normal"].find("w:rPr/w:rFonts", NS).get(f"{{{W}}}ascii") == "Calibri"
    assert "Heading1Char" not in by_id  # python-docx's blue linked style is gone
    ids = [s.get(f"{{{W}}}styleId") for s in styles.iterfind("w:style", NS)]
    for sid in ("Heading1", "Heading2", "Heading3", "Heading4", "Emphasis", "Normal"):
        assert ids.count(sid) == 1  # redefined in place, not added beside the template's

    # The same looks as python-docx sees them through style inheritance.
    d = docx.Document(str(exported[0]))
    h3 = next(s for s in d.styles if s.style_id == "Heading3")
    assert h3.name == "Heading 3" and h3.font.bold and h3.font.size.pt == 16
    assert h3.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    h4 = next(s for s in d.styles if s.style_id == "Heading4")
    assert h4.paragraph_format.keep_with_next and not h4.paragraph_format.page_break_before
    assert h4.font.size.pt == 13


def test_outline_and_cite_paragraphs(exported: tuple[Path, bytes]) -> None:
    d = docx.Document(str(exported[0]))
    styled = [(style_id(p), p.text) for p in d.paragraphs if style_id(p) != "Normal"]
    assert styled == [
        ("Heading1", "Aff Answers"),
        ("Heading2", "Case"),
        ("Heading3", "1NC Warming Bad"),
        ("Heading4", "Warming causes extinction"),
        ("Heading4", "Deterrence checks nuclear war"),
        ("Heading4", "Their evidence is outdated"),
    ]
    assert d.core_properties.title == "Sample backfile"
    assert d.core_properties.author == "Debate Prep"

    for card in sample_doc().cards():
        _, cite, _ = card_paragraphs(exported[1], card.tag)
        first = cite.find("w:r", NS)
        assert rpr_val(first, "rStyle") == "Style13ptBold"
        assert run_text(first) == card.short_cite
        assert p_text(cite) == f"{card.short_cite} {card.full_cite}"  # "\n" kept as w:br
    # python-docx reads the line break back as "\n" inside the one cite paragraph.
    texts = [p.text for p in d.paragraphs]
    assert "Smith 20 John Smith, Professor of Politics, Oxford\nhttps://example.org" in "|".join(
        texts
    )


def test_two_line_cite_written_as_two_paragraphs() -> None:
    # VERBATIM.md's two-line layout: the short cite alone, then a line opening with a bracket
    # (or holding a URL). Any other line break stays inside the one cite paragraph.
    card = Card("Tag", "Matanich 96", ",\n(Johanna, J.D. candidate)", "Body text.", [])
    ps = body_paragraphs(docx_bytes(CardDocument([card])))
    assert [p_text(p) for p in ps] == [
        "Tag",
        "Matanich 96 ,",
        "(Johanna, J.D. candidate)",
        "Body text.",
    ]
    assert rpr_val(ps[1].find("w:r", NS), "rStyle") == "Style13ptBold"
    assert p_style(ps[2]) is None and ps[2].find("w:r/w:rPr", NS) is None
    one = Card("Tag", "Smith 20", "John Smith, Oxford\nProfessor of Politics", "Body.", [])
    ps = body_paragraphs(docx_bytes(CardDocument([one])))
    assert [p_text(p) for p in ps] == [
        "Tag",
        "Smith 20 John Smith, Oxford\nProfessor of Politics",
        "Body.",
    ]
    assert ps[1].find("w:r/w:br", NS) is not None


def test_body_runs_reproduce_text_and_spans_exactly(exported: tuple[Path, bytes]) -> None:
    for card in sample_doc().cards():
        _, _, body = card_paragraphs(exported[1], card.tag)
        assert len(body) == card.body.count("\n") + 1
        text, spans = read_body(body)
        assert text == card.body
        assert spans == set(card.spans)


def test_forced_highlight_colour() -> None:
    data = docx_bytes(sample_doc(), ExportOptions(highlight_color="cyan"))
    for card in sample_doc().cards():
        _, spans = read_body(card_paragraphs(data, card.tag)[2])
        want = {Span(s.start, s.end, s.mark, "cyan" if s.mark is H else "") for s in card.spans}
        assert spans == want


def test_unknown_colours_become_yellow_and_are_reported() -> None:
    doc = CardDocument([Card("T", "A 20", "(x)", "some text", [Span(0, 4, H, "chartreuse")])])
    assert export_warnings(doc) == [
        "Highlight colour 'chartreuse' is not a Word highlight colour; used yellow"
    ]
    _, spans = read_body(card_paragraphs(docx_bytes(doc), "T")[2])
    assert spans == {Span(0, 4, H, "yellow")}
    turquoise = docx_bytes(doc, ExportOptions(highlight_color="Turquoise"))
    assert read_body(card_paragraphs(turquoise, "T")[2])[1] == {Span(0, 4, H, "cyan")}


def test_shrink_makes_unmarked_runs_small() -> None:
    data = docx_bytes(sample_doc(), ExportOptions(shrink=True))
    seen_small = 0
    for card in sample_doc().cards():
        for p in card_paragraphs(data, card.tag)[2]:
            for r in p.iterfind("w:r", NS):
                marked = rpr_val(r, "rStyle") or rpr_val(r, "highlight")
                assert (rpr_val(r, "sz") is None) == bool(marked)
                if not marked:
                    assert rpr_val(r, "sz") == "16" and rpr_val(r, "szCs") == "16"
                    seen_small += 1
        # Shrinking changes sizes only, never the words or marks.
        text, spans = read_body(card_paragraphs(data, card.tag)[2])
        assert text == card.body and spans == set(card.spans)
    assert seen_small > 3


def test_condense_puts_each_body_in_one_paragraph() -> None:
    data = docx_bytes(sample_doc(), ExportOptions(condense=True))
    card = sample_doc().cards()[0]
    body = card_paragraphs(data, card.tag)[2]
    assert len(body) == 1
    text, spans = read_body(body)
    assert text == card.body.replace("\n", " ") and spans == set(card.spans)


def test_analytics_written_or_left_out() -> None:
    d = docx.Document(as_file(docx_bytes(sample_doc())))
    texts = [p.text for p in d.paragraphs]
    i = texts.index("Their evidence is outdated")
    assert texts[i + 1 : i + 3] == ["It predates the 2020 treaty.", "Extend 1NC."]
    assert style_id(d.paragraphs[i + 1]) == "Normal"
    d = docx.Document(as_file(docx_bytes(sample_doc(), ExportOptions(include_analytics=False))))
    texts = [p.text for p in d.paragraphs]
    assert "Their evidence is outdated" not in texts and "Extend 1NC." not in texts


def test_empty_and_awkward_text_still_valid() -> None:
    bad = "ctrl\x01char\x0bhere"
    doc = CardDocument(
        [
            Heading(Level.BLOCK, ""),
            Card("", "", "", ""),
            Card("only a tag", "", "", "body", [Span(-5, 2, U), Span(3, 99, H, ""), Span(2, 2, E)]),
            Card(bad, "X 21", "", bad, [Span(0, len(bad), U)]),
        ]
    )
    data = docx_bytes(doc)
    d = docx.Document(as_file(data))  # parses: the XML is well formed
    assert "ctrl char here" in [p.text for p in d.paragraphs]
    _, spans = read_body(card_paragraphs(data, "only a tag")[2])
    assert spans == {Span(0, 2, U), Span(3, 4, H, "yellow")}  # clipped to the body


def test_existing_target_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "file.docx"
    big = sample_doc()
    big.nodes.extend(Card(f"Tag {i}", "A 20", "(x)", "text " * 500) for i in range(50))
    write_docx(big, target)
    write_docx(CardDocument([Analytic("Just this")]), target)
    d = docx.Document(str(target))
    assert [p.text for p in d.paragraphs] == ["Just this"]
    assert [p.name for p in tmp_path.iterdir()] == ["file.docx"]


def test_unwritable_location_raises_export_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(ExportError, match=r"not-a-folder.*choose another folder") as info:
        write_docx(sample_doc(), blocker / "out.docx")
    assert isinstance(info.value.__cause__, OSError)
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]
    assert blocker.read_text() == "x"


def test_error_messages_say_what_to_do() -> None:
    path = Path("/x/Aff.docx")
    locked = export_error(path, PermissionError(errno.EACCES, "denied"), replacing=True)
    assert "/x/Aff.docx" in str(locked) and "close it in Word and try again" in str(locked)
    folder = export_error(path, PermissionError(errno.EACCES, "denied"), replacing=False)
    assert "choose another folder" in str(folder)
    read_only = export_error(path, OSError(errno.EROFS, "Read-only file system"), replacing=False)
    assert "read-only: choose another folder" in str(read_only)
    full = export_error(path, OSError(errno.ENOSPC, "No space"), replacing=True)
    assert "disk is full" in str(full)


def test_thousand_cards_export_quickly() -> None:
    body = ("Deterrence holds because leaders fear retaliation and escalation. " * 40).strip()
    spans = [Span(i, i + 30, U) for i in range(0, len(body) - 40, 60)]
    spans += [Span(i + 5, i + 20, H, "cyan") for i in range(0, len(body) - 40, 120)]
    cards = [Card(f"Tag {i}", "Smith 20", "(Prof)", body, spans) for i in range(1000)]
    start = time.perf_counter()
    data = docx_bytes(CardDocument([Heading(Level.BLOCK, "B", list(cards))]))
    assert time.perf_counter() - start < 10  # about 0.3 s here; generous for slow CI
    assert len(docx.Document(as_file(data)).paragraphs) == 1 + 3 * 1000


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) not installed; `make test` installs it, CI requires it",
)
def test_libreoffice_renders_the_export(tmp_path: Path) -> None:
    import pymupdf

    source = tmp_path / "export.docx"
    write_docx(sample_doc(), source)
    profile = Path(f"/tmp/lo-profile-{uuid.uuid4().hex}")  # own profile: root-safe, parallel-safe
    soffice = [str(shutil.which("soffice")), f"-env:UserInstallation={profile.as_uri()}"]
    convert = ["--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)]
    try:
        subprocess.run([*soffice, *convert], check=True, capture_output=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    with pymupdf.open(tmp_path / "export.pdf") as pdf:
        pages = [" ".join(page.get_text().split()) for page in pdf]
        tags = [n.title if isinstance(n, Heading) else n.tag for n in walk(sample_doc().nodes)]
        assert len(tags) == 6 and all(any(tag in page for page in pages) for tag in tags)
        # Pocket, Hat and Block each start a page, as Verbatim's headings do.
        assert len(pages) >= 3 and "Aff Answers" in pages[0] and "Case" not in pages[0]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pdf[0].get_pixmap(dpi=100).save(ARTIFACTS / "verbatim_export_page1.png")
        cards_page = next(i for i, p in enumerate(pages) if sample_doc().cards()[0].tag in p)
        pdf[cards_page].get_pixmap(dpi=100).save(ARTIFACTS / "verbatim_export_cards_page.png")
