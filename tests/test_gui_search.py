"""Search in the real window over the imported samples: results as you type with the query's
words marked, filters narrow them, Enter opens the imported card (marks and all) in the
editor or a passage as a new card, Ctrl+K asks for a cut, stale answers are dropped, and
without an embedding model the search says it is keyword-only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from app.context import AppContext
from app.search import SearchRequest, SearchResult, run_search
from desktop.jobs import JobRegistry
from desktop.main_window import MainWindow
from desktop.search.results_model import HTML_ROLE, ResultsModel
from desktop.search.search_panel import SearchPanel
from evidence.cards.card import Card
from evidence.datadir import DataDir
from evidence.index.search import SearchFilters
from evidence.settings import Settings
from tests.conftest import close_quietly
from tests.gui_helpers import screenshot

QUERY = "UNCLOS duty to conserve whales"


@pytest.fixture(scope="module")
def samples_dir(sample_library: Any, tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """A private copy of the imported, embedded samples (the shared one must stay as it is)."""
    root = tmp_path_factory.mktemp("search-samples") / "data"
    shutil.copytree(sample_library.data_dir.root, root)
    return DataDir(root)


@pytest.fixture
def window(qtbot: Any, samples_dir: DataDir, embedder: Any, tmp_path: Path) -> Iterator[Any]:
    ctx = AppContext.open(samples_dir, embedder=embedder)
    win = MainWindow(ctx, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win, before_close_func=close_quietly)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.jobs.cancel_all()
    win.close()


def type_query(qtbot: Any, panel: SearchPanel, text: str) -> None:
    panel.query.clear()
    panel.query.setFocus()
    qtbot.keyClicks(panel.query, text)
    wait_results(qtbot, panel, text)


def wait_results(qtbot: Any, panel: SearchPanel, text: str) -> None:
    def shown() -> None:
        assert panel.shown_query == text and panel._job is None and not panel._timer.isActive()

    qtbot.waitUntil(shown, timeout=20_000)


def origins(panel: SearchPanel) -> list[str]:
    return [Path(item.hit.origin).name for item in panel.results._items]


def test_type_open_and_cut(window: Any, qtbot: Any, samples_dir: DataDir) -> None:
    panel: SearchPanel = window.search
    type_query(qtbot, panel, QUERY)
    assert origins(panel)[0] == "1nc.docx"
    top = panel.results.item(0)
    assert top is not None and top.imported
    marked = {top.hit.snippet[a:b].lower() for a, b in top.hit.marks}
    assert {"unclos", "duty", "whales"} <= marked
    html = panel.results.data(panel.results.index(0), HTML_ROLE)
    assert "<span style=" in html and ">UNCLOS</span>" in html
    assert "Keyword rank #" in panel.results.data(
        panel.results.index(0), Qt.ItemDataRole.ToolTipRole
    )
    assert "keywords + meaning" in panel.status.text()
    screenshot(window, "search-results")

    # Enter opens the imported card, with the marks the debater gave it, in the editor.
    with qtbot.waitSignal(panel.open_card, timeout=2000):
        qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    opened = window.editor.card()
    lib = AppContext.open(samples_dir).open_library()
    try:
        (row,) = [r for r in lib.cards() if r.passage_id == top.hit.passage_id]
    finally:
        lib.close()
    assert isinstance(row.node, Card) and row.node.spans
    assert opened == row.node
    assert opened.short_cite == "Matanich 96"
    screenshot(window, "search-opened-card")

    # Ctrl+K asks for a card cut from the current result (the assistant's flow is its own).
    window.search.cut_passage.disconnect(window._cut_passage)
    with qtbot.waitSignal(panel.cut_passage, timeout=2000) as cut:
        qtbot.keyClick(panel.view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert cut.args == [top.hit.passage_id, QUERY]


def test_filters_narrow_the_results(window: Any, qtbot: Any) -> None:
    panel: SearchPanel = window.search
    query = "climate change"  # real cards in both files: neg-2.docx's and 1nc.docx's
    type_query(qtbot, panel, query)
    assert {"1nc.docx", "neg-2.docx"} <= set(origins(panel))
    qtbot.waitUntil(lambda: panel.source_filter.count() > 3, timeout=10_000)
    panel.source_filter.setCurrentIndex(panel.source_filter.findText("neg-2.docx"))
    wait_results(qtbot, panel, query)
    assert origins(panel) and set(origins(panel)) == {"neg-2.docx"}

    panel.source_filter.setCurrentIndex(0)
    qtbot.keyClicks(panel.date_to, "2021-10")  # 1nc.docx is dated 2021-11-08
    wait_results(qtbot, panel, query)
    assert origins(panel) and "1nc.docx" not in origins(panel)
    panel.date_to.clear()
    qtbot.keyClicks(panel.date_from, "2030")
    wait_results(qtbot, panel, query)
    assert origins(panel) == [] and panel.status.text().startswith("No results")


def test_passage_opens_as_a_new_card_with_its_cite(window: Any, qtbot: Any) -> None:
    panel: SearchPanel = window.search
    type_query(qtbot, panel, "argument mining summarization dataset")
    row = next(i for i, o in enumerate(origins(panel)) if o.endswith(".pdf"))
    item = panel.results.item(row)
    assert item is not None and not item.imported
    panel.view.scrollTo(panel.results.index(row))
    rect = panel.view.visualRect(panel.results.index(row))
    # A real double-click: press/release, then the double-click event (the view needs both).
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(panel.open_card, timeout=2000) as opened:
        qtbot.mouseDClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    card: Card = opened.args[0]
    assert card.tag == "" and card.spans == []
    assert card.source_offset == item.hit.start and card.source_id == item.hit.source_id
    assert card.short_cite.endswith("20") and card.full_cite.startswith("[")
    assert window.editor.card() == card


def test_stale_answers_are_dropped(window: Any, qtbot: Any) -> None:
    panel: SearchPanel = window.search
    type_query(qtbot, panel, QUERY)
    shown = list(panel.results._items)
    old = SearchResult(SearchRequest(panel._seq - 1, "whatever", SearchFilters()), [], "")
    panel._on_result(old)
    assert panel.results._items == shown and panel.shown_query == QUERY
    # Typing on while a search runs: only the last query's answer is shown.
    panel.query.clear()
    qtbot.keyClicks(panel.query, "whales")
    qtbot.waitUntil(lambda: panel._job is not None, timeout=5000)
    qtbot.keyClicks(panel.query, " innovation")
    wait_results(qtbot, panel, "whales innovation")
    assert panel.query.text() == "whales innovation"


def test_keyword_only_without_an_embedding_model(
    qtbot: Any, samples_dir: DataDir, tmp_path: Path
) -> None:
    ctx = AppContext(samples_dir, Settings(embedding_model=str(tmp_path / "missing.gguf")))
    jobs = JobRegistry()
    panel = SearchPanel(ctx, jobs)
    qtbot.addWidget(panel)
    panel.show()
    try:
        type_query(qtbot, panel, QUERY)
        assert "keyword search only" in panel.status.text()
        assert origins(panel)[0] == "1nc.docx"
        assert all(item.hit.vector_rank is None for item in panel.results._items)
    finally:
        assert jobs.cancel_all()


@pytest.mark.parametrize("dark", [False, True])
def test_results_model_and_look(
    qtbot: Any, qtmodeltester: Any, samples_dir: DataDir, embedder: Any, dark: bool
) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.app import apply_theme

    ctx = AppContext.open(samples_dir, embedder=embedder)
    result = run_search(ctx, SearchRequest(1, QUERY, SearchFilters()))
    model = ResultsModel()
    model.set_items(result.items)
    qtmodeltester.check(model)
    assert model.rowCount() == len(result.items) > 3

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark)
    try:
        panel = SearchPanel(ctx, JobRegistry())
        qtbot.addWidget(panel)
        panel.resize(560, 640)
        panel.show()
        panel.query.setText(QUERY)
        wait_results(qtbot, panel, QUERY)
        screenshot(panel, "search-results-dark" if dark else "search-panel")
    finally:
        apply_theme(app, False)
        panel.jobs.cancel_all()


def test_card_rows_show_tag_cite_and_place(window: Any, qtbot: Any) -> None:
    """A card hit reads as a debater files it: tag — short cite, then file ▸ pocket ▸ hat ▸
    block; a PDF passage keeps its page; nothing about pages on a .docx; a query the library
    knows nothing about says No results (issue 16, part 4)."""
    panel: SearchPanel = window.search
    type_query(qtbot, panel, QUERY)
    index = panel.results.index(0)
    text = panel.results.data(index, Qt.ItemDataRole.DisplayRole)
    tag, place, snippet = text.split("\n")
    assert tag == "Protection means to command a cessation of use. — Matanich 96"
    assert place == "1nc.docx ▸ Offcase ▸ 1NC---T"
    assert snippet.startswith("UNCLOS imposes a duty")
    html = panel.results.data(index, HTML_ROLE)
    assert "<b>Protection means to command a cessation of use. — Matanich 96</b>" in html
    assert "1nc.docx ▸ Offcase ▸ 1NC---T" in html
    analytic = next(r for r, i in enumerate(panel.results._items) if i.analytic)
    assert "· analytic" in panel.results.data(panel.results.index(analytic), HTML_ROLE)
    rows = [panel.results.data(panel.results.index(r)) for r in range(panel.results.rowCount())]
    assert not any("page" in row.split("\n")[0] for row in rows)
    panel.resize(560, 700)
    screenshot(panel, "search-card-rows")

    type_query(qtbot, panel, "argument mining summarization dataset")
    pdf_rows = [i for i in panel.results._items if i.hit.origin.endswith(".pdf")]
    assert pdf_rows and all(f", p. {i.hit.page}" in i.where() for i in pdf_rows)

    type_query(qtbot, panel, "professional baseball salary cap")
    assert panel.results.rowCount() == 0 and panel.status.text().startswith("No results")
