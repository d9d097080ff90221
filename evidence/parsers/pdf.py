"""PDF text and metadata with PyMuPDF.

Within a page, lines of a text block are joined with spaces and blocks with a blank line, so
paragraphs survive; pages are joined with a blank line too. Line-end hyphens are removed only
where the document itself spells the joined word elsewhere ("de-/bating" -> "debating"), so
real compounds ("evidence-/summary") stay as printed: evidence must be quoted verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pymupdf

from evidence.errors import CorruptFile, EmptyFile, EncryptedFile, FileTooLarge
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.parsers.metadata import (
    find_year,
    is_junk_author,
    is_junk_title,
    pdf_date,
    split_authors,
)
from evidence.parsers.pdf_layout import first_page_title_and_authors, reading_order
from evidence.parsers.pdf_margins import drop_margin_numbers

MAX_PAGES = 5000
# No TEXT_PRESERVE_LIGATURES: "ﬁ" comes out as "fi", so search finds the word.
_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
_LINE_END_HYPHEN = re.compile(r"(\w+)-$")
_LINE_START_WORD = re.compile(r"\w+")
_WORD = re.compile(r"\w+(?:-\w+)*")
# PyMuPDF's API is mostly unannotated: treat it as Any at this one boundary.
_TOOLS: Any = pymupdf.TOOLS
_open_pdf: Any = pymupdf.open
_JOURNAL = re.compile(r"\b(journal|review|proceedings|quarterly|transactions|bulletin)\b", re.I)

Block = list[str]  # the stripped, non-empty lines of one text block


def parse_pdf(data: bytes, *, file_name: str = "", max_pages: int = MAX_PAGES) -> ParsedDocument:
    with _quiet_mupdf():
        pdf = _open(data)
        try:
            return _read(pdf, data, file_name, max_pages)
        finally:
            pdf.close()


@contextmanager
def _quiet_mupdf() -> Iterator[None]:
    # MuPDF prints repair chatter for every damaged file to stderr; the errors we raise say it.
    previous = _TOOLS.mupdf_display_errors()
    _TOOLS.mupdf_display_errors(False)
    try:
        yield
    finally:
        _TOOLS.mupdf_display_errors(previous)
        _TOOLS.reset_mupdf_warnings()


def _open(data: bytes) -> Any:
    try:
        pdf = _open_pdf(stream=data, filetype="pdf")
    except Exception as exc:  # MuPDF raises RuntimeError subclasses and ValueError alike
        raise CorruptFile(f"PDF is damaged: {_short(exc)}") from exc
    if pdf.needs_pass:
        pdf.close()
        raise EncryptedFile("PDF is password-protected")
    return pdf


def _read(pdf: Any, data: bytes, file_name: str, max_pages: int) -> ParsedDocument:
    truncated = pdf.is_repaired and b"%%EOF" not in data[-4096:]
    if pdf.page_count == 0:
        why = "the file is truncated" if truncated else "it has no readable pages"
        raise CorruptFile(f"PDF is damaged: {why}")
    if pdf.page_count > max_pages:
        raise FileTooLarge(f"PDF has {pdf.page_count} pages; the limit is {max_pages}")
    warnings: list[str] = []
    pages: list[list[Block]] = []
    unreadable: list[int] = []
    numbered = 0  # pages whose margin line numbers (a review copy's) were dropped
    for number in range(pdf.page_count):
        try:
            page = pdf.load_page(number)
            numbered += _without_line_numbers(page)
            blocks = page.get_text("blocks", flags=_FLAGS)
            pages.append(_blocks(blocks, page.rect))
        except Exception:  # one unreadable page must not lose the rest
            unreadable.append(number + 1)
            pages.append([])
    if unreadable:
        listed = ", ".join(map(str, unreadable[:5])) + (", …" if len(unreadable) > 5 else "")
        warnings.append(f"{len(unreadable)} page(s) could not be read: {listed}")
    if not any(pages):
        if truncated:
            raise CorruptFile("PDF is damaged: the file is truncated")
        raise EmptyFile("no extractable text; it may be a scanned image PDF")
    if truncated:
        warnings.append("the PDF is truncated; some pages may be missing")
    elif pdf.is_repaired:
        warnings.append("the PDF was damaged and repaired; check the text")

    text, page_starts = _join_pages(pages, _vocabulary(pages))
    doc = ParsedDocument(kind=SourceKind.PDF, text=text, page_starts=page_starts)
    doc.warnings.extend(warnings)
    doc.extra["pages"] = str(pdf.page_count)
    if numbered:
        doc.extra["line_numbered_pages"] = str(numbered)
    _fill_metadata(doc, pdf, file_name)
    return doc


def _without_line_numbers(page: Any) -> int:
    """1 when the page's margin line numbers were removed; a page that cannot be redacted
    is read as it is (numbers and all) rather than lost."""
    try:
        return 1 if drop_margin_numbers(page, _FLAGS) else 0
    except Exception:  # MuPDF raises RuntimeError subclasses for odd content streams
        return 0


def _blocks(raw: list[Any], rect: Any) -> list[Block]:
    text_blocks = [b for b in raw if b[6] == 0]  # 1 = image block
    blocks: list[Block] = []
    for b in reading_order(text_blocks, (rect.x0 + rect.x1) / 2):
        lines = [line.strip() for line in str(b[4]).replace("\x00", "").split("\n")]
        lines = [line for line in lines if line]
        if lines:
            blocks.append(lines)
    return blocks


def _vocabulary(pages: list[list[Block]]) -> set[str]:
    words: set[str] = set()
    for page in pages:
        for block in page:
            for line in block:
                words.update(w.lower() for w in _WORD.findall(line))
    return words


def _join_lines(lines: Block, vocab: set[str]) -> str:
    parts = [lines[0]]
    for line in lines[1:]:
        head = _LINE_END_HYPHEN.search(parts[-1])
        tail = _LINE_START_WORD.match(line)
        if head and tail and head.group(1)[-1].isalpha() and line[0].islower():
            joined = (head.group(1) + tail.group(0)).lower()
            compound = f"{head.group(1)}-{tail.group(0)}".lower()
            if joined in vocab and compound not in vocab:
                parts[-1] = parts[-1][:-1]  # a soft line-break hyphen
            parts.append(line)  # no space either way: the word continues
        else:
            parts.extend((" ", line))
    return "".join(parts)


def _join_pages(pages: list[list[Block]], vocab: set[str]) -> tuple[str, list[int]]:
    chunks: list[str] = []
    page_starts: list[int] = []
    length = 0
    for page in pages:
        sep = 2 if length else 0  # the "\n\n" that will precede this page's text
        page_starts.append(length + sep)  # a blank page starts where the next one does
        page_text = "\n\n".join(_join_lines(block, vocab) for block in page)
        if page_text:
            chunks.append("\n\n" if sep else "")
            chunks.append(page_text)
            length += sep + len(page_text)
    text = "".join(chunks)
    return text, [min(start, len(text)) for start in page_starts]


def _fill_metadata(doc: ParsedDocument, pdf: Any, file_name: str) -> None:
    meta: dict[str, Any] = pdf.metadata or {}
    title = str(meta.get("title") or "").strip()
    authors = split_authors(str(meta.get("author") or ""))
    if is_junk_title(title, file_name) or not authors:
        try:
            page_title, page_authors = first_page_title_and_authors(pdf.load_page(0), _FLAGS)
        except Exception:  # layout metadata is a bonus, never a reason to fail
            page_title, page_authors = "", []
        if is_junk_title(title, file_name):
            title = page_title
        if not authors:
            authors = [a for a in page_authors if not is_junk_author(a)]
    doc.title = title
    doc.authors = authors
    first_page = doc.text[: doc.page_starts[1]] if len(doc.page_starts) > 1 else doc.text
    doc.date = pdf_date(str(meta.get("creationDate") or "")) or find_year(first_page[:5000])
    doc.publication = str(meta.get("subject") or "").strip() if _is_journal(meta) else ""


def _is_journal(meta: dict[str, Any]) -> bool:
    # Publishers often put "Journal of X, vol. 3" in Subject; authors put abstracts there.
    subject = str(meta.get("subject") or "")
    return 0 < len(subject) < 120 and bool(_JOURNAL.search(subject))


def _short(exc: BaseException) -> str:
    message = str(exc).strip() or type(exc).__name__
    return message.splitlines()[0][:120]
