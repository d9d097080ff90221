"""The document editor through real key presses on real Verbatim files: each Verbatim key
changes what `card_document()` reads back as it should and is one undo step; the rich text
round trip is exact for every sample file; the navigation pane jumps and moves blocks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QApplication

from desktop.documents import nav_pane, rich_text, roles, units
from desktop.documents.document_editor import DocumentEditor
from desktop.documents.rich_text import (
    build_text_document,
    canonical_document,
    read_text_document,
)
from evidence.cards.card import (
    Analytic,
    Card,
    CardDocument,
    Heading,
    Level,
    Mark,
    Span,
    walk,
)
from evidence.verbatim import read_verbatim
from evidence.verbatim.writer import write_docx
from tests.conftest import SAMPLES
from tests.gui_helpers import screenshot

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SAMPLE_FILES = sorted((SAMPLES / "verbatim").glob("*.docx"))
NEG = SAMPLES / "verbatim" / "neg.docx"
Step = Callable[[], None]


def edge_document() -> CardDocument:
    """What real files rarely hold at once: line breaks in a title, tag and cite, a U+2028
    kept in a body, text outside the BMP under a span, a short cite inside its full cite,
    none at all, provenance, warnings, an empty body, an analytic with and without text."""
    return CardDocument(
        title="Edges",
        warnings=["a document warning"],
        nodes=[
            Analytic("An analytic before any heading", "first line\nsecond line"),
            Heading(
                Level.POCKET,
                "Pocket\nwith a break",
                [
                    Heading(
                        Level.BLOCK,
                        "Block under the Pocket",
                        [
                            Card(
                                "Tag with\na break",
                                "Smith 20",
                                "Professor Jane Smith 20, Journal",
                                "Warming 🌍 is real\u2028and fast.\n\nSecond 𝔸 paragraph.",
                                [
                                    Span(0, 9, Mark.UNDERLINE),
                                    Span(8, 10, Mark.HIGHLIGHT, "green"),
                                    Span(24, 29, Mark.EMPHASIS),
                                    Span(27, 45, Mark.HIGHLIGHT, "white"),
                                ],
                                ["kept warning"],
                                source_id=7,
                                source_offset=1234,
                            ),
                            Card("No cite", "", "", "", [], source_id=None, source_offset=55),
                            Card("Short only", "Lee 19", "", "Body.", [Span(0, 4, Mark.UNDERLINE)]),
                            Analytic("An analytic with no text"),
                        ],
                    ),
                    Heading(Level.HAT, "", [Card("t", "Ng 21", "line one\nline two", "b", [])]),
                ],
            ),
        ],
    )


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_round_trip_is_exact_for_every_sample(qapp: Any, path: Path) -> None:
    doc = read_verbatim(path)
    back = read_text_document(build_text_document(doc))
    assert back == canonical_document(doc)
    assert read_text_document(build_text_document(back)) == back
    assert len(back.cards()) == len(doc.cards()) > 10


def test_round_trip_of_edge_cases(qapp: Any) -> None:
    doc = edge_document()
    back = read_text_document(build_text_document(doc))
    assert back == canonical_document(doc)
    card = back.cards()[0]
    assert (card.source_id, card.source_offset, card.warnings) == (7, 1234, ["kept warning"])
    assert back.cards()[1].source_offset == 55 and back.cards()[1].source_id is None
    assert card.tag == "Tag with\na break" and "\u2028" in card.body


@pytest.fixture
def editor(qtbot: Any) -> Iterator[DocumentEditor]:
    widget = DocumentEditor()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    widget.load(read_verbatim(NEG))
    widget.view.setFocus()
    yield widget


def select(editor: DocumentEditor, needle: str, *, body: bool = True) -> QTextCursor:
    """Select the first `needle` (in a card body unless `body` is False)."""
    qdoc = editor.view.document()
    found = qdoc.find(needle)
    while body and not found.isNull() and roles.role_of(found.block()) != roles.BODY:
        found = qdoc.find(needle, found)
    assert not found.isNull(), needle
    editor.view.setTextCursor(found)
    return found


def card_holding(doc: CardDocument, words: str) -> Card:
    return next(c for c in doc.cards() if words in c.body)


def marks_over(card: Card, words: str, mark: Mark) -> list[Span]:
    at = card.body.index(words)
    return [s for s in card.spans if s.mark == mark and s.start <= at and s.end >= at + len(words)]


def undo(qtbot: Any, editor: DocumentEditor) -> None:
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


WORDS = "Thus, the public or"  # unmarked body text in neg.docx's first card


@pytest.mark.parametrize(
    ("key", "mark", "color"),
    [
        (Qt.Key.Key_F9, Mark.UNDERLINE, ""),
        (Qt.Key.Key_F10, Mark.EMPHASIS, ""),
        (Qt.Key.Key_F11, Mark.HIGHLIGHT, "green"),
    ],
)
def test_marking_keys_mark_the_selection_and_undo(
    qtbot: Any, editor: DocumentEditor, key: Qt.Key, mark: Mark, color: str
) -> None:
    before = editor.card_document()
    assert not marks_over(card_holding(before, WORDS), WORDS, mark)
    editor.view.highlight_color = "green"
    spot = select(editor, WORDS).selectionEnd()
    qtbot.keyClick(editor.view, key)
    after = editor.card_document()
    card = card_holding(after, WORDS)
    spans = marks_over(card, WORDS, mark)
    assert spans and all(s.color == color for s in spans)
    if mark == Mark.EMPHASIS:  # drawn underlined, so read back underlined from Word too
        assert marks_over(card, WORDS, Mark.UNDERLINE)
    assert card.body == card_holding(before, WORDS).body  # the words never change
    assert editor.is_modified()
    undo(qtbot, editor)  # one key, one undo step
    assert editor.card_document() == before
    assert editor.view.textCursor().position() == spot  # undo stays at the debater's place
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, redo)
    assert editor.card_document() == after


def test_f12_clears_marks_and_f9_twice_unmarks(qtbot: Any, editor: DocumentEditor) -> None:
    before = editor.card_document()
    marked = "the casus foederis"  # highlighted and underlined in the first card
    assert marks_over(card_holding(before, marked), marked, Mark.HIGHLIGHT)
    select(editor, marked)
    qtbot.keyClick(editor.view, Qt.Key.Key_F12)
    card = card_holding(editor.card_document(), marked)
    assert not any(marks_over(card, marked, m) for m in Mark)
    undo(qtbot, editor)
    assert editor.card_document() == before
    select(editor, WORDS)
    qtbot.keyClick(editor.view, Qt.Key.Key_F9)
    qtbot.keyClick(editor.view, Qt.Key.Key_F9)  # Word's rule: all marked, so unmark
    assert editor.card_document() == before


def test_f3_condenses_the_card_body_and_undo_restores(qtbot: Any, editor: DocumentEditor) -> None:
    before = editor.card_document()
    card = next(c for c in before.cards() if c.body.count("\n") >= 2)
    cursor = select(editor, card.body.split("\n")[1][:30])
    cursor.clearSelection()  # no selection: the whole body of the card at the cursor
    editor.view.setTextCursor(cursor)
    qtbot.keyClick(editor.view, Qt.Key.Key_F3)
    after = editor.card_document()
    joined = next(c for c in after.cards() if c.tag == card.tag and c.short_cite == card.short_cite)
    assert "\n" not in joined.body
    assert joined.body.split() == card.body.split()  # only whitespace changed
    assert [c.body for c in after.cards() if c is not joined] == [
        c.body for c in before.cards() if c is not card
    ]
    # A span crossing a paragraph break is still one span across the joining space.
    assert len(joined.text_of(Mark.HIGHLIGHT).split()) == len(card.text_of(Mark.HIGHLIGHT).split())
    undo(qtbot, editor)
    assert editor.card_document() == before


def test_alt_f3_shrinks_unmarked_text_only_in_looks(qtbot: Any, editor: DocumentEditor) -> None:
    before = editor.card_document()
    cursor = select(editor, WORDS)
    qtbot.keyClick(editor.view, Qt.Key.Key_F3, Qt.KeyboardModifier.AltModifier)
    probe = QTextCursor(editor.view.document())
    probe.setPosition(cursor.selectionStart() + 2)
    assert probe.charFormat().boolProperty(roles.SHRUNK)
    marked = select(editor, "the casus foederis")
    probe.setPosition(marked.selectionStart() + 2)
    assert not probe.charFormat().boolProperty(roles.SHRUNK)
    assert editor.card_document() == before  # a card has no sizes: saving keeps it whole
    select(editor, WORDS)
    qtbot.keyClick(editor.view, Qt.Key.Key_F3, Qt.KeyboardModifier.AltModifier)
    probe.setPosition(cursor.selectionStart() + 2)
    assert not probe.charFormat().boolProperty(roles.SHRUNK)


@pytest.mark.parametrize(
    ("key", "level"),
    [
        (Qt.Key.Key_F4, Level.POCKET),
        (Qt.Key.Key_F5, Level.HAT),
        (Qt.Key.Key_F6, Level.BLOCK),
    ],
)
def test_heading_keys_make_the_paragraph_a_heading(
    qtbot: Any, editor: DocumentEditor, key: Qt.Key, level: Level
) -> None:
    before = editor.card_document()
    paragraph = "Two or more states form an alliance"
    cursor = select(editor, paragraph)
    title = cursor.block().text()
    cursor.clearSelection()
    editor.view.setTextCursor(cursor)
    qtbot.keyClick(editor.view, key)
    headings = [n for n in walk(editor.card_document().nodes) if isinstance(n, Heading)]
    assert any(h.level == level and h.title == title for h in headings)
    assert editor.current_path()[-1] == title
    undo(qtbot, editor)
    assert editor.card_document() == before


def test_f7_makes_a_tag_and_f8_a_cite(qtbot: Any, editor: DocumentEditor) -> None:
    """A debater pastes a new card as body text under a tag, then styles it: F7 on the
    claim makes it a tag; F8 on the author and date makes that paragraph the cite."""
    editor.load(
        CardDocument(
            nodes=[
                Heading(
                    Level.BLOCK,
                    "Pasted",
                    [
                        Analytic(
                            "Old tag", "Warming is fast\nSmith 20, Professor of Climate\nThe body."
                        )
                    ],
                )
            ]
        )
    )
    cursor = select(editor, "Warming is fast")
    cursor.clearSelection()
    editor.view.setTextCursor(cursor)
    qtbot.keyClick(editor.view, Qt.Key.Key_F7)
    select(editor, "Professor")  # a slip, then the right words: one short cite, the last
    qtbot.keyClick(editor.view, Qt.Key.Key_F8)
    select(editor, "Smith 20", body=False)
    qtbot.keyClick(editor.view, Qt.Key.Key_F8)
    block = editor.card_document().nodes[0]
    assert isinstance(block, Heading)
    assert block.children == [
        Analytic("Old tag"),
        Card("Warming is fast", "Smith 20", ", Professor of Climate", "The body.", []),
    ]
    for _ in range(3):
        undo(qtbot, editor)
    assert isinstance(editor.card_document().nodes[0], Heading)
    assert editor.card_document().nodes[0].children == [  # type: ignore[union-attr]
        Analytic("Old tag", "Warming is fast\nSmith 20, Professor of Climate\nThe body.")
    ]


def test_f2_pastes_plain_text_and_enter_after_a_tag_starts_a_body(
    qtbot: Any, editor: DocumentEditor
) -> None:
    QGuiApplication.clipboard().setText("pasted words")
    marked = select(editor, "the casus foederis")
    cursor = editor.view.textCursor()
    cursor.setPosition(marked.selectionStart() + 4)  # inside a highlighted run
    editor.view.setTextCursor(cursor)
    qtbot.keyClick(editor.view, Qt.Key.Key_F2)
    card = card_holding(editor.card_document(), "pasted words")
    assert not any(marks_over(card, "pasted words", m) for m in Mark)
    analytic = next(n for n in walk(editor.card_document().nodes) if isinstance(n, Analytic))
    tag = select(editor, analytic.tag, body=False)
    tag.clearSelection()
    editor.view.setTextCursor(tag)
    qtbot.keyClick(editor.view, Qt.Key.Key_End)
    qtbot.keyClick(editor.view, Qt.Key.Key_Return)  # Word's "next style: Normal"
    qtbot.keyClicks(editor.view, "my analysis")
    assert roles.role_of(editor.view.textCursor().block()) == roles.BODY
    text = "my analysis" + ("\n" + analytic.text if analytic.text else "")
    assert Analytic(analytic.tag, text) in walk(editor.card_document().nodes)


def test_insert_marker_and_units_at_the_cursor(qtbot: Any, editor: DocumentEditor) -> None:
    before = editor.card_document()
    cursor = select(editor, WORDS)
    cursor.setPosition(cursor.selectionStart())
    editor.view.setTextCursor(cursor)
    card = editor.unit_under_cursor("card")
    assert len(card) == 1 and isinstance(card[0], Card) and WORDS in card[0].body
    block = editor.unit_under_cursor("block")
    assert len(block) == 1 and isinstance(block[0], Heading)
    assert (block[0].level, block[0].title) == (Level.BLOCK, "1NC – T-Activate")
    assert [type(n) for n in block[0].children] == [Card] * 4 + [Analytic]
    assert editor.current_path()[:2] == ["1NC", "1NC – T-Activate"]
    editor.insert_marker("[MARKED 10:42]")
    marked = card_holding(editor.card_document(), "[MARKED 10:42]")
    at = marked.body.index("[MARKED 10:42]")
    assert marked.body[at + len("[MARKED 10:42]") :].startswith(WORDS)
    assert not any(s.start < at + 14 and s.end > at for s in marked.spans)  # its own run
    undo(qtbot, editor)
    assert editor.card_document() == before
    editor.insert_nodes(card)  # after the card at the cursor: the card twice in a row
    tags = [c.tag for c in editor.card_document().cards()]
    i = tags.index(card[0].tag)
    assert tags[i + 1] == card[0].tag and len(tags) == len(before.cards()) + 1
    undo(qtbot, editor)
    assert editor.card_document() == before


def test_nav_pane_click_jumps_and_drop_moves_a_block(qtbot: Any, editor: DocumentEditor) -> None:
    model = editor.nav_model
    top = [model.data(model.index(i, 0)) for i in range(model.rowCount())]
    assert top == ["1NC", "2NC", "1NR", "2NR"]
    index = model.index(1, 0)
    rect = editor.nav.visualRect(index)
    qtbot.mouseClick(editor.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.view.textCursor().block().text() == "2NC"
    # Drag the 2NR pocket in front of the 1NC: the move is one undo step.
    before = editor.card_document()
    data = model.mimeData([model.index(3, 0)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, model.index(-1, 0))
    qtbot.waitUntil(lambda: model.data(model.index(0, 0)) == "2NR")
    moved = editor.card_document()
    assert [n.title for n in moved.nodes] == ["2NR", "1NC", "2NC", "1NR"]  # type: ignore[union-attr]
    assert moved.nodes[0] == before.nodes[3]
    undo(qtbot, editor)
    assert editor.card_document() == before


def test_modified_signal_read_mode_and_screenshots(qtbot: Any, editor: DocumentEditor) -> None:
    seen: list[bool] = []
    editor.modified_changed.connect(seen.append)
    select(editor, WORDS)
    qtbot.keyClick(editor.view, Qt.Key.Key_F9)
    assert seen == [True] and editor.is_modified()
    editor.set_modified(False)
    assert seen == [True, False]
    editor.nav.expandToDepth(1)
    editor.view.move_cursor_to(0)
    screenshot(editor, "document-editor")
    before = editor.card_document()
    size = editor.view.document().defaultFont().pointSizeF()
    editor.set_read_mode(True)
    assert editor.view.document().defaultFont().pointSizeF() > size
    select(editor, WORDS)
    qtbot.keyClick(editor.view, Qt.Key.Key_F9)
    qtbot.keyClicks(editor.view, "typed")
    assert editor.card_document() == before
    screenshot(editor, "document-read-mode")
    editor.set_read_mode(False)
    assert editor.view.document().defaultFont().pointSizeF() == size


def test_copy_and_paste_inside_the_document_keep_the_card(
    qtbot: Any, editor: DocumentEditor
) -> None:
    """Ctrl+C / Ctrl+V of a whole card inside the document bring its tag, cite, marks and
    provenance along (a foreign paste stays plain text)."""
    before = editor.card_document()
    tag = editor.view.document().begin().next().next()  # 1NC, its first Block, then a tag
    assert roles.role_of(tag) == roles.TAG
    stop = tag
    while stop.next().isValid() and roles.role_of(stop.next()) not in (roles.TAG, 1, 2, 3):
        stop = stop.next()
    after_card = stop.next()
    cursor = editor.view.textCursor()
    cursor.setPosition(tag.position())
    cursor.setPosition(after_card.position(), QTextCursor.MoveMode.KeepAnchor)
    editor.view.setTextCursor(cursor)
    qtbot.keyClick(editor.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    cursor.setPosition(after_card.position())
    editor.view.setTextCursor(cursor)
    qtbot.keyClick(editor.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    cards = editor.card_document().cards()
    assert len(cards) == len(before.cards()) + 1
    assert cards[1] == cards[0] == before.cards()[0]
    undo(qtbot, editor)
    assert editor.card_document() == before


def test_nav_pane_follows_the_cursor(qtbot: Any, editor: DocumentEditor) -> None:
    model = editor.nav_model
    select(editor, WORDS)  # in the first card under 1NC – T-Activate
    current = editor.nav.currentIndex()
    assert model.data(current) == editor.card_document().cards()[0].tag
    cursor = editor.view.textCursor()
    cursor.setPosition(editor.view.document().find("2NC").position())
    editor.view.setTextCursor(cursor)
    assert model.data(editor.nav.currentIndex()) == "2NC"
    # The path from the tree is the path found by walking back through the document.
    block = editor.view.document().begin()
    while block.isValid():
        assert model.heading_path(block.blockNumber()) == units.heading_path(block)
        block = block.next()


def test_enter_inside_a_tag_keeps_its_source_on_one_tag(qtbot: Any, editor: DocumentEditor) -> None:
    editor.load(edge_document())
    cursor = select(editor, "Tag with", body=False)
    cursor.clearSelection()
    editor.view.setTextCursor(cursor)
    qtbot.keyClick(editor.view, Qt.Key.Key_Return)  # "Tag with" | "\na break"
    nodes = walk(editor.card_document().nodes)
    assert Analytic("Tag with") in nodes
    card = next(n for n in nodes if isinstance(n, Card) and n.short_cite == "Smith 20")
    assert (card.tag, card.source_id, card.source_offset) == ("\na break", None, None)
    undo(qtbot, editor)
    assert editor.card_document() == canonical_document(edge_document())


def test_edited_document_saved_and_reopened_reads_the_same(
    qtbot: Any, editor: DocumentEditor, tmp_path: Path
) -> None:
    """After keys, what the writer saves and the reader reopens is what the editor held."""
    select(editor, WORDS)
    qtbot.keyClick(editor.view, Qt.Key.Key_F11)
    select(editor, "Two or more states")
    qtbot.keyClick(editor.view, Qt.Key.Key_F10)
    edited = editor.card_document()
    path = tmp_path / "edited.docx"
    write_docx(edited, path)
    reopened = canonical_document(read_verbatim(path))

    def words_and_marks(doc: CardDocument) -> list[tuple[str, str, str, str, list[Span]]]:
        return [(c.tag, c.short_cite, c.full_cite, c.body, c.spans) for c in doc.cards()]

    assert words_and_marks(reopened) == words_and_marks(edited)
    assert [type(n) for n in walk(reopened.nodes)] == [type(n) for n in walk(edited.nodes)]


def test_nav_drop_moves_a_card_into_another_block(qtbot: Any, editor: DocumentEditor) -> None:
    model = editor.nav_model
    pocket = model.index(0, 0)  # 1NC
    first_block, second_block = model.index(0, 0, pocket), model.index(1, 0, pocket)
    card_index = model.index(0, 0, first_block)  # the first card of 1NC – T-Activate
    moved_tag = model.data(card_index)
    target_rows = model.rowCount(second_block)
    before = editor.card_document()
    data = model.mimeData([card_index])
    model.dropMimeData(data, Qt.DropAction.MoveAction, target_rows, 0, second_block)  # its end
    qtbot.waitUntil(lambda: model.rowCount(model.index(1, 0, model.index(0, 0))) > target_rows)
    after = editor.card_document()
    first, second = after.nodes[0].children[0], after.nodes[0].children[1]  # type: ignore[union-attr]
    assert isinstance(first, Heading) and isinstance(second, Heading)
    assert moved_tag not in [c.tag for c in first.children if isinstance(c, Card)]
    assert isinstance(second.children[-1], Card) and second.children[-1].tag == moved_tag
    assert second.children[-1] == before.cards()[0]  # moved whole
    undo(qtbot, editor)
    assert editor.card_document() == before


def test_nav_pane_rescans_only_when_the_outline_may_change(
    qtbot: Any, editor: DocumentEditor
) -> None:
    model = editor.nav_model
    scans: list[int] = []
    real = model.refresh

    def counting() -> None:
        scans.append(1)
        real()

    model.refresh = counting  # type: ignore[method-assign]
    cursor = select(editor, WORDS)
    cursor.clearSelection()
    editor.view.setTextCursor(cursor)
    qtbot.keyClicks(editor.view, "typing in a card body ")
    qtbot.wait(2 * nav_pane.REFRESH_MS)
    assert scans == []  # typing in a body never rescans
    tag = select(editor, "“Defense pacts” obligate aid.", body=False)
    tag.clearSelection()
    editor.view.setTextCursor(tag)
    qtbot.keyClicks(editor.view, " (new)")
    assert scans == []  # debounced, not per keystroke
    qtbot.waitUntil(lambda: len(scans) == 1)
    titles = [model.data(model.index(i, 0, model.index(0, 0, model.index(0, 0)))) for i in range(2)]
    assert titles[1] == "“Defense pacts” obligate aid. (new)"


def test_reading_back_after_edits_matches_a_fresh_read(
    qtbot: Any, editor: DocumentEditor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor keeps cards already read until an edit touches them: after every kind of
    edit, what it reads equals a read from scratch (and unchanged cards are not read again)."""
    view = editor.view

    def fresh() -> CardDocument:
        return read_text_document(view.document())

    def here(needle: str, *, body: bool = True) -> None:
        cursor = select(editor, needle, body=body)
        cursor.clearSelection()
        view.setTextCursor(cursor)

    assert editor.card_document() == fresh()
    cached = len(editor._cache)
    assert cached == len(walk(fresh().nodes)) - sum(
        isinstance(n, Heading) for n in walk(fresh().nodes)
    )

    def key_at(needle: str, key: Qt.Key, *, body: bool = True, keep: bool = False) -> Step:
        def step() -> None:
            if keep:
                select(editor, needle, body=body)
            else:
                here(needle, body=body)
            qtbot.keyClick(view, key)

        return step

    def typing() -> None:
        here(WORDS)
        qtbot.keyClicks(view, "typed ")

    def duplicate_block() -> None:
        editor.insert_nodes(editor.unit_under_cursor("block"))

    steps: list[Step] = [
        key_at(WORDS, Qt.Key.Key_F9, keep=True),
        typing,
        key_at("Two or more states", Qt.Key.Key_F7),  # a new tag inside a card
        key_at("Two or more states", Qt.Key.Key_F12, body=False, keep=True),
        key_at("Each Party recognizes", Qt.Key.Key_F3),
        key_at("Each Party recognizes", Qt.Key.Key_Return),
        key_at("“Defense pacts”", Qt.Key.Key_F12, body=False, keep=True),  # a tag to body
        lambda: undo(qtbot, editor),
        lambda: undo(qtbot, editor),
        duplicate_block,
        lambda: undo(qtbot, editor),
    ]
    for step in steps:
        step()
        assert editor.card_document() == fresh()
    # Typing in one card: the next read reads that card (and the one before it) again only.
    reads: list[int] = []
    real = rich_text._read_tagged

    def counting(*args: Any) -> Any:
        reads.append(1)
        return real(*args)

    monkeypatch.setattr(rich_text, "_read_tagged", counting)
    editor.card_document()
    here(WORDS)
    qtbot.keyClicks(view, "more ")
    reads.clear()
    after = editor.card_document()
    assert 1 <= len(reads) <= 2  # the card typed in (and the one before it), of 59
    assert after == fresh()
