"""Go to source: a document's card opens the library text it was cut from (issue 14)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from app.sources import SourceNotFound, find_card_source
from desktop.documents.source_view import SourceDialog
from evidence.cards.card import Card, CardDocument
from evidence.library import Library
from tests.conftest import SAMPLES

ONE_NC = SAMPLES / "verbatim" / "1nc.docx"
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


def imported_cards(lib: Library) -> list[Card]:
    list(lib.import_paths([ONE_NC], embed=False))
    return [row.node for row in lib.cards() if isinstance(row.node, Card)]


def test_a_card_finds_its_words_in_its_source(data_dir, embedder) -> None:  # type: ignore[no-untyped-def]
    from evidence.settings import Settings

    lib = Library(data_dir, Settings(), lambda: embedder)
    try:
        cards = imported_cards(lib)
        assert len(cards) >= 10
        for card in cards:
            place = find_card_source(lib, card)
            assert place.text[place.start : place.end] == card.body and place.note == ""
            assert place.title == "1nc.docx"
        card = cards[3]
        moved = dataclasses.replace(card, source_offset=0)  # an offset gone stale
        place = find_card_source(lib, moved)
        assert place.text[place.start : place.end] == card.body and "another place" in place.note
        with pytest.raises(SourceNotFound, match="does not say where"):
            find_card_source(lib, dataclasses.replace(card, source_id=None))
        with pytest.raises(SourceNotFound, match="not in your library"):
            find_card_source(lib, dataclasses.replace(card, source_id=9999))
        # A teammate's file: the id exists here, but names another text.
        foreign = dataclasses.replace(card, body="Words no source of this library holds.")
        with pytest.raises(SourceNotFound, match="does not hold this card's text"):
            find_card_source(lib, foreign)
    finally:
        lib.close()


def test_ctrl_g_in_a_document_opens_the_source(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    window = main_window
    lib = window.ctx.open_library()
    try:
        card = imported_cards(lib)[2]
    finally:
        lib.close()
    tab = window.files.new_document()
    tab.editor.load(CardDocument([card], title="Block"))
    view = tab.editor.view
    at = view.document().find(card.body.split("\n")[0][:40])
    cursor = view.textCursor()
    cursor.setPosition(at.selectionStart())
    view.setTextCursor(cursor)
    with qtbot.waitActive(window):  # the menu's keys need the active window
        window.activateWindow()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.findChild(SourceDialog) is not None)
    dialog = window.findChild(SourceDialog)
    assert dialog.isVisible() and dialog.selected() == card.body
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "go-to-source.png"))
    dialog.close()

    # A card the library does not have: said in the status bar, no dialog.
    stranger = Card("A tag", "Nobody 99", "", "Text typed in by hand.", source_id=None)
    tab.editor.load(CardDocument([stranger]))
    cursor = view.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    view.setTextCursor(cursor)
    assert window.go_to_source() is None
    QApplication.processEvents()
    assert "does not say where it came from" in window.statusBar().currentMessage()
