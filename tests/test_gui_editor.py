"""The card editor through real key presses: Verbatim's F-keys mark the selection without
touching the words, condense joins paragraphs, undo/redo cover both, the card round-trips
exactly (every sample card too), and Ctrl+Enter sends it to the outline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.editor import card_format as cf
from desktop.editor.card_editor import EDITED_BY_HAND, CardEditor
from evidence.cards.card import Card, Mark, Span
from evidence.verbatim import read_verbatim
from tests.conftest import SAMPLES
from tests.gui_helpers import screenshot

BODY = (
    "UNCLOS imposes a duty upon states to conserve whales that is stronger than their "
    "obligations.\nThe word “protection” was used in an early draft\u00a0[*60] of the article."
)


def whale_card() -> Card:
    return Card(
        tag="Protection means to command a cessation of use.",
        short_cite="Matanich 96",
        full_cite="Johanna Matanich 96, A Treaty Comes of Age, International Legal Perspectives",
        body=BODY,
        spans=[
            Span(0, 6, Mark.UNDERLINE),  # "UNCLOS" underlined twice over, split at 3:
            Span(17, 33, Mark.UNDERLINE),
            Span(17, 21, Mark.HIGHLIGHT, "cyan"),
            Span(37, 52, Mark.EMPHASIS),
            Span(37, 52, Mark.HIGHLIGHT, "yellow"),
        ],
        warnings=["cite recognised by its position"],
        source_id=3,
        source_offset=278,
    )


@pytest.fixture
def editor(qtbot: Any) -> Iterator[CardEditor]:
    widget = CardEditor()
    qtbot.addWidget(widget)
    widget.resize(700, 520)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    widget.set_card(whale_card())
    widget.body.setFocus()
    yield widget


def select(editor: CardEditor, words: str) -> tuple[int, int]:
    start = BODY.index(words)
    editor.body.select(start, start + len(words))
    return start, start + len(words)


def test_round_trip_is_exact(editor: CardEditor) -> None:
    assert editor.card() == whale_card()
    assert editor.card() is not editor.card()


def test_every_sample_card_round_trips(qtbot: Any) -> None:
    widget = CardEditor()
    qtbot.addWidget(widget)
    cards = [
        c for f in sorted((SAMPLES / "verbatim").glob("*.docx")) for c in read_verbatim(f).cards()
    ]
    assert len(cards) > 100
    for card in cards:
        widget.set_card(card)
        assert widget.card() == card, card.tag


def test_f_keys_mark_the_selection_and_never_change_the_words(
    editor: CardEditor, qtbot: Any
) -> None:
    a, b = select(editor, "stronger than their")
    qtbot.keyClick(editor.body, Qt.Key.Key_F9)
    card = editor.card()
    assert card is not None and card.body == BODY
    assert Span(a, b, Mark.UNDERLINE) in card.spans
    assert card.source_offset == 278  # marking is not editing

    qtbot.keyClick(editor.body, Qt.Key.Key_F10)
    editor.highlight_color.setCurrentText("green")
    editor.body.setFocus()
    qtbot.keyClick(editor.body, Qt.Key.Key_F11)
    card = editor.card()
    assert card is not None and card.body == BODY
    assert {Span(a, b, Mark.EMPHASIS), Span(a, b, Mark.HIGHLIGHT, "green")} <= set(card.spans)
    assert editor.body.selection() == (a, b)  # the selection stays for the next key

    qtbot.keyClick(editor.body, Qt.Key.Key_F9)  # toggles the underline off again
    card = editor.card()
    assert card is not None and Span(a, b, Mark.UNDERLINE) not in card.spans

    select(editor, "UNCLOS imposes a duty upon states")
    qtbot.keyClick(editor.body, Qt.Key.Key_F12)
    card = editor.card()
    assert card is not None and card.body == BODY
    assert not [s for s in card.spans if s.start < 33]
    # Undo walks back every step (F12, F9, F11, F10, F9) to the original card; redo returns.
    for _ in range(5):
        qtbot.keyClick(editor.body, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.card() == whale_card()
    qtbot.keyClick(editor.body, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    redone = editor.card()
    assert redone is not None and Span(a, b, Mark.UNDERLINE) in redone.spans
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(editor.body, Qt.Key.Key_Z, shift_ctrl)
    redone = editor.card()
    assert redone is not None and Span(a, b, Mark.EMPHASIS) in redone.spans


def test_condense_joins_paragraphs_and_undoes(editor: CardEditor, qtbot: Any) -> None:
    before = whale_card()
    qtbot.keyClick(editor.body, Qt.Key.Key_F3)
    card = editor.card()
    assert card is not None
    assert card.body == BODY.replace("\n", " ")
    assert card.body.split() == BODY.split()
    # Same offsets (one break became one space), so every mark is where it was.
    assert card.spans == cf.canonical(before.body, before.spans)
    assert card.source_offset is None  # no longer the source's exact text…
    assert EDITED_BY_HAND not in card.warnings  # …but no word was edited
    qtbot.keyClick(editor.body, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.card() == before


def test_typing_is_an_edit_by_hand(editor: CardEditor, qtbot: Any) -> None:
    editor.body.select(0, 0)
    qtbot.keyClicks(editor.body, "Yes ")
    card = editor.card()
    assert card is not None and card.body == "Yes " + BODY
    assert card.source_offset is None and card.source_id == 3
    assert EDITED_BY_HAND in card.warnings
    for _ in range(4):
        qtbot.keyClick(editor.body, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.card() == whale_card()


def test_f8_moves_the_selected_cite_part_into_the_short_cite(
    editor: CardEditor, qtbot: Any
) -> None:
    editor.short_cite.clear()
    editor.full_cite.setPlainText("Matanich 96, Johanna Matanich, International Legal Perspectives")
    editor.full_cite.setFocus()
    cursor = editor.full_cite.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(len("Matanich 96"), cursor.MoveMode.KeepAnchor)
    editor.full_cite.setTextCursor(cursor)
    qtbot.keyClick(editor.full_cite, Qt.Key.Key_F8)
    card = editor.card()
    assert card is not None
    assert (card.short_cite, card.full_cite) == (
        "Matanich 96",
        "Johanna Matanich, International Legal Perspectives",
    )
    # In the body F8 changes nothing.
    editor.body.setFocus()
    select(editor, "conserve whales")
    qtbot.keyClick(editor.body, Qt.Key.Key_F8)
    after = editor.card()
    assert after is not None and (after.body, after.spans) == (card.body, card.spans)
    assert "F8" in editor.hint.text()


def test_send_to_outline_emits_the_edited_card(editor: CardEditor, qtbot: Any) -> None:
    editor.tag.setText("UNCLOS requires conservation, not protection")
    editor.body.setFocus()
    with qtbot.waitSignal(editor.send_to_outline, timeout=1000) as sent:
        qtbot.keyClick(editor.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sent.args[0] == editor.card()
    assert sent.args[0].tag == "UNCLOS requires conservation, not protection"
    assert editor.actions_by_name["send"].toolTip().count("Ctrl+Enter") == 1
    with qtbot.waitSignal(editor.send_to_outline, timeout=1000) as clicked:
        qtbot.mouseClick(editor.send_button, Qt.MouseButton.LeftButton)
    assert clicked.args[0] == sent.args[0]


@pytest.mark.parametrize("dark", [False, True])
def test_marks_are_drawn_readably(editor: CardEditor, qtbot: Any, dark: bool) -> None:
    from desktop.app import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark)
    try:
        editor.set_card(whale_card())
        qtbot.wait(50)
        screenshot(editor, "card-editor-dark" if dark else "card-editor")
        cursor = editor.body.textCursor()
        cursor.setPosition(19)  # inside the cyan "duty"
        fmt = cursor.charFormat()
        assert fmt.background().color().name() == "#00ffff"
        assert fmt.foreground().color().name() == "#000000"  # black on cyan, in both themes
        cursor.setPosition(40)  # inside the emphasised words
        fmt = cursor.charFormat()
        assert fmt.fontUnderline() and fmt.fontWeight() >= 700
    finally:
        apply_theme(app, False)
