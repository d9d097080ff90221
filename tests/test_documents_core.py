"""Documents core (issue 14): open and save real Verbatim files exactly and safely, Word's
lock file, provenance that survives Word's edits, recovery copies, read-time stats, the send
doc and the outline migration. Real files, read back with read_verbatim."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import docx
import pytest

from evidence import atomic
from evidence.cards.card import (
    Analytic,
    Card,
    CardDocument,
    Heading,
    Level,
    Mark,
    Node,
    Span,
    walk,
)
from evidence.cards.outline_file import save_outline
from evidence.documents import doc_file
from evidence.documents.doc_file import (
    READ_ONLY_FOLDER,
    WORD_LOCK,
    SaveConflict,
    lock_file,
    open_document,
    read_only_reason,
    save_document,
)
from evidence.documents.outline_migration import OutlineUnreadable, migrate_outline
from evidence.documents.provenance import bookmark_name, parse_name
from evidence.documents.recovery import RecoveryStore, recovery_key
from evidence.documents.send_doc import send_doc
from evidence.documents.stats import DEFAULT_WPM, document_stats, format_seconds, marked_words
from evidence.documents.styles_keep import KEPT_PARTS, SECTION, kept_parts, section_xml
from evidence.errors import CorruptFile, EmptyFile, EncryptedFile, UnreadablePath, UnsupportedFile
from evidence.parsers.sniff import OLE2_MAGIC
from evidence.settings import Settings, load_settings, save_settings
from evidence.verbatim.reader import read_verbatim
from evidence.verbatim.writer import ExportError, docx_bytes
from tests.conftest import SAMPLES

VERBATIM = SAMPLES / "verbatim"
FILES = ["1nc.docx", "neg.docx", "neg-2.docx"]


def _copy(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copyfile(VERBATIM / name, target)
    return target


def _styles(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("word/styles.xml")


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in KEPT_PARTS}


def _page_setup(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
    return re.findall(r"<w:(?:pgSz|pgMar|cols) [^>]*/>", xml[xml.rfind("<w:sectPr") :])


def _strip(nodes: list[Node]) -> list[Node]:
    """Nodes without per-card reader warnings (a cite found by position says so once, and
    the writer then gives it the Cite style): the content compared is everything else."""
    out: list[Node] = []
    for n in nodes:
        if isinstance(n, Heading):
            out.append(Heading(n.level, n.title, _strip(n.children)))
        elif isinstance(n, Card):
            out.append(
                Card(n.tag, n.short_cite, n.full_cite, n.body, n.spans, [], n.source_id,
                     n.source_offset)
            )  # fmt: skip
        else:
            out.append(n)
    return out


# -- open, save, reopen --------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_open_save_reopen_is_exact_and_keeps_styles(tmp_path: Path, name: str) -> None:
    path = _copy(name, tmp_path)
    original_styles = _styles(path)
    opened = open_document(path)
    assert opened.read_only_reason == ""
    assert opened.styles == original_styles
    assert opened.doc.cards(), "the sample has cards"
    stamp = save_document(opened.doc, path, expected=opened.stamp, styles=opened.styles)
    assert _styles(path) == original_styles  # the debater's fonts and sizes, byte for byte
    assert set(opened.parts) == {*KEPT_PARTS, SECTION}
    assert _parts(path) == _parts(VERBATIM / name)  # theme, numbering, font table
    assert _page_setup(path) == _page_setup(VERBATIM / name)  # margins, page size
    again = read_verbatim(path)
    assert _strip(again.nodes) == _strip(opened.doc.nodes)
    assert stamp == doc_file.stamp_of(path)
    # A second save from the new stamp is not a conflict.
    save_document(again, path, expected=stamp, styles=opened.styles)


def test_save_as_keeps_the_parts_given_and_skips_parts_with_links(tmp_path: Path) -> None:
    opened = open_document(VERBATIM / "neg-2.docx")  # an Office 2013 theme (Calibri Light)
    copy = tmp_path / "copy.docx"
    save_document(opened.doc, copy, expected=None, styles=opened.styles, parts=opened.parts)
    assert _parts(copy) == _parts(VERBATIM / "neg-2.docx")
    bare = tmp_path / "bare.docx"  # Save As without the parts: the writer's own theme
    save_document(opened.doc, bare, expected=None, styles=opened.styles)
    assert _styles(bare) == opened.styles and _parts(bare) != _parts(copy)
    # A font table that embeds a font points at another part: it is not carried over.
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    table = (
        f'<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        f'xmlns:r="{rel}"><w:font w:name="X"><w:embedRegular r:id="rId1"/></w:font></w:fonts>'
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(copy) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = table if info.filename == "word/fontTable.xml" else src.read(info)
            dst.writestr(info, data)
    assert set(kept_parts(out.getvalue())) == {*KEPT_PARTS, SECTION} - {"word/fontTable.xml"}


def test_page_setup_without_links_to_other_parts() -> None:
    ns = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    )
    xml = (
        f"<w:document {ns}><w:body><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl><w:p/>"
        '<w:sectPr><w:headerReference w:type="default" r:id="rId8"/>'
        '<w:pgSz w:w="11906" w:h="16838"/><w:sectPrChange w:id="1"><w:sectPr/>'
        "</w:sectPrChange></w:sectPr></w:body></w:document>"
    )
    kept = section_xml(xml.encode())
    assert kept is not None and b'<w:pgSz w:w="11906" w:h="16838"/>' in kept
    assert b"headerReference" not in kept and b"sectPrChange" not in kept
    assert section_xml(f"<w:document {ns}><w:body><w:p/></w:body></w:document>".encode()) is None


def test_styles_missing_verbatim_styles_are_added(tmp_path: Path) -> None:
    plain = docx.Document()
    plain.add_paragraph("hello")
    path = tmp_path / "plain.docx"
    plain.save(str(path))
    styles = _styles(path)
    doc = CardDocument([Card("A tag", "Smith 20", "Smith 2020, Journal", "Body words.")])
    save_document(doc, path, expected=doc_file.stamp_of(path), styles=styles)
    kept = _styles(path)
    assert kept != styles and b"Style13ptBold" in kept and b"StyleUnderline" in kept
    assert read_verbatim(path).cards()[0].short_cite == "Smith 20"


# -- conflicts -----------------------------------------------------------------------------------


def test_save_conflict_when_the_file_changed_on_disk(tmp_path: Path) -> None:
    path = _copy("1nc.docx", tmp_path)
    opened = open_document(path)
    other = _copy("neg.docx", tmp_path / "..")  # another program writes the file
    shutil.copyfile(other, path)
    changed = path.read_bytes()
    with pytest.raises(SaveConflict, match="changed by another program"):
        save_document(opened.doc, path, expected=opened.stamp)
    assert path.read_bytes() == changed  # untouched
    save_document(opened.doc, path, expected=opened.stamp, force=True)
    assert read_verbatim(path).cards()[0].tag == opened.doc.cards()[0].tag


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="no permission bits")
def test_save_keeps_the_files_permissions(tmp_path: Path) -> None:
    path = _copy("1nc.docx", tmp_path)
    path.chmod(0o640)
    opened = open_document(path)
    save_document(opened.doc, path, expected=opened.stamp)
    assert path.stat().st_mode & 0o777 == 0o640
    umask = os.umask(0o022)
    try:
        save_document(opened.doc, tmp_path / "new.docx", expected=None)
    finally:
        os.umask(umask)
    assert (tmp_path / "new.docx").stat().st_mode & 0o777 == 0o644  # not the temp file's 0600


def test_touched_but_unchanged_is_not_a_conflict(tmp_path: Path) -> None:
    path = _copy("1nc.docx", tmp_path)
    opened = open_document(path)
    os.utime(path, ns=(opened.stamp.mtime_ns + 5_000_000_000,) * 2)
    save_document(opened.doc, path, expected=opened.stamp)


def test_save_conflict_when_deleted_and_for_a_new_file_over_an_old_one(tmp_path: Path) -> None:
    path = _copy("1nc.docx", tmp_path)
    opened = open_document(path)
    path.unlink()
    with pytest.raises(SaveConflict, match="moved or deleted"):
        save_document(opened.doc, path, expected=opened.stamp)
    assert not path.exists()
    save_document(opened.doc, path, expected=None)  # Save As to a new name
    with pytest.raises(SaveConflict, match="already exists"):
        save_document(opened.doc, path, expected=None)


def test_two_windows_saving_the_same_file(tmp_path: Path) -> None:
    path = _copy("1nc.docx", tmp_path)
    first, second = open_document(path), open_document(path)
    first.doc.nodes.append(Analytic("first window's line"))
    save_document(first.doc, path, expected=first.stamp)
    with pytest.raises(SaveConflict):
        save_document(second.doc, path, expected=second.stamp)
    lines = [n.tag for n in walk(read_verbatim(path).nodes) if isinstance(n, Analytic)]
    assert "first window's line" in lines


# -- read-only reasons ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "owner"),
    [
        ("neg.docx", "~$neg.docx"),  # a short stem: the whole name
        ("Document1.docx", "~$cument1.docx"),  # a long one: two characters dropped
        ("Document1.docx", "~$Document1.docx"),  # both forms are checked
        ("Speech7.docx", "~$peech7.docx"),  # seven characters: one dropped
    ],
)
def test_word_lock_file_opens_read_only(tmp_path: Path, name: str, owner: str) -> None:
    path = tmp_path / name
    shutil.copyfile(VERBATIM / "1nc.docx", path)
    assert open_document(path).read_only_reason == ""
    (tmp_path / owner).write_bytes(b"\x05Alice" + b"\x00" * 48 + "Alice".encode("utf-16-le"))
    assert lock_file(path) == tmp_path / owner
    assert open_document(path).read_only_reason == f"{WORD_LOCK}: Alice"
    (tmp_path / owner).write_bytes(b"")  # unreadable owner: the reason without a name
    assert read_only_reason(path) == WORD_LOCK
    (tmp_path / owner).unlink()
    assert read_only_reason(path) == ""


def test_another_files_lock_is_not_this_ones(tmp_path: Path) -> None:
    path = _copy("neg.docx", tmp_path)
    (tmp_path / "~$g.docx").write_bytes(b"")  # what dropping two characters would give
    (tmp_path / "xneg.docx").write_bytes(b"")
    (tmp_path / "~$xneg.docx").write_bytes(b"")
    assert lock_file(path) is None and read_only_reason(path) == ""


def test_read_only_folder_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _copy("1nc.docx", tmp_path)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: Path(p) != tmp_path and real(p, m))
    assert read_only_reason(path) == READ_ONLY_FOLDER


# -- bad input -----------------------------------------------------------------------------------


def test_bad_files_each_get_a_clear_error(tmp_path: Path) -> None:
    doc_path = tmp_path / "old.doc"
    doc_path.write_bytes(OLE2_MAGIC + b"\x00" * 600 + "WordDocument".encode("utf-16-le"))
    with pytest.raises(UnsupportedFile, match=r"\.doc"):
        open_document(doc_path)
    locked = tmp_path / "locked.docx"  # Word's password protection: an OLE2 EncryptedPackage
    locked.write_bytes(OLE2_MAGIC + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(EncryptedFile, match="password"):
        open_document(locked)
    corrupt = tmp_path / "corrupt.docx"
    corrupt.write_bytes((VERBATIM / "1nc.docx").read_bytes()[:40_000])
    with pytest.raises(CorruptFile, match="damaged"):
        open_document(corrupt)
    with pytest.raises(UnreadablePath, match="no such file"):
        open_document(tmp_path / "missing.docx")
    (tmp_path / "zero.docx").write_bytes(b"")
    with pytest.raises(EmptyFile):
        open_document(tmp_path / "zero.docx")


def test_a_blank_word_file_opens_as_an_empty_document(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    opened = open_document(path)
    assert opened.doc.nodes == []
    opened.doc.nodes.append(Heading(Level.BLOCK, "New block"))
    save_document(opened.doc, path, expected=opened.stamp, styles=opened.styles)
    assert open_document(path).doc.nodes == [Heading(Level.BLOCK, "New block")]


def _no_temps(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anyway")
def test_read_only_folder_chmod_leaves_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = _copy("1nc.docx", folder)
    opened = open_document(path)
    before = path.read_bytes()
    folder.chmod(0o555)
    try:
        assert read_only_reason(path) == READ_ONLY_FOLDER
        with pytest.raises(ExportError, match="folder cannot be written"):
            save_document(opened.doc, path, expected=opened.stamp)
    finally:
        folder.chmod(0o755)
    assert path.read_bytes() == before


def test_read_only_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same as the chmod test, for a run as root (where chmod does not stop writes)."""
    path = _copy("1nc.docx", tmp_path)
    opened = open_document(path)
    before = path.read_bytes()

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("evidence.atomic.tempfile.mkstemp", refuse)
    with pytest.raises(ExportError, match="folder cannot be written"):
        save_document(opened.doc, path, expected=opened.stamp)
    assert path.read_bytes() == before


