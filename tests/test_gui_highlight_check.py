"""The highlight checker live in the card editor, on a real card: unhighlighting the "not"
of a read claim with F11 shows the finding (a wavy line in the body and a sentence under
it); highlighting it again makes it go; clicking a finding selects its span."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.editor.card_editor import CardEditor
from evidence.cards.card import Card
from evidence.verbatim import read_verbatim
from tests.conftest import SAMPLES
from tests.gui_helpers import screenshot

DROPPED = "highlight drops “not” between “has” and “dictated”: the read says the opposite"
ALREADY = "highlight drops “not” between “would” and “overturn”: the read says the opposite"


def article_ix() -> Card:
    """A real card (neg.docx) whose read includes "has not dictated"."""
    cards = read_verbatim(SAMPLES / "verbatim" / "neg.docx").cards()
    return next(c for c in cards if c.tag.startswith("Article IX and atomic energy laws"))


@pytest.fixture
def editor(qtbot: Any) -> Iterator[CardEditor]:
    widget = CardEditor()
    qtbot.addWidget(widget)
    widget.resize(760, 560)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    widget.set_card(article_ix())
    widget.body.setFocus()
    yield widget


def _checked(editor: CardEditor, qtbot: Any, present: bool) -> None:
    """Wait for the live check (its timer) to show, or drop, the finding."""
    qtbot.waitUntil(lambda: (DROPPED in editor.findings.messages()) is present, timeout=3000)


def test_dropping_a_negation_shows_the_finding_and_fixing_it_clears_it(
    editor: CardEditor, qtbot: Any
) -> None:
    qtbot.waitUntil(lambda: editor.findings.messages() == [ALREADY], timeout=3000)
    assert editor.findings.isVisible()
    body = editor.card().body  # type: ignore[union-attr]
    start = body.index("has not dictated") + 4
    editor.highlight_color.setCurrentText("yellow")  # the card's colour: F11 toggles it off
    editor.body.setFocus()
    editor.body.select(start, start + 3)
    qtbot.keyClick(editor.body, Qt.Key.Key_F11)  # the "not" leaves the read
    _checked(editor, qtbot, present=True)
    assert editor.findings.messages() == [DROPPED, ALREADY]  # in body order
    waves = [
        (s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in editor.body.extraSelections()
    ]
    assert (start, start + 3) in waves  # the body is ASCII up to here: Qt and str offsets agree
    card = editor.card()
    assert card is not None and card.body == body  # the check never touches the card
    editor.body.select(0, 0)
    screenshot(editor, "editor_highlight_check")

    editor.body.select(start, start + 3)
    qtbot.keyClick(editor.body, Qt.Key.Key_F11)  # read again
    _checked(editor, qtbot, present=False)
    assert editor.findings.messages() == [ALREADY]
    assert len(editor.body.extraSelections()) == 1


def test_clicking_a_finding_selects_its_span(editor: CardEditor, qtbot: Any) -> None:
    qtbot.waitUntil(lambda: editor.findings.count() == 1, timeout=3000)
    item = editor.findings.item(0)
    rect = editor.findings.visualItemRect(item)
    qtbot.mouseClick(editor.findings.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    start, end = editor.body.selection()
    assert editor.card().body[start:end] == "not"  # type: ignore[union-attr]
    assert editor.body.hasFocus()


def test_a_clean_card_shows_no_findings(editor: CardEditor, qtbot: Any) -> None:
    clean = read_verbatim(SAMPLES / "verbatim" / "1nc.docx").cards()[0]
    editor.set_card(clean)
    editor.live_check.run()
    assert editor.findings.messages() == [] and not editor.findings.isVisible()
    assert editor.body.extraSelections() == []
