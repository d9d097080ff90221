"""The Assistant panel end to end: the real default model (Gemma 3 270M), the real embedder,
a real library of the shared samples, driven through the panel's own controls."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from agents.team.events import (
    CardCut,
    Message,
    PassagesChosen,
    Reviewed,
    Role,
    RunDone,
    Searched,
    Started,
    StepFailed,
    TokenStreamed,
)
from app.context import AppContext
from desktop.assistant.assistant_panel import NO_EVIDENCE_HINT, AssistantPanel, TaskKind
from desktop.assistant.steps_model import StepsModel
from desktop.jobs import JobRegistry
from evidence.cards.card import Card, Heading, Node
from evidence.datadir import DataDir
from evidence.library import Library
from evidence.settings import Settings
from tests.conftest import SAMPLES
from tests.gui_helpers import screenshot

CLAIM = "UNCLOS requires states to conserve whales"
RUN_MS = 300_000  # the real model on a shared 2-core machine
TEAM_ROLES = {Role.SEARCHER, Role.ANALYZER, Role.WRITER, Role.REVIEWER}


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples_home(tmp_path_factory, embedder, embedder_path) -> Path:  # type: ignore[no-untyped-def]
    """The samples imported and embedded once for this module; tests run on copies."""
    data = DataDir(tmp_path_factory.mktemp("assistant-samples")).create()
    lib = Library(data, Settings(embedding_model=str(embedder_path)), lambda: embedder)
    for _ in lib.import_paths([SAMPLES]):
        pass
    assert lib.status().pending_vectors == 0
    lib.close()
    return data.root


@pytest.fixture
def samples_ctx(app_ctx: AppContext, samples_home: Path) -> AppContext:
    """The window's context (real models, 1 thread) on a private copy of the samples."""
    root = app_ctx.data_dir.root
    for name in ("library.sqlite3", "library.sqlite3-wal", "library.sqlite3-shm"):
        if (samples_home / name).exists():
            shutil.copy2(samples_home / name, root / name)
    shutil.copytree(samples_home / "vectors", root / "vectors", dirs_exist_ok=True)
    return app_ctx


def _panel(qtbot, ctx: AppContext) -> Iterator[AssistantPanel]:  # type: ignore[no-untyped-def]
    jobs = JobRegistry()
    panel = AssistantPanel(ctx, jobs)
    qtbot.addWidget(panel)
    panel.resize(1100, 420)
    panel.show()
    qtbot.waitExposed(panel)
    yield panel
    assert jobs.cancel_all(), "an assistant job did not stop"


@pytest.fixture
def panel(qtbot, samples_ctx: AppContext) -> Iterator[AssistantPanel]:  # type: ignore[no-untyped-def]
    yield from _panel(qtbot, samples_ctx)


@pytest.fixture
def empty_panel(qtbot, app_ctx: AppContext) -> Iterator[AssistantPanel]:  # type: ignore[no-untyped-def]
    yield from _panel(qtbot, app_ctx)


# -- helpers ----------------------------------------------------------------------------------


def _cards(nodes: list[Node]) -> list[Card]:
    out: list[Card] = []
    for node in nodes:
        if isinstance(node, Card):
            out.append(node)
        elif isinstance(node, Heading):
            out.extend(_cards(node.children))
    return out


def _card(tag: str) -> Card:
    return Card(tag, "Smith 20", "Smith, 2020", "Whales must be conserved.", [])


def _roles(panel: AssistantPanel) -> set[Role]:
    return {row.role for row in panel.steps.rows()}


def _assert_verbatim_and_stored(ctx: AppContext, cards: list[Card], heading: str) -> None:
    lib = ctx.open_library()
    try:
        for card in cards:
            assert card.source_id is not None and card.source_offset is not None
            text = lib.store.source_text(card.source_id)
            start = card.source_offset
            assert text[start : start + len(card.body)] == card.body
            assert card.short_cite and card.full_cite
        stored = [r.node for r in lib.cards() if r.path and r.path[0][1] == heading]
        assert sorted(c.body for c in stored) == sorted(c.body for c in cards)  # type: ignore[union-attr]
    finally:
        lib.close()


def _stored_cut_cards(ctx: AppContext) -> int:
    lib = ctx.open_library()
    try:
        return sum(1 for r in lib.cards() if r.path and r.path[0][1].startswith("Cut:"))
    finally:
        lib.close()


# -- the steps model --------------------------------------------------------------------------