def test_full_disk_during_save_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _copy("neg.docx", tmp_path)
    opened = open_document(path)
    before = path.read_bytes()
    real_open = atomic.atomic_open

    class HalfWriter:
        def __init__(self, fh: IO[bytes]) -> None:
            self.fh = fh

        def fileno(self) -> int:
            return self.fh.fileno()

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])  # half of it reaches the disk, then none
            raise OSError(errno.ENOSPC, "No space left on device")

    @contextlib.contextmanager
    def full_disk(target: Path) -> Iterator[HalfWriter]:
        with real_open(target) as fh:
            yield HalfWriter(fh)

    monkeypatch.setattr(doc_file, "atomic_open", full_disk)
    with pytest.raises(ExportError, match="disk is full"):
        save_document(opened.doc, path, expected=opened.stamp, styles=opened.styles)
    assert path.read_bytes() == before
    assert _no_temps(tmp_path)


# -- provenance ----------------------------------------------------------------------------------


def _provenance_doc() -> CardDocument:
    body = "Warming is real and it is caused by people burning coal."
    spans = [Span(0, 7, Mark.HIGHLIGHT, "yellow"), Span(0, 15, Mark.UNDERLINE)]
    cards = [
        Card("Warming is real", "Smith 20", "John Smith, 2020, Journal", body, spans, [], 12, 345),
        Card("Same source again", "Smith 20", "John Smith, 2020, Journal", body, [], [], 12, 345),
        Card("No offset known", "Jones 21", "Jones 2021, Times", "Other words.", [], [], 7),
        Card("Imported, no source", "Lee 19", "Lee 2019, Post", "More words.", []),
    ]
    return CardDocument([Heading(Level.BLOCK, "Warming", [*cards, Analytic("Extend it")])])


