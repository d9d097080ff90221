"""Real files in, ParsedDocument or a specific evidence error out. Nothing is mocked: the bad
inputs are built byte by byte in tmp_path."""

from __future__ import annotations

import contextlib
import os
import random
import zipfile
from pathlib import Path

import docx
import pymupdf
import pytest

from evidence.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    EvidenceError,
    FileTooLarge,
    UnreadablePath,
    UnsupportedFile,
)
from evidence.parsers import parse_file
from evidence.parsers.document import SourceKind
from evidence.parsers.metadata import is_junk_author, is_junk_title, pdf_date, split_authors
from evidence.parsers.sniff import OLE2_MAGIC, sniff_kind
from tests.conftest import SAMPLES

PAPER = SAMPLES / "pdf" / "debatesum-paper.pdf"
ONE_NC = SAMPLES / "verbatim" / "1nc.docx"

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Whales, Treaties and the Sea | Ocean Policy Review</title>
<meta name="author" content="Jane Doe">
<meta property="og:title" content="Whales, Treaties and the Sea">
<meta property="og:site_name" content="Ocean Policy Review">
<meta property="og:url" content="https://oceanpolicy.example.org/2023/05/whales-treaties">
<meta property="article:published_time" content="2023-05-14T09:30:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/subscribe">Subscribe</a></nav>
<article><h1>Whales, Treaties and the Sea</h1>
<p>The United Nations Convention on the Law of the Sea imposes a duty upon states to conserve
whales that is stronger than their obligations under the whaling convention, scholars argue.</p>
<p>Article 65 of the convention provides that states shall cooperate with a view to the
conservation of marine mammals and shall work through the appropriate organizations.</p>
<p>Critics of the current regime point out that the International Whaling Commission has
struggled for decades to reconcile the interests of whaling nations with conservation.</p>
<p>Supporters respond that the moratorium, adopted in 1982 and effective from 1986, has allowed
several populations of great whales to recover from the brink of extinction.</p>
<p>Whatever the merits of either view, the question of how the two treaties interact is likely
to become more pressing as warming seas push whale populations into new waters.</p>
<p>The negotiators of the new high seas treaty have so far avoided the question, leaving it to
the existing bodies, though several delegations intend to raise it at the next conference.</p>
</article>
<footer>Copyright 2024 Ocean Policy Review. All rights reserved.</footer>
</body></html>
"""

NO_ARTICLE = """<!doctype html><html><head><title>Sign in | Example News</title></head>
<body><header><a href="/">Example News</a></header>
<nav><ul><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/science">Science</a></li></ul></nav>
<main><div class="paywall"><h2>Subscribe to continue reading</h2>
<form><input type="email"><button>Sign in</button></form></div></main>
<footer><p>© 2024 Example News</p></footer></body></html>
"""


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- real samples ---------------------------------------------------------------------------


def test_sample_pdf_has_pages_and_first_page_metadata() -> None:
    doc = parse_file(PAPER)
    assert doc.kind is SourceKind.PDF
    assert len(doc.page_starts) == 7 and doc.extra["pages"] == "7"
    assert doc.page_starts == sorted(doc.page_starts) and doc.page_starts[0] == 0
    # The embedded metadata says "Instructions for ACL-2013 Proceedings" by "Windows User".
    assert doc.title == "DebateSum: A large-scale argument mining and summarization dataset"
    assert doc.authors == ["Allen Roush", "Arvind Balaji"]
    assert doc.date == "2020-11-01"
    assert doc.page_at(doc.text.index("Abstract")) == 1
    # Page 7 is blank: it starts where the text ends, so no offset maps to it.
    assert doc.page_at(len(doc.text) - 1) == 6 and doc.page_starts[6] == len(doc.text)
    # Paragraphs survive; soft hyphens go only where the paper spells the word whole.
    assert "\n\n1 Introduction and Background\n\n" in doc.text
    assert "automatic debating systems" in doc.text
    assert "evidence-summary" in doc.text
    assert "\x00" not in doc.text and not doc.warnings


def test_sample_verbatim_docx_text_and_filtered_template_metadata() -> None:
    doc = parse_file(ONE_NC)
    assert doc.kind is SourceKind.DOCX
    assert "UNCLOS imposes a duty upon states to conserve whales" in doc.text
    assert "\n\nProtection means to command a cessation of use.\n\n" in doc.text
    # Core properties say "Verbatim Mac" by "Microsoft Office User": the template's, not ours.
    assert doc.title == "" and doc.authors == []
    assert doc.date == "2021-11-08"
    assert doc.page_starts == []


def test_type_comes_from_content_not_extension(tmp_path: Path) -> None:
    pdf = write(tmp_path / "paper.txt", PAPER.read_bytes())
    word = write(tmp_path / "cards.pdf", ONE_NC.read_bytes())
    page = write(tmp_path / "page.docx", ARTICLE.encode())
    notes = write(tmp_path / "notes.html", b"# Notes\n\nplain words")
    assert sniff_kind(pdf, pdf.read_bytes()) is SourceKind.PDF
    assert sniff_kind(word, word.read_bytes()) is SourceKind.DOCX
    assert sniff_kind(page, page.read_bytes()) is SourceKind.HTML
    assert sniff_kind(notes, notes.read_bytes()) is SourceKind.TEXT
    assert parse_file(word).kind is SourceKind.DOCX


# --- PDF ------------------------------------------------------------------------------------


def test_truncated_pdf_is_corrupt(tmp_path: Path) -> None:
    data = PAPER.read_bytes()
    with pytest.raises(CorruptFile, match="PDF is damaged"):
        parse_file(write(tmp_path / "half.pdf", data[: len(data) // 2]))


def test_pdf_header_with_garbage_is_corrupt(tmp_path: Path) -> None:
    with pytest.raises(CorruptFile, match="PDF is damaged"):
        parse_file(write(tmp_path / "bad.pdf", b"%PDF-1.7\n" + os.urandom(4000)))


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    with pymupdf.open(PAPER) as src:
        src.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    with pytest.raises(EncryptedFile, match="password-protected"):
        parse_file(path)


def test_owner_password_only_pdf_still_reads(tmp_path: Path) -> None:
    # No user password: viewers open it freely, so must we.
    path = tmp_path / "restricted.pdf"
    with pymupdf.open(PAPER) as src:
        src.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="y")
    assert "DebateSum" in parse_file(path).text


def test_blank_and_image_only_pdfs_have_no_text(tmp_path: Path) -> None:
    blank = tmp_path / "blank.pdf"
    with pymupdf.open() as pdf:
        pdf.new_page()
        pdf.save(blank)
    scanned = tmp_path / "scan.pdf"
    with pymupdf.open() as pdf:
        page = pdf.new_page()
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 64, 64), False)
        pix.clear_with(200)
        page.insert_image(pymupdf.Rect(72, 72, 400, 400), pixmap=pix)
        pdf.save(scanned)
    for path in (blank, scanned):
        with pytest.raises(EmptyFile, match="no extractable text"):
            parse_file(path)


def test_blank_page_between_text_pages_keeps_page_numbers(tmp_path: Path) -> None:
    path = tmp_path / "gap.pdf"
    with pymupdf.open() as pdf:
        pdf.new_page().insert_text((72, 72), "First page words.")
        pdf.new_page()
        pdf.new_page().insert_text((72, 72), "Third page words.")
        pdf.save(path)
    doc = parse_file(path)
    assert doc.text == "First page words.\n\nThird page words."
    assert doc.page_at(doc.text.index("Third")) == 3
    assert doc.page_at(0) == 1
    assert doc.title == "" and doc.authors == []


# --- Word -----------------------------------------------------------------------------------


def test_legacy_doc_renamed_docx(tmp_path: Path) -> None:
    path = write(
        tmp_path / "old.docx", OLE2_MAGIC + b"\0" * 4096 + "WordDocument".encode("utf-16-le")
    )
    with pytest.raises(UnsupportedFile, match=r"legacy Word \.doc"):
        parse_file(path)


@pytest.mark.parametrize("name", [b"EncryptedPackage", "EncryptedPackage".encode("utf-16-le")])
def test_password_protected_docx(tmp_path: Path, name: bytes) -> None:
    # Far past the first block, as in real files whose directory follows the package.
    path = write(tmp_path / "locked.docx", OLE2_MAGIC + b"\0" * 200_000 + name + b"\0" * 512)
    with pytest.raises(EncryptedFile, match="password-protected"):
        parse_file(path)


def test_png_named_docx(tmp_path: Path) -> None:
    path = write(tmp_path / "photo.docx", b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    with pytest.raises(UnsupportedFile, match="PNG image"):
        parse_file(path)


def test_zip_that_is_not_word(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnsupportedFile, match="zip archive, not a Word document"):
        parse_file(path)


def test_zip_bomb_is_refused_before_decompressing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = b"\0" * 2**20
            for _ in range(120):  # 120 MB of zeros deflate to ~120 KB
                member.write(zeros)
    assert path.stat().st_size < 2**20
    with pytest.raises(FileTooLarge, match=r"expands to 120 MB"):
        parse_file(path)


def test_expansion_beyond_twenty_times_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 3 * 2**20)  # under the ratio rule's 100 MB
    with pytest.raises(FileTooLarge, match="expands to 3 MB"):
        parse_file(path, max_bytes=100_000)


def test_docx_with_garbage_xml_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(ONE_NC) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = b"<w:document><not xml" if item.filename == "word/document.xml" else None
            dst.writestr(item, data if data is not None else src.read(item))
    with pytest.raises(CorruptFile, match="Word document is damaged"):
        parse_file(path)


def test_truncated_docx_is_corrupt(tmp_path: Path) -> None:
    data = ONE_NC.read_bytes()
    with pytest.raises(CorruptFile, match="Word document is damaged"):
        parse_file(write(tmp_path / "cut.docx", data[: len(data) // 2]))


def test_docx_tables_in_order_and_core_properties(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Before the table.")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"cell {r}{c}"
    document.add_paragraph("")
    document.add_paragraph("After the table.", style="Heading 4")
    document.core_properties.title = "Whaling Backfile"
    document.core_properties.author = "Doe, Jane; Smith, John"
    path = tmp_path / "t.docx"
    document.save(str(path))
    doc = parse_file(path)
    assert doc.text == (
        "Before the table.\n\ncell 00\n\ncell 01\n\ncell 10\n\ncell 11\n\nAfter the table."
    )
    assert doc.title == "Whaling Backfile"
    assert doc.authors == ["Doe, Jane", "Smith, John"]


# --- HTML -----------------------------------------------------------------------------------


def test_html_article_text_and_metadata(tmp_path: Path) -> None:
    doc = parse_file(write(tmp_path / "article.htm", ARTICLE.encode()))
    assert doc.kind is SourceKind.HTML
    assert doc.title == "Whales, Treaties and the Sea"
    assert doc.authors == ["Jane Doe"]
    assert doc.date == "2023-05-14"
    assert doc.publication == "Ocean Policy Review"
    assert doc.url == "https://oceanpolicy.example.org/2023/05/whales-treaties"
    assert "conserve\nwhales" not in doc.text
    assert "imposes a duty upon states to conserve whales" in doc.text
    assert "Subscribe" not in doc.text and "All rights reserved" not in doc.text
    assert doc.text.count("\n\n") >= 6  # one paragraph per <p>


def test_html_without_article(tmp_path: Path) -> None:
    with pytest.raises(EmptyFile, match="no article text"):
        parse_file(write(tmp_path / "paywall.html", NO_ARTICLE.encode()))


def test_html_declared_charset(tmp_path: Path) -> None:
    page = ARTICLE.replace('charset="utf-8"', 'charset="windows-1252"').replace(
        "scholars argue", "scholars’ café argue"
    )
    doc = parse_file(write(tmp_path / "latin.html", page.encode("cp1252")))
    assert "scholars’ café argue" in doc.text


# --- plain text -----------------------------------------------------------------------------


def test_cp1252_text(tmp_path: Path) -> None:
    text = "Café policy\r\n\r\nThe “plan” costs €5 — says Müller.\r\n"
    doc = parse_file(write(tmp_path / "notes.txt", text.encode("cp1252")))
    assert doc.kind is SourceKind.TEXT
    assert doc.text == "Café policy\n\nThe “plan” costs €5 — says Müller.\n"
    assert doc.title == "Café policy" and doc.extra["encoding"] == "cp1252"


def test_utf16_text_and_markdown_title(tmp_path: Path) -> None:
    text = "\n# Whales and UNCLOS\n\nStates must conserve whales.\n"
    doc = parse_file(write(tmp_path / "notes.md", text.encode("utf-16")))
    assert doc.text == text and doc.title == "Whales and UNCLOS"


def test_long_first_line_is_not_a_title(tmp_path: Path) -> None:
    doc = parse_file(write(tmp_path / "a.txt", ("word " * 60).encode()))
    assert doc.title == ""


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    path = write(tmp_path / "paper.pdf", random.Random(7).randbytes(10_000))
    with pytest.raises(UnsupportedFile, match="binary data"):
        parse_file(path)


def test_elf_and_gzip_are_named(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFile, match="ELF executable"):
        parse_file(write(tmp_path / "a.txt", b"\x7fELF\x02\x01\x01" + b"\0" * 100))
    with pytest.raises(UnsupportedFile, match="gzip"):
        parse_file(write(tmp_path / "b.txt", b"\x1f\x8b\x08\x00" + os.urandom(100)))


def test_text_starting_like_a_weak_signature_is_text(tmp_path: Path) -> None:
    doc = parse_file(write(tmp_path / "cars.txt", b"BMW and MZ motorcycles are German."))
    assert doc.kind is SourceKind.TEXT


# --- paths ----------------------------------------------------------------------------------


def test_empty_whitespace_missing_dir_and_fifo(tmp_path: Path) -> None:
    with pytest.raises(EmptyFile, match="0 bytes"):
        parse_file(write(tmp_path / "empty.pdf", b""))
    with pytest.raises(EmptyFile, match="whitespace"):
        parse_file(write(tmp_path / "blank.txt", b" \n\t\n"))
    with pytest.raises(UnreadablePath, match="no such file or folder"):
        parse_file(tmp_path / "missing.pdf")
    with pytest.raises(UnreadablePath, match="folder"):
        parse_file(tmp_path)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(UnreadablePath, match="not a regular file"):
        parse_file(fifo)


def test_file_over_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", b"word " * 300_000)
    with pytest.raises(FileTooLarge, match=r"file is 1\.4 MB; the limit is 1\.0 MB"):
        parse_file(path, max_bytes=2**20)


def test_every_error_is_an_evidence_error(tmp_path: Path) -> None:
    rng = random.Random(3)
    data = PAPER.read_bytes()
    for i in range(20):  # damaged copies: flipped bytes throughout the file
        damaged = bytearray(data)
        for _ in range(50):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        with contextlib.suppress(EvidenceError):  # anything else fails the test
            parse_file(write(tmp_path / f"d{i}.pdf", bytes(damaged)))


# --- metadata helpers -----------------------------------------------------------------------


def test_junk_metadata() -> None:
    for title in ["Instructions for ACL-2013 Proceedings", "Microsoft Word - x.docx", "untitled",
                  "Verbatim Mac", "Document1", "final draft.pdf"]:  # fmt: skip
        assert is_junk_title(title), title
    assert is_junk_title("1nc", "1nc.docx")
    for title in ["Documenting the Holocaust", "Whales and UNCLOS", "DebateSum"]:
        assert not is_junk_title(title), title
    for author in ["Windows User", "Administrator", "user", "Owner", "jsmith2"]:
        assert is_junk_author(author), author
    assert split_authors("Allen Roush, Arvind Balaji and Bob Ray") == [
        "Allen Roush",
        "Arvind Balaji",
        "Bob Ray",
    ]
    assert split_authors("Smith, John") == ["Smith, John"]
    assert split_authors("Windows User") == []
    assert pdf_date("D:20201101061916Z") == "2020-11-01"
    assert pdf_date("D:2020") == "2020" and pdf_date("nonsense") == ""
