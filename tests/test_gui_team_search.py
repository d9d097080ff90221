"""The search panel's scope against a real Chroma server: alice shares the samples; in bob's
window (his own library holds only the PDF) Team shows her cards marked with who shared them,
Both merges them with his own hits (his PDF not twice), Enter opens a team card with its
marks, Ctrl+K on a team hit asks for a pull, and with the server gone Both still shows his
own results and says why the team part is missing. The search runs in a job, never on the
GUI thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from app.context import AppContext
from app.team_search import Scope
from desktop.main_window import MainWindow
from desktop.search.results_model import HTML_ROLE
from desktop.search.search_panel import SearchPanel
from tests.chroma_server import ChromaServer
from tests.conftest import SAMPLES, close_quietly
from tests.gui_helpers import screenshot
from tests.team_fixtures import share_all

QUERY = "whaling moratorium"
PAPER = "argument mining dataset of debate evidence"  # what bob's own PDF is about


@pytest.fixture
def bob_window(qtbot: Any, alice: AppContext, bob: AppContext, tmp_path: Path) -> Iterator[Any]:
    share_all(alice)
    lib = bob.open_library()
    try:
        list(lib.import_paths([SAMPLES / "pdf"]))
    finally:
        lib.close()
    win = MainWindow(bob, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=close_quietly)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.jobs.cancel_all()
    win.close()


def search(qtbot: Any, panel: SearchPanel, scope: Scope, text: str = QUERY) -> None:
    panel.scope.setCurrentIndex(panel.scope.findData(str(scope)))
    if panel.query.text() != text:
        panel.query.setText(text)

    def shown() -> None:
        assert panel.shown_query == text and panel._job is None and not panel._timer.isActive()

    qtbot.waitUntil(shown, timeout=30_000)


def test_team_and_both_scopes(
    bob_window: Any, qtbot: Any, team_server: ChromaServer, bob: AppContext
) -> None:
    panel: SearchPanel = bob_window.search
    assert [panel.scope.itemText(i) for i in range(panel.scope.count())] == [
        "Mine",
        "Team",
        "Both",
    ]
    search(qtbot, panel, Scope.MINE)  # bob's one PDF says nothing about whaling
    assert not panel.results._items and panel.status.text().startswith("No results")
    search(qtbot, panel, Scope.MINE, PAPER)
    mine = list(panel.results._items)
    assert mine and all(not it.shared_by for it in mine)

    search(qtbot, panel, Scope.TEAM, QUERY)
    team = list(panel.results._items)
    assert team and {it.shared_by for it in team} == {"alice"}
    assert all(it.hit.origin.startswith("team://") for it in team)
    top = panel.results.index(0)
    assert "shared by alice" in panel.results.data(top, HTML_ROLE)
    assert "team: shared by alice" in panel.results.data(top, Qt.ItemDataRole.DisplayRole)
    screenshot(bob_window, "search-team-scope")

    # Enter opens a team card with the sharer's marks; Ctrl+K asks for a pull first.
    card_row = next(i for i, it in enumerate(team) if it.imported)
    panel.view.setCurrentIndex(panel.results.index(card_row))
    with qtbot.waitSignal(panel.open_card, timeout=2000) as opened:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    card = opened.args[0]
    assert card.tag and card.body and card.spans and card.short_cite
    assert all(0 <= s.start < s.end <= len(card.body) for s in card.spans)
    with qtbot.assertNotEmitted(panel.cut_passage):
        qtbot.keyClick(panel.view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert "pull it" in panel.status.text()

    search(qtbot, panel, Scope.BOTH, PAPER)
    both = list(panel.results._items)
    assert any(it.shared_by for it in both) and any(not it.shared_by for it in both)
    # The PDF is in bob's own library: its team copy is not shown a second time.
    team_sources = {it.hit.source_title for it in both if it.shared_by}
    own_sources = {it.hit.source_title for it in both if not it.shared_by}
    assert not team_sources & own_sources
    screenshot(bob_window, "search-both-scope")

    team_server.stop()
    search(qtbot, panel, Scope.BOTH, "debate evidence summarization")  # server gone
    assert panel.results._items and all(not it.shared_by for it in panel.results._items)
    assert "team library unavailable" in panel.status.text()
    assert "does not answer" in panel.status.text()
    screenshot(bob_window, "search-both-server-down")
    team_server.start()