def _provenance(doc: CardDocument) -> list[tuple[int | None, int | None]]:
    return [(c.source_id, c.source_offset) for c in doc.cards()]


WANT = [(12, 345), (12, 345), (7, None), (None, None)]


def test_provenance_survives_save_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "speech.docx"
    save_document(_provenance_doc(), path, expected=None)
    assert _provenance(read_verbatim(path)) == WANT
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
    assert 'w:name="_dp_s12_o345"' in xml and 'w:name="_dp_s12_o345_n2"' in xml  # unique


def test_provenance_survives_edits_the_way_word_makes_them(tmp_path: Path) -> None:
    path = tmp_path / "speech.docx"
    save_document(_provenance_doc(), path, expected=None)
    word = docx.Document(str(path))
    paras = word.paragraphs
    tag = next(p for p in paras if p.text == "Warming is real")
    tag.insert_paragraph_before("A new analytic line", style="Heading 4")
    tag.runs[0].text = "Warming is real and human-caused"  # retype the tag's run
    tag.add_run(" (updated)").bold = True
    other = next(p for p in paras if p.text == "No offset known")
    other.insert_paragraph_before("Typed between cards")
    word.add_paragraph("A paragraph added at the end")
    word.save(str(path))
    back = read_verbatim(path)
    by_tag = {c.tag: (c.source_id, c.source_offset) for c in back.cards()}
    assert by_tag["Warming is real and human-caused (updated)"] == (12, 345)
    assert by_tag["Same source again"] == (12, 345)
    assert by_tag["No offset known"] == (7, None)
    assert by_tag["Imported, no source"] == (None, None)


