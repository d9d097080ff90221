"""The smaller losses of issue 17: text after an XML entity reference, UTF-16 without a BOM,
a .docx over the XML reader's safety limits, temp files a killed write left, a cut stored
twice. Each input is made here, at test time."""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from pathlib import Path

import pytest

from evidence.atomic import atomic_write_bytes
from evidence.cards.card import Card
from evidence.cards.cut import store_cut_cards
from evidence.errors import FileTooLarge
from evidence.index.passages import PassageSpan
from evidence.index.store import Store
from evidence.parsers import parse_bytes, parse_file
from evidence.parsers.document import ParsedDocument, SourceKind
from evidence.verbatim.reader import read_verbatim
from tests import hostile_corpus as hc
from tests.conftest import SAMPLES

AFTER = "and the words after the reference must survive"


def _docx_declaring_entity(tmp_path: Path, body_xml: bytes) -> Path:
    path = hc.docx_with_body(tmp_path / "entity.docx", body_xml)
    return _add_doctype(path, path)


def _add_doctype(source: Path, target: Path) -> Path:
    """Rewrite word/document.xml of `source` with a DTD declaring &ent; into `target`."""
    with zipfile.ZipFile(source) as zin:
        parts = {info.filename: zin.read(info) for info in zin.infolist()}
    xml = parts["word/document.xml"]
    declaration = re.match(rb"<\?xml[^>]*\?>\s*", xml)
    cut = declaration.end() if declaration else 0
    parts["word/document.xml"] = (
        xml[:cut] + b'<!DOCTYPE w:document [<!ENTITY ent "EXPANDED">]>' + xml[cut:]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    target.write_bytes(buffer.getvalue())
    return target


def test_text_after_an_entity_reference_is_kept_and_the_entity_not_expanded(
    tmp_path: Path,
) -> None:
    body = f"<w:p><w:r><w:t>before &amp; &ent; {AFTER}</w:t></w:r></w:p>".encode()
    doc = parse_file(_docx_declaring_entity(tmp_path, body))
    assert doc.text == f"before & &ent; {AFTER}"
    assert "EXPANDED" not in doc.text


def test_a_verbatim_card_keeps_the_text_after_an_entity_reference(tmp_path: Path) -> None:
    sample = tmp_path / "1nc.docx"
    sample.write_bytes((SAMPLES / "verbatim" / "1nc.docx").read_bytes())
    with zipfile.ZipFile(sample) as zin:
        xml = zin.read("word/document.xml").decode("utf-8")
    long_run = re.search(r"(<w:t(?: [^>]*)?>)([^<]{120,})(</w:t>)", xml)
    assert long_run is not None
    words = long_run.group(2)
    half = len(words) // 2
    tail = words[half:]
    edited = xml.replace(long_run.group(0), long_run.group(1) + words[:half] + "&ent;" + tail
                         + long_run.group(3), 1)  # fmt: skip
    with zipfile.ZipFile(sample) as zin:
        parts = {i.filename: zin.read(i) for i in zin.infolist()}
    parts["word/document.xml"] = edited.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    sample.write_bytes(buffer.getvalue())
    path = _add_doctype(sample, tmp_path / "1nc-entity.docx")
    cards = read_verbatim(path.read_bytes(), max_bytes=2**27).cards()
    read = "\n".join(f"{c.full_cite}\n{c.body}" for c in cards)  # the run may be in a cite
    assert "&ent;" + tail in read


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_reads_as_text(codec: str) -> None:
    text = "Whaling treaty \u201cquoted\u201d evidence.\n\nA second paragraph follows."
    doc = parse_bytes(text.encode(codec), file_name="notes.txt")
    assert doc.kind is SourceKind.TEXT and doc.text == text
    assert doc.extra["encoding"] == codec


def test_a_docx_over_the_xml_safety_limits_says_so_plainly(tmp_path: Path) -> None:
    deep = b"<w:tbl><w:tr><w:tc>" * 300 + b"<w:p/>" + b"</w:tc></w:tr></w:tbl>" * 300
    with pytest.raises(FileTooLarge, match=r"nested too deeply to read safely .*256 levels"):
        parse_file(hc.docx_with_body(tmp_path / "deep.docx", deep))
    huge = b"<w:p><w:r><w:t>" + b"word " * 2_200_000 + b"</w:t></w:r></w:p>"
    with pytest.raises(FileTooLarge, match=r"too large to read safely .*over 10 MB") as err:
        parse_file(hc.docx_with_body(tmp_path / "huge.docx", huge))
    assert "XML_PARSE_HUGE" not in str(err.value)


def test_a_killed_writes_temp_file_is_removed_at_the_next_write_and_no_other(
    tmp_path: Path,
) -> None:
    target = tmp_path / "block.docx"
    stale = tmp_path / ".block.docx.k3j_x9qa.tmp"  # what mkstemp left when the write was killed
    fresh = tmp_path / ".block.docx.a1b2c3d4.tmp"  # a write running now
    others = [tmp_path / ".other.docx.k3j_x9qa.tmp", tmp_path / ".block.docx.mine.tmp"]
    for path in [stale, fresh, *others]:
        path.write_bytes(b"partial")
    hour_ago = time.time() - 3600
    for path in [stale, *others]:
        os.utime(path, (hour_ago, hour_ago))
    atomic_write_bytes(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert not stale.exists()
    assert fresh.exists() and all(p.exists() for p in others)


def test_the_same_cut_stored_twice_is_stored_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "library.sqlite3")
    text = "Whales are protected. The treaty binds every party to conserve them."
    doc = ParsedDocument(kind=SourceKind.TEXT, text=text)
    source = store.add_source("/x/a.txt", "h", doc, [PassageSpan(0, len(text), None)])
    body = text[22:]
    cards = [
        Card("Treaty binds", "Smith 20", "Smith, prof, 2020", body, source_id=source,
             source_offset=22),
        Card("Whales protected", "Smith 20", "Smith, prof, 2020", text[:21],
             source_id=source, source_offset=0),
    ]  # fmt: skip
    first = store_cut_cards(store, cards, "Block")
    again = store_cut_cards(store, cards, "Block, run again")
    assert again == first
    rows = store.conn.execute("SELECT COUNT(*) FROM cards WHERE kind = 'card'").fetchone()[0]
    assert rows == 2
    other_cite = Card("Treaty binds", "Jones 21", "Jones, 2021", body, source_id=source,
                      source_offset=22)  # fmt: skip
    assert store_cut_cards(store, [other_cite], "Block")[0] not in first
    store.close()
