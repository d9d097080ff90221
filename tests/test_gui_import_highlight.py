"""Highlight problems after an import in the window (issue 13, part 5): dropping a real
Verbatim file shows "7 cards have highlight problems: show them" under the import summary;
the link lists the flagged cards with the checker's sentences, and opening one puts it in
the card editor with the same finding under its body. Screenshots of both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
from PySide6.QtCore import Qt

from desktop.library.flagged_cards import FlaggedCardsDialog
from desktop.library.library_panel import LibraryPanel
from tests.conftest import SAMPLES
from tests.gui_helpers import screenshot
from tests.test_gui_library import drop, wait_idle

NEG = SAMPLES / "verbatim" / "neg.docx"
ARTICLE_IX = "Article IX and atomic energy laws"
DROPPED = "highlight drops “not” between “would” and “overturn”: the read says the opposite"


def test_import_lists_the_cards_with_highlight_problems(qtbot: Any, main_window: Any) -> None:
    panel: LibraryPanel = main_window.library
    main_window.library_dock.raise_()
    drop(main_window, [NEG])
    wait_idle(qtbot, panel)

    link = panel.results.flagged_link
    assert link.isVisible()
    assert "7 cards have highlight problems" in link.text() and "show them" in link.text()
    details = panel.results.model.data(panel.results.model.index(0, 2))
    assert isinstance(details, str) and details.endswith(", 7 with highlight problems")
    label = main_window.status.index_label
    qtbot.waitUntil(lambda: label.text() == "Index: 1 source, 66 passages", timeout=30_000)
    screenshot(main_window, "import-highlight-summary")

    link.linkActivated.emit("#flagged")  # what a click on "show them" sends
    qtbot.waitUntil(lambda: panel.flagged.dialog is not None, timeout=30_000)
    dialog: FlaggedCardsDialog = panel.flagged.dialog  # type: ignore[assignment]
    qtbot.waitExposed(dialog)
    rows = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert len(rows) == 7
    (article,) = [n for n, row in enumerate(rows) if row.startswith(ARTICLE_IX)]
    assert f"⚠ {DROPPED}" in rows[article]
    assert "neg.docx ▸ " in rows[article]  # where it sits: the file, then its headings
    screenshot(dialog, "import-highlight-list")

    dialog.list.setCurrentRow(article)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)  # open it
    editor = main_window.editor
    assert editor.tag.text().startswith(ARTICLE_IX)
    assert editor.findings.messages() == [DROPPED]  # checked at once, not after the timer
    assert main_window.search_dock.isVisible()
    # The body scrolled to the finding: the cursor sits on the dropped "not".
    (finding,) = editor.live_check.findings
    assert editor.body.selection() == (finding.start, finding.start)
    assert editor.body.viewport().rect().contains(editor.body.cursorRect().center())
    assert editor.card().body[finding.start : finding.end] == "not"
    dialog.close()
    screenshot(main_window, "import-highlight-opened")


def test_queued_drops_count_a_shared_card_once(
    qtbot: Any, main_window: Any, tmp_path: Path
) -> None:
    # A second file holding the same cards (a team's round file copied from the backfile),
    # dropped while the first still imports: its drop waits in the queue, and the summary's
    # line counts the seven flagged cards once, not once per drop.
    copy = tmp_path / "neg-round-2.docx"
    doc = docx.Document(str(NEG))
    doc.paragraphs[0].insert_paragraph_before("Round 2 — copied from the backfile")
    doc.save(str(copy))
    panel: LibraryPanel = main_window.library
    main_window.library_dock.raise_()
    drop(main_window, [NEG])
    drop(main_window, [copy])
    assert panel.is_importing()
    wait_idle(qtbot, panel)

    model = panel.results.model
    assert model.rowCount() == 2  # both files stored, one drop after the other
    assert all(", 7 with highlight problems" in str(model.data(model.index(r, 2))) for r in (0, 1))
    assert "7 cards have highlight problems" in panel.results.flagged_link.text()
    screenshot(main_window, "import-queued-drops-summary")