def test_provenance_bookmark_between_paragraphs_is_read(tmp_path: Path) -> None:
    """Word can move a bookmark's start out to the body, just before the paragraph."""
    data = docx_bytes(_provenance_doc())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    xml = parts["word/document.xml"].decode()
    start = '<w:bookmarkStart w:id="1" w:name="_dp_s12_o345"/>'
    assert start in xml
    xml = xml.replace(start, "")
    at = xml.find("<w:p>", xml.find("<w:body>"))
    at = xml.find("<w:p>", at + 1)  # the tag paragraph, after the Block heading
    parts["word/document.xml"] = (xml[:at] + start + xml[at:]).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    assert _provenance(read_verbatim(out.getvalue()))[0] == (12, 345)


def test_bookmark_names() -> None:
    taken: set[str] = set()
    assert bookmark_name(3, 0, taken) == "_dp_s3_o0"
    assert bookmark_name(3, 0, taken) == "_dp_s3_o0_n2"
    assert bookmark_name(3, None, taken) == "_dp_s3"
    assert bookmark_name(-1, 0, taken) is None
    assert bookmark_name(10**17, 10**17, taken) is None  # longer than Word's 40 characters
    assert parse_name("_dp_s3_o0_n2") == (3, 0)
    assert parse_name("_GoBack") is None and parse_name("_dp_sx") is None


