"""A Verbatim file's body is parsed once on import (issue 16: a 3,000-card backfile to
keyword-searchable in <= 3 s), with the same document, passages and cards as the generic
parser followed by the Verbatim reader gave."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import evidence.verbatim.reader as reader
from evidence.parsers import parse_bytes
from evidence.parsers.document import ParsedDocument
from evidence.verbatim.importing import CardSource, as_card_source, read_card_source
from tests.conftest import SAMPLES

LIMIT = 150 * 2**20
VERBATIM = sorted((SAMPLES / "verbatim").glob("*.docx"))


def _old(data: bytes, name: str) -> tuple[ParsedDocument, object]:
    doc = parse_bytes(data, file_name=name, max_bytes=LIMIT)
    return doc, as_card_source(data, doc, LIMIT)


@pytest.mark.parametrize("path", VERBATIM, ids=lambda p: p.name)
def test_one_parse_gives_what_two_parsers_gave(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    old_doc, old = _old(data, path.name)
    parses: list[int] = []
    real = reader._parse
    monkeypatch.setattr(reader, "_parse", lambda blob: parses.append(len(blob)) or real(blob))
    generic: list[str] = []

    def parse(data: bytes, *, file_name: str, max_bytes: int) -> ParsedDocument:
        generic.append(file_name)
        return parse_bytes(data, file_name=file_name, max_bytes=max_bytes)

    doc, new = read_card_source(data, path.name, LIMIT, parse)
    assert generic == []  # the generic parser never ran
    biggest = max(parses)
    assert parses.count(biggest) == 1  # document.xml parsed once
    assert isinstance(old, CardSource) and new is not None and new.cards > 0
    # The same document (metadata from the package, text laid out from the cards) ...
    assert dataclasses.asdict(doc) == dataclasses.asdict(old.doc)
    assert old_doc.authors == doc.authors and old_doc.date == doc.date
    # ... and the same passages, digests and vector texts.
    assert (new.spans, new.keys, new.embed_texts) == (old.spans, old.keys, old.embed_texts)


def test_a_pdf_and_a_damaged_word_file_take_the_generic_parser() -> None:
    pdf = SAMPLES / "pdf" / "debatesum-paper.pdf"
    doc, cards = read_card_source(pdf.read_bytes(), pdf.name, LIMIT)
    assert cards is None and doc.text == parse_bytes(pdf.read_bytes(), max_bytes=LIMIT).text
    data = VERBATIM[0].read_bytes()
    cut = data[: len(data) // 2]
    with pytest.raises(Exception) as new_error:
        read_card_source(cut, "cut.docx", LIMIT)
    with pytest.raises(Exception) as old_error:
        parse_bytes(cut, file_name="cut.docx", max_bytes=LIMIT)
    assert type(new_error.value) is type(old_error.value)
    assert str(new_error.value) == str(old_error.value)
