"""Import → export → import gives the same outline and cards, for every sample file; and the
exported file renders in LibreOffice with every tag on the page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Node
from evidence.datadir import DataDir
from evidence.library import Library
from evidence.settings import Settings
from evidence.verbatim import read_verbatim
from evidence.verbatim.writer import ExportOptions, write_docx
from tests.conftest import ARTIFACTS, SAMPLES

VERBATIM_SAMPLES = sorted((SAMPLES / "verbatim").glob("*.docx"))


def shape(nodes: list[Node]) -> list[Any]:
    """Everything a round trip must keep, as plain data (provenance fields left out)."""
    out: list[Any] = []
    for n in nodes:
        if isinstance(n, Heading):
            out.append(("heading", int(n.level), n.title, shape(n.children)))
        elif isinstance(n, Card):
            spans = sorted((s.start, s.end, str(s.mark), s.color) for s in n.spans)
            out.append(("card", n.tag, n.short_cite, n.full_cite, n.body, spans))
        elif isinstance(n, Analytic):
            out.append(("analytic", n.tag, n.text))
    return out


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    lib = Library(DataDir(tmp_path_factory.mktemp("verbatim-lib")), Settings())
    list(lib.import_paths(VERBATIM_SAMPLES, embed=False))
    yield lib
    lib.close()


@pytest.mark.parametrize("sample", VERBATIM_SAMPLES, ids=lambda p: p.name)
def test_store_keeps_the_outline_the_reader_found(library: Library, sample: Path) -> None:
    (source,) = library.find_sources(sample.name)
    stored = library.card_document(source_ids=[source.id])
    assert shape(stored.nodes) == shape(read_verbatim(sample.read_bytes()).nodes)
    assert len(stored.cards()) > 5


@pytest.mark.parametrize("sample", VERBATIM_SAMPLES, ids=lambda p: p.name)
def test_import_export_import_is_identity(library: Library, sample: Path, tmp_path: Path) -> None:
    (source,) = library.find_sources(sample.name)
    stored = library.card_document(source_ids=[source.id])
    out = tmp_path / f"rt-{sample.name}"
    write_docx(stored, out)
    again = read_verbatim(out.read_bytes())
    assert shape(again.nodes) == shape(stored.nodes)


def test_card_bodies_sit_verbatim_in_their_source_text(library: Library) -> None:
    rows = library.cards()
    assert rows
    for row in rows:
        if isinstance(row.node, Card):
            text = library.store.source_text(row.source_id)
            off = row.node.source_offset
            assert off is not None
            assert text[off : off + len(row.node.body)] == row.node.body


def test_cards_are_searchable_by_tag_cite_and_body(library: Library) -> None:
    by_cite = library.search("Matanich", mode="lexical", k=3)
    assert by_cite and Path(by_cite[0].origin).name == "1nc.docx"
    card = next(r for r in library.cards() if isinstance(r.node, Card))
    hits = library.search(card.node.tag, mode="lexical", k=5)
    assert card.passage_id in {h.passage_id for h in hits}


def test_selected_cards_export_under_their_headings(library: Library, tmp_path: Path) -> None:
    rows = [r for r in library.cards() if isinstance(r.node, Card)][:3]
    doc = library.card_document(card_ids=[r.id for r in rows])
    assert [c.tag for c in doc.cards()] == [r.node.tag for r in rows]
    out = tmp_path / "three.docx"
    write_docx(doc, out, ExportOptions(condense=True, highlight_color="cyan"))
    back = read_verbatim(out.read_bytes())
    assert [c.tag for c in back.cards()] == [r.node.tag for r in rows]
    assert all("\n" not in c.body for c in back.cards())
    assert {s.color for c in back.cards() for s in c.spans if s.color} <= {"cyan"}


def _words(text: str) -> str:
    # Line wraps may fall inside "---" or after a dash, so compare without any whitespace.
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice (soffice) not installed; `make test` installs it, CI requires it",
)
def test_libreoffice_renders_every_tag_of_an_exported_sample(
    library: Library, tmp_path: Path
) -> None:
    import pymupdf

    (source,) = library.find_sources("1nc.docx")
    doc: CardDocument = library.card_document(source_ids=[source.id])
    out = tmp_path / "1nc-export.docx"
    write_docx(doc, out, ExportOptions(shrink=True))
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is required in CI (make test installs it)"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = pymupdf.open(tmp_path / "1nc-export.pdf")
    text = _words(" ".join(page.get_text() for page in pdf))
    missing = [c.tag for c in doc.cards() if c.tag and _words(c.tag) not in text]
    assert not missing, f"tags not rendered: {missing[:5]}"
    ARTIFACTS.mkdir(exist_ok=True)
    pdf[2].get_pixmap(dpi=80).save(ARTIFACTS / "export_1nc_page3.png")


def test_exported_cite_keeps_the_short_cite_in_place_not_twice(
    library: Library, tmp_path: Path
) -> None:
    import docx

    (source,) = library.find_sources("1nc.docx")
    doc = library.card_document(source_ids=[source.id])
    out = tmp_path / "cites.docx"
    write_docx(doc, out)
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    inside = [c for c in doc.cards() if c.short_cite and c.full_cite.find(c.short_cite) > 0]
    assert inside, "1nc.docx has cites like 'Johanna Matanich 96, ARTICLE ...'"
    for card in inside:
        cite_line = paragraphs[paragraphs.index(card.tag) + 1]
        assert cite_line == card.full_cite  # e.g. "Johanna Matanich 96, ..." exactly once


def test_a_two_thousand_page_backfile_imports_whole(tmp_path: Path) -> None:
    from evidence.cards.card import Level, Mark, Span

    words = ("deterrence holds because leaders fear retaliation and escalation " * 40).strip()
    blocks = []
    for b in range(100):
        cards: list[Node] = []
        for c in range(30):
            body = f"{words} card {b}-{c}."
            spans = [Span(0, 10, Mark.UNDERLINE), Span(0, 10, Mark.HIGHLIGHT, "yellow")]
            cards.append(Card(f"Tag {b}-{c}", f"Author {c % 90:02d}", "[Quals, 2020]", body, spans))
        blocks.append(Heading(Level.BLOCK, f"Block {b}", cards))
    big = CardDocument([Heading(Level.POCKET, "1NC", blocks)])
    path = tmp_path / "huge-backfile.docx"
    write_docx(big, path)  # 3,000 cards of ~300 words: well over 2,000 pages in Word
    lib = Library(DataDir(tmp_path / "lib"), Settings())
    events = list(lib.import_paths([path], embed=False))
    assert any(getattr(e, "cards", 0) == 3000 for e in events)
    assert len(lib.cards()) == 3000
    assert shape(lib.card_document().nodes) == shape(big.nodes)
    lib.close()


def test_a_word_file_without_verbatim_structure_imports_as_an_article(tmp_path: Path) -> None:
    import docx

    article = docx.Document()
    article.add_heading("Why Whales Matter", level=1)
    for n in range(6):
        article.add_paragraph(f"Paragraph {n} about whale migration and ocean health. " * 12)
    path = tmp_path / "article.docx"
    article.save(str(path))
    lib = Library(DataDir(tmp_path / "lib"), Settings())
    results = [e for e in lib.import_paths([path], embed=False) if hasattr(e, "cards")]
    assert results[0].cards == 0 and results[0].passages >= 1
    assert lib.cards() == []
    assert lib.search("whale migration", mode="lexical")
    lib.close()