# -- recovery ------------------------------------------------------------------------------------


def test_recovery_write_pending_load_discard(tmp_path: Path) -> None:
    store = RecoveryStore(tmp_path / "recovery")
    assert store.pending() == []
    original = VERBATIM / "1nc.docx"
    opened = open_document(original)
    key = recovery_key(str(original))
    assert key == recovery_key(str(original)) and key != recovery_key("untitled-1")
    store.write(key, opened.doc, original, "1nc")
    store.write(recovery_key("untitled-1"), _provenance_doc(), None, "Untitled 1")
    pending = store.pending()
    assert [(r.title, r.original) for r in pending] == [("Untitled 1", None), ("1nc", original)]
    assert pending[0].saved_at >= pending[1].saved_at
    assert _provenance(store.load(pending[0])) == WANT
    assert _strip(store.load(pending[1]).nodes) == _strip(opened.doc.nodes)
    (store.root / "junk.json").write_text("{not json")
    (store.root / "junk.docx").write_bytes(b"x")
    assert len(store.pending()) == 2  # a broken copy is skipped
    store.discard(key)
    assert [r.title for r in store.pending()] == ["Untitled 1"]
    assert not (store.root / f"{key}.docx").exists()
    with pytest.raises(ValueError):
        store.discard("../escape")


# -- stats, send doc -----------------------------------------------------------------------------


def _speech() -> CardDocument:
    body = "one two three four five\nsix seven eight nine ten"
    hl = [Span(0, 7, Mark.HIGHLIGHT, "yellow"), Span(24, 27, Mark.HIGHLIGHT, "cyan")]
    ul = [Span(0, 13, Mark.UNDERLINE)]
    c1 = Card("Tag words here", "Smith 20", "John Smith 2020", body, hl + ul)  # reads 3
    c2 = Card("Second tag", "Lee 19", "Lee 2019", body, ul)  # no highlight: reads 3 underlined
    c3 = Card("Third", "Ray 18", "Ray 2018", "alpha beta gamma")  # neither: reads 3
    a1 = Analytic("They drop it", "extend the link")  # reads 6
    block = Heading(Level.BLOCK, "Warming", [c1, c2, a1])
    return CardDocument([Heading(Level.POCKET, "1NC", [block, c3]), Heading(Level.HAT, "Empty")])