def test_steps_model_coalesces_tokens_and_passes_the_model_tester(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = StepsModel()
    changes: list[tuple[int, int]] = []

    def changed(first, last, roles) -> None:  # type: ignore[no-untyped-def]
        changes.append((first.row(), last.row()))

    model.dataChanged.connect(changed)
    model.add_event(Started(Role.TEAM, "Cut 2 cards"))
    model.add_event(Searched("3 passages found", ()))
    model.add_event(Started(Role.WRITER, "cutting from a.pdf"))
    for _ in range(3000):
        model.add_event(TokenStreamed(Role.WRITER, "ab"))
    assert model.rowCount() == 3  # nothing applied before the flush timer fires
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=1000)
    assert changes == []  # one new row for 3000 tokens, not 3000 rows or changes
    for _ in range(500):
        model.add_event(TokenStreamed(Role.WRITER, "c"))
    qtbot.waitUntil(lambda: len(changes) == 1, timeout=1000)
    assert changes == [(3, 3)]  # 500 more tokens: one change
    model.add_event(TokenStreamed(Role.WRITER, "!"))
    model.add_event(CardCut("Tag (Smith 20)", _card("Tag."), 1))  # flushes first
    model.add_event(Reviewed("finished", "finished", ()))
    model.add_event(StepFailed(Role.WRITER, "tag not generated"))
    rows = model.rows()
    assert [type(r.event) for r in rows] == [
        Started, Searched, Started, TokenStreamed, CardCut, Reviewed, StepFailed,
    ]  # fmt: skip
    assert rows[3].text == "ab" * 3000 + "c" * 500 + "!"
    index = model.index(4, 0)
    assert model.data(index, StepsModel.RoleNameRole) == "Writer"
    assert model.data(index, StepsModel.KindRole) == "card"
    assert model.data(model.index(6, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    qtmodeltester.check(model, force_py=True)
    model.clear()
    assert model.rowCount() == 0
    qtmodeltester.check(model, force_py=True)


# -- runs with the real model -----------------------------------------------------------------


def test_cut_streams_the_team_and_lands_verbatim_cards(qtbot, panel, samples_ctx) -> None:  # type: ignore[no-untyped-def]
    stats: list[object] = []
    panel.stats.connect(stats.append)
    panel.set_task(TaskKind.CUT, CLAIM, 2)
    panel.activateWindow()
    panel.text_box.setFocus()
    with qtbot.waitSignal(panel.results_ready, timeout=RUN_MS) as landed:
        qtbot.keyClick(panel.text_box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert panel.is_running(), "Ctrl+Enter did not start the run"
        assert not panel.run_button.isEnabled() and panel.stop_button.isEnabled()
        qtbot.waitUntil(lambda: Role.WRITER in _roles(panel), timeout=RUN_MS)
        screenshot(panel, "assistant-running")
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10_000)
    screenshot(panel, "assistant-done")

    nodes = landed.args[0]
    cards = _cards(nodes)
    assert 1 <= len(cards) <= 2
    assert _roles(panel) >= TEAM_ROLES
    rows = panel.steps.rows()
    # Tokens stream into one row per tag, never one row per token.
    writer_starts = sum(1 for r in rows if isinstance(r.event, Started) and r.role == Role.WRITER)
    token_rows = [r for r in rows if r.streaming]
    assert len(token_rows) <= writer_starts
    assert sum(1 for r in rows if isinstance(r.event, CardCut)) == len(cards)
    assert isinstance(rows[-1].event, RunDone)
    _assert_verbatim_and_stored(samples_ctx, cards, f"Cut: {CLAIM}")
    assert len(panel.last_result.stored) == len(cards)
    assert "stored" in panel.status.text()
    assert stats and stats[-1].generated_tokens > 0  # type: ignore[attr-defined]
    assert panel.run_button.isEnabled() and not panel.stop_button.isEnabled()


def test_stop_ends_the_run_within_a_second_and_keeps_nothing(qtbot, panel, samples_ctx) -> None:  # type: ignore[no-untyped-def]
    landed: list[object] = []
    panel.results_ready.connect(landed.append)
    panel.set_task(TaskKind.CUT, CLAIM, 3)
    assert panel.run()
    streaming = lambda: any(r.streaming for r in panel.steps.rows())  # noqa: E731
    qtbot.waitUntil(streaming, timeout=RUN_MS)
    panel.activateWindow()
    panel.text_box.setFocus()
    start = time.monotonic()
    qtbot.keyClick(panel.text_box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=5000)
    elapsed = time.monotonic() - start
    assert elapsed < 1.0, f"Stop took {elapsed:.2f} s"
    assert panel.last_result is not None and panel.last_result.cancelled
    assert panel.status.text().startswith("Stopped")
    assert not landed
    assert _stored_cut_cards(samples_ctx) == 0


def test_cut_from_passage_cuts_one_card_from_it(qtbot, panel, samples_ctx) -> None:  # type: ignore[no-untyped-def]
    lib = samples_ctx.open_library()
    try:
        hit = lib.search(CLAIM, k=1)[0]
        passage = lib.store.passages([hit.passage_id])[hit.passage_id]
    finally:
        lib.close()
    with qtbot.waitSignal(panel.results_ready, timeout=RUN_MS) as landed:
        panel.cut_from_passage(hit.passage_id, CLAIM)
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10_000)
    cards = _cards(landed.args[0])
    assert len(cards) == 1
    card = cards[0]
    assert card.source_id == passage.source_id
    assert card.source_offset is not None
    assert passage.start <= card.source_offset < passage.end
    assert panel.task_kind() == TaskKind.CUT and panel.count_box.value() == 1
    _assert_verbatim_and_stored(samples_ctx, cards, f"Cut: {CLAIM}")


def test_empty_library_shows_the_searchers_no_evidence_message(qtbot, empty_panel, app_ctx) -> None:  # type: ignore[no-untyped-def]
    landed: list[object] = []
    empty_panel.results_ready.connect(landed.append)
    empty_panel.set_task(TaskKind.CUT, CLAIM, 2)
    assert empty_panel.run()
    qtbot.waitUntil(lambda: not empty_panel.is_running(), timeout=RUN_MS)
    messages = [
        r.text for r in empty_panel.steps.rows()
        if isinstance(r.event, Message) and r.role == Role.SEARCHER
    ]  # fmt: skip
    assert messages and "no evidence" in messages[0] and "import" in messages[0]
    assert empty_panel.status.text() == NO_EVIDENCE_HINT
    assert not any(isinstance(r.event, CardCut) for r in empty_panel.steps.rows())
    assert not landed
    assert _stored_cut_cards(app_ctx) == 0
    screenshot(empty_panel, "assistant-no-evidence")


def test_broken_model_file_shows_the_reason_and_the_panel_stays_usable(
    qtbot, empty_panel, app_ctx, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "not-a-model.gguf"
    broken.write_text("this is a text file, not a GGUF model\n" * 50)
    good = app_ctx.settings.generator_model
    app_ctx.save_settings(replace(app_ctx.settings, generator_model=str(broken)))
    empty_panel.set_task(TaskKind.CUT, CLAIM, 1)
    assert empty_panel.run()
    qtbot.waitUntil(lambda: not empty_panel.is_running(), timeout=RUN_MS)
    status = empty_panel.status.text()
    assert status.startswith("Could not run:") and "not-a-model.gguf" in status, status
    assert "GGUF" in status or "gguf" in status.lower()
    assert empty_panel.run_button.isEnabled() and not empty_panel.stop_button.isEnabled()
    screenshot(empty_panel, "assistant-model-error")

    app_ctx.save_settings(replace(app_ctx.settings, generator_model=good))
    assert empty_panel.run()  # the same panel runs again once the setting is fixed
    qtbot.waitUntil(lambda: not empty_panel.is_running(), timeout=RUN_MS)
    assert empty_panel.status.text() == NO_EVIDENCE_HINT


def test_dark_palette_screenshot(qtbot, empty_panel) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from desktop.app import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, True)
    try:
        empty_panel.set_task(TaskKind.CASE, "")
        assert empty_panel.side_box.isVisible() and not empty_panel.source_box.isVisible()
        for event in (
            Started(Role.TEAM, "Cut 2 cards for: " + CLAIM),
            Searched("6 passages found", ()),
            PassagesChosen("use 2 passages", CLAIM, (1, 2), 0),
            Started(Role.WRITER, "cutting from 1nc.docx"),
            CardCut("UNCLOS mandates whale conservation (Smith 20)", _card(CLAIM), 1),
            Reviewed("revise: Smith 20: cite has no date", "revise", ("cite has no date",)),
            StepFailed(Role.WRITER, "tag not generated: prompt too long"),
        ):
            empty_panel.steps.add_event(event)
        empty_panel._show_status("Could not run: the model file is broken", error=True)
        qtbot.wait(50)  # let the palette change reach the widgets
        screenshot(empty_panel, "assistant-dark")
    finally:
        apply_theme(app, False)


# -- blocks and cases (agents/team/builders.py) ----------------------------------------------


def _run_build(qtbot, panel: AssistantPanel, kind: TaskKind, text: str, n: int) -> list[Node]:  # type: ignore[no-untyped-def]
    panel.set_task(kind, text, n)
    with qtbot.waitSignal(panel.results_ready, timeout=RUN_MS) as landed:
        assert panel.run()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=10_000)
    assert _roles(panel) >= TEAM_ROLES
    nodes: list[Node] = landed.args[0]
    assert nodes and isinstance(nodes[0], Heading)
    return nodes


def test_block_lands_a_heading_of_verbatim_cards(qtbot, panel, samples_ctx) -> None:  # type: ignore[no-untyped-def]
    nodes = _run_build(qtbot, panel, TaskKind.BLOCK, CLAIM, 2)
    cards = _cards(nodes)
    assert cards
    assert isinstance(nodes[0], Heading)
    _assert_verbatim_and_stored(samples_ctx, cards, nodes[0].title)
    screenshot(panel, "assistant-block-done")


def test_case_lands_contentions_of_verbatim_cards(qtbot, panel, samples_ctx) -> None:  # type: ignore[no-untyped-def]
    panel.set_task(TaskKind.CASE)
    panel.side_box.setCurrentIndex(1)  # Neg
    nodes = _run_build(qtbot, panel, TaskKind.CASE, "Resolved: states should protect whales", 1)
    cards = _cards(nodes)
    assert cards
    assert isinstance(nodes[0], Heading)
    _assert_verbatim_and_stored(samples_ctx, cards, nodes[0].title)