def test_stats_by_hand() -> None:
    stats = document_stats(_speech(), wpm=60)  # a word a second
    assert (stats.cards, stats.analytics) == (3, 1)
    # words: c1 3+2+3+10, c2 2+2+2+10, c3 1+2+2+3, a1 3+3
    assert stats.words == 18 + 16 + 8 + 6
    assert stats.words_read == 3 + 3 + 3 + 6
    assert stats.read_seconds == 15.0
    pocket, empty = stats.children
    assert (pocket.title, pocket.level, pocket.cards, pocket.words_read) == ("1NC", 1, 3, 15)
    block = pocket.children[0]
    assert (block.title, block.level, block.cards, block.analytics) == ("Warming", 3, 2, 1)
    assert block.words_read == 12 and block.read_seconds == 12.0
    assert (empty.cards, empty.words, empty.children) == (0, 0, [])
    assert format_seconds(document_stats(_speech(), wpm=276).read_seconds) == "0:03"
    assert format_seconds(61.6) == "1:02"


def test_a_partly_highlighted_word_counts_once() -> None:
    text = "economic growth causes war"
    assert marked_words(text, [(0, 4), (2, 6)]) == 1  # "econ" read as one word
    assert marked_words(text, [(0, 4), (9, 12), (15, 16)]) == 2  # a space alone reads nothing
    assert marked_words(text, []) == 0


def test_send_doc_drops_analytics() -> None:
    doc = _speech()
    doc.nodes.append(Heading(Level.BLOCK, "Only analytics", [Analytic("our spin")]))
    sent = send_doc(doc)
    stats = document_stats(sent)
    assert (stats.cards, stats.analytics) == (3, 0)
    titles = [n.title for n in sent.nodes if isinstance(n, Heading)]
    assert titles == ["1NC", "Empty"]  # emptied by the removal: gone; empty before: kept
    assert document_stats(doc).analytics == 2  # the original is untouched
    sent.cards()[0].body = "changed"
    sent.cards()[0].spans.clear()
    assert doc.cards()[0].body.startswith("one two") and doc.cards()[0].spans


# -- outline migration ---------------------------------------------------------------------------


def test_outline_json_becomes_a_document_once(tmp_path: Path) -> None:
    doc = _provenance_doc()
    save_outline(tmp_path / "outline.json", doc)
    path = migrate_outline(tmp_path)
    assert path == tmp_path / "documents" / "Outline.docx"
    assert not (tmp_path / "outline.json").exists()
    assert json.loads((tmp_path / "outline.json.migrated").read_text())
    back = read_verbatim(path)
    assert [c.tag for c in back.cards()] == [c.tag for c in doc.cards()]
    assert _provenance(back) == WANT
    assert migrate_outline(tmp_path) == path  # the second start finds it
    assert migrate_outline(tmp_path / "none") is None


def test_an_unreadable_outline_json_is_kept_aside_and_said(tmp_path: Path) -> None:
    (tmp_path / "outline.json").write_text('{"schema_version": 1, "nodes": [', encoding="utf-8")
    with pytest.raises(OutlineUnreadable, match="kept as"):
        migrate_outline(tmp_path)
    kept = list(tmp_path.glob("outline.broken-*.json"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8").startswith('{"schema')
    assert not (tmp_path / "documents" / "Outline.docx").exists()
    assert migrate_outline(tmp_path) is None  # said once: the next start finds nothing


# -- the setting ---------------------------------------------------------------------------------


def test_words_per_minute_setting(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": 2, "threads": 2}))  # before the field
    assert load_settings(path).words_per_minute == DEFAULT_WPM
    path.write_text(json.dumps({"schema_version": 3, "words_per_minute": 5000}))
    assert load_settings(path).words_per_minute == DEFAULT_WPM  # out of range: the default
    settings = Settings(words_per_minute=180)
    save_settings(path, settings)
    assert json.loads(path.read_text())["schema_version"] == 3
    assert load_settings(path).words_per_minute == 180
