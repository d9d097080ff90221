"""The outline dock on real widgets: headings, send to speech, rename, moves by keys and by
drag-and-drop, delete, autosave and reload (export: tests/test_gui_outline_export.py)."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit, QVBoxLayout, QWidget

from app.context import AppContext
from desktop.jobs import JobRegistry
from desktop.outline.export_dialog import OutlineExporter
from desktop.outline.outline_model import OutlineModel
from desktop.outline.outline_panel import OutlinePanel
from evidence.cards.card import CardDocument, Heading, Level, Node
from evidence.cards.outline_file import load_outline
from evidence.datadir import DataDir
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES
from tests.gui_helpers import screenshot
from tests.outline_samples import built_outline
from tests.outline_samples import sample_cards as sample_cards  # a fixture, read once


@pytest.fixture
def ctx(data_dir: DataDir) -> AppContext:
    return AppContext.open(data_dir)  # the outline needs no models


def make_panel(qtbot, ctx: AppContext, autosave_ms: int = 60_000) -> OutlinePanel:  # type: ignore[no-untyped-def]
    panel = OutlinePanel(ctx, autosave_ms=autosave_ms)
    qtbot.addWidget(panel)
    panel.resize(420, 520)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def shape(nodes: list[Node]) -> list[object]:
    """A comparable picture of the tree: titles, tags and nesting."""
    out: list[object] = []
    for n in nodes:
        if isinstance(n, Heading):
            out.append((n.level.name, n.title, shape(n.children)))
        else:
            out.append(n.tag)
    return out


# -- the model -------------------------------------------------------------------------------


@pytest.mark.qt_log_level_fail("WARNING")
@pytest.mark.parametrize("force_py", [False, True])
def test_model_stays_consistent_through_edits(qtmodeltester, sample_cards, force_py: bool) -> None:  # type: ignore[no-untyped-def]
    doc = read_verbatim(SAMPLES / "verbatim" / "1nc.docx")
    model = OutlineModel(doc)
    qtmodeltester.check(model, force_py=force_py)
    hat = doc.nodes[1]
    assert isinstance(hat, Heading) and model.rowCount(model.index_of(hat)) == len(hat.children)
    assert model.setData(model.index(0, 0), "Off-case positions")
    assert not model.setData(model.index(0, 0), "   ")  # no blank titles
    card = copy.deepcopy(sample_cards[0])
    assert model.insert_nodes([card], hat, 0)
    assert model.data(model.index_of(card)) == f"{card.tag}  [{card.short_cite}]"
    block = next(n for n in hat.children if isinstance(n, Heading))
    assert model.move_nodes([card], block, -1)  # across headings
    assert block.children[-1] is card and card not in hat.children
    assert model.move_nodes([card], block, 0)  # within one heading, up
    assert block.children[0] is card and len(block.children) >= 3
    second = block.children[1]
    assert model.move_nodes([card], block, 2)  # and down: rows count before the move
    assert block.children[0] is second and block.children[1] is card
    before = shape(doc.nodes)
    assert not model.move_nodes([hat], block)  # a Hat cannot go under a Block
    assert not model.move_nodes([block], card)  # a card holds nothing
    assert not model.insert_nodes([Heading(Level.POCKET, "P")], hat)
    assert shape(doc.nodes) == before
    model.remove_nodes([block, card])  # the card is inside the block: removed once
    assert block not in hat.children
    assert model.removeRows(0, 2)
    model.set_document(CardDocument())
    assert model.rowCount() == 0


def test_drag_and_drop_moves_by_mime_data(sample_cards) -> None:  # type: ignore[no-untyped-def]
    doc = built_outline(sample_cards)
    model = OutlineModel(doc)
    solvency = doc.nodes[0].children[0].children[0]  # type: ignore[union-attr]
    harms = doc.nodes[0].children[0].children[1]  # type: ignore[union-attr]
    a, b = solvency.children
    mime = model.mimeData([model.index_of(b), model.index_of(a)])  # any selection order
    move = Qt.DropAction.MoveAction
    assert model.canDropMimeData(mime, move, 1, 0, model.index_of(harms))
    assert model.dropMimeData(mime, move, 1, 0, model.index_of(harms))
    assert solvency.children == [] and [n.tag for n in harms.children][1:3] == [a.tag, b.tag]
    assert len(doc.cards()) == 4  # moved, not copied

    top_block = doc.nodes[1]
    before = shape(doc.nodes)
    block_mime = model.mimeData([model.index_of(top_block)])
    for target in (harms, a):  # a Block under a Block, anything under a card: refused
        assert not model.canDropMimeData(block_mime, move, -1, 0, model.index_of(target))
        assert not model.dropMimeData(block_mime, move, -1, 0, model.index_of(target))
    hat = doc.nodes[0].children[0]  # type: ignore[union-attr]
    hat_mime = model.mimeData([model.index_of(hat)])
    assert not model.dropMimeData(hat_mime, move, -1, 0, model.index_of(harms))  # into itself
    assert not model.dropMimeData(QMimeData(), move, -1, 0, QModelIndex())  # foreign data
    assert shape(doc.nodes) == before
    # A Block may go under a Hat, a Pocket or the top level.
    assert model.dropMimeData(block_mime, move, 0, 0, model.index_of(hat))
    assert hat.children[0] is top_block and len(doc.nodes) == 1


# -- the panel -------------------------------------------------------------------------------


def test_headings_and_send_to_speech(qtbot, ctx, sample_cards) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, ctx)
    c1, c2, c3, c4 = sample_cards[:4]
    panel.add_card(c1)  # no heading yet: top level
    pocket = panel.add_heading(Level.POCKET, "1NC")
    hat = panel.add_heading(Level.HAT, "Case")  # under the selected Pocket
    block = panel.add_heading(Level.BLOCK, "Solvency")
    panel.tree.clearSelection()
    panel.add_card(c2)  # nothing selected: the last Block
    panel.select(hat)
    panel.add_card(c3)  # the selected heading
    panel.add_card(c4)  # then after the card just added (it is selected now)
    panel.select(block)
    block2 = panel.add_heading(Level.BLOCK, "Harms")  # a sibling, not a child, of a Block
    assert shape(panel.document().nodes) == [
        c1.tag,
        ("POCKET", "1NC", [("HAT", "Case", [("BLOCK", "Solvency", [c2.tag]),
                                             ("BLOCK", "Harms", []), c3.tag, c4.tag])]),
    ]  # fmt: skip
    assert panel.model.parent_node(block2) is hat
    assert pocket.children == [hat]
    sent = panel.document().cards()[1]
    assert sent == c2 and sent is not c2  # a copy: later edits in the editor do not leak in
    panel.add_nodes([Heading(Level.BLOCK, "Cut: sanctions fail", [copy.deepcopy(c1)])])
    assert shape(panel.document().nodes[-1:]) == [("BLOCK", "Cut: sanctions fail", [c1.tag])]
    panel.select(hat)
    selected = panel.selected_document()
    assert shape(selected.nodes) == shape([hat]) and selected.nodes[0] is not hat


def test_rename_with_f2_and_the_editor(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, ctx)
    block = panel.add_heading(Level.BLOCK, "Old name")
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_F2)
    assert panel.tree.state() == QAbstractItemView.State.EditingState
    editor = panel.tree.findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClicks(editor, "Econ DA  links")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop
    qtbot.waitUntil(lambda: block.title == "Econ DA links", timeout=2000)  # spaces tidied


def test_keys_move_and_delete(qtbot, ctx, sample_cards) -> None:  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    window_delete = QAction("window-wide Delete", host)  # another panel's shortcut
    window_delete.setShortcut("Delete")
    host.addAction(window_delete)
    triggered: list[str] = []

    def on_window_delete() -> None:
        triggered.append("window")

    window_delete.triggered.connect(on_window_delete)
    panel = OutlinePanel(ctx, autosave_ms=60_000)
    QVBoxLayout(host).addWidget(panel)
    with qtbot.waitActive(host):  # window shortcuts only fire in the active window
        host.show()
        host.activateWindow()
    panel.add_nodes(built_outline(sample_cards).nodes)
    solvency = panel.document().nodes[0].children[0].children[0]  # type: ignore[union-attr]
    a, b = solvency.children
    panel.select(b)
    panel.add_card(sample_cards[5])
    c = solvency.children[2]

    def order() -> list[str]:
        return [{id(a): "a", id(b): "b", id(c): "c"}[id(n)] for n in solvency.children]

    panel.select(a)
    panel.tree.setFocus()
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down, alt)
    assert order() == ["b", "a", "c"] and panel.current_node() is a
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down, alt)
    assert order() == ["b", "c", "a"]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down, alt)  # already last: nothing happens
    assert order() == ["b", "c", "a"]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Up, alt)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Up, alt)
    assert order() == ["a", "b", "c"]
    panel.select(c)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)  # a card: no question
    assert order() == ["a", "b"] and not triggered
    a, b = solvency.children
    panel.select(a)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert solvency.children == [b] and not triggered
    asked: list[str] = []
    panel.confirm = lambda q: asked.append(q) or False  # type: ignore[method-assign]
    panel.select(solvency)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert (
        asked
        and "Solvency" in asked[0]
        and solvency in panel.document().nodes[0].children[0].children
    )  # type: ignore[union-attr]
    panel.confirm = lambda q: True  # type: ignore[method-assign]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert [n.title for n in panel.document().nodes[0].children[0].children] == ["Harms"]  # type: ignore[union-attr]
    assert not triggered
    panel.tree.clearFocus()
    qtbot.keyClick(host, Qt.Key.Key_Delete)  # outside the tree the window's key still works
    assert triggered


def test_drag_in_the_view_moves_once(qtbot, ctx, sample_cards, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The view's drag hands the drop to the model and never removes the source rows itself
    (Qt's default does after a MoveAction, which would delete the moved cards)."""
    panel = make_panel(qtbot, ctx)
    panel.add_nodes(built_outline(sample_cards).nodes)
    model = panel.model
    top_block = panel.document().nodes[1]
    hat = panel.document().nodes[0].children[0]  # type: ignore[union-attr]

    class FakeDrag:  # QDrag.exec runs a platform event loop; drop on the Hat instead
        def __init__(self, _source: object) -> None:
            self.mime = QMimeData()

        def setMimeData(self, mime: QMimeData) -> None:
            self.mime = mime

        def exec(self, *_: object) -> Qt.DropAction:
            assert model.dropMimeData(self.mime, Qt.DropAction.MoveAction, 0, 0,
                                      model.index_of(hat))  # fmt: skip
            return Qt.DropAction.MoveAction

    monkeypatch.setattr("desktop.outline.outline_tree.QDrag", FakeDrag)
    panel.select(top_block)
    panel.tree.startDrag(Qt.DropAction.MoveAction)
    assert hat.children[0] is top_block and len(panel.document().nodes) == 1
    assert len(panel.document().cards()) == 4


def test_enter_and_double_click_open_a_card(qtbot, ctx, sample_cards) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, ctx)
    panel.add_nodes(built_outline(sample_cards).nodes)
    card = panel.document().cards()[0]
    panel.select(card)
    panel.tree.setFocus()
    with qtbot.waitSignal(panel.card_activated, timeout=2000) as opened:
        qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert opened.args[0] == card and opened.args[0] is not card
    rect = panel.tree.visualRect(panel.model.index_of(card))
    with qtbot.waitSignal(panel.card_activated, timeout=2000):  # a real double-click
        qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    heading = panel.document().nodes[1]
    panel.select(heading)
    assert panel.tree.isExpanded(panel.tree.currentIndex())
    with qtbot.assertNotEmitted(panel.card_activated):
        qtbot.keyClick(panel.tree, Qt.Key.Key_Return)  # a heading folds instead
    assert not panel.tree.isExpanded(panel.tree.currentIndex())


def test_autosave_and_reload(qtbot, ctx, sample_cards) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, ctx, autosave_ms=50)
    panel.add_nodes(built_outline(sample_cards).nodes)
    doc = panel.document()
    qtbot.waitUntil(lambda: load_outline(panel.path).document == doc, timeout=3000)
    screenshot(panel, "outline")
    panel.select(doc.cards()[0])
    panel.model.setData(panel.tree.currentIndex(), "Renamed just before quitting")
    panel.close()  # closing saves at once, without waiting for the timer
    assert load_outline(panel.path).document.cards()[0].tag == "Renamed just before quitting"

    again = make_panel(qtbot, ctx)
    assert again.document() == doc and again.load_problem is None
    assert again.notice.isHidden()


def test_broken_outline_file_is_kept_and_reported(qtbot, ctx) -> None:  # type: ignore[no-untyped-def]
    path = ctx.data_dir.root / "outline.json"
    path.write_text('{"schema_version": 1, "nodes": [', encoding="utf-8")
    panel = make_panel(qtbot, ctx)
    assert panel.document().nodes == [] and panel.load_problem
    assert panel.notice.isVisible() and "kept as" in panel.notice.text()
    kept = list(ctx.data_dir.root.glob("outline.broken-*.json"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8").startswith('{"schema')
    screenshot(panel, "outline-broken-file")


@pytest.mark.parametrize("dark", [False, True])
def test_screenshots(qtbot, ctx, sample_cards, dark: bool) -> None:  # type: ignore[no-untyped-def]
    from desktop.app import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, dark)
    try:
        suffix = "-dark" if dark else ""
        empty = make_panel(qtbot, ctx)
        screenshot(empty, f"outline-empty{suffix}")
        empty.close()
        panel = make_panel(qtbot, ctx)
        panel.add_nodes(built_outline(sample_cards).nodes)
        panel.select(panel.document().cards()[1])
        screenshot(panel, f"outline-filled{suffix}")
        exporter = OutlineExporter(JobRegistry(), panel)
        exporter.start(panel.document())
        assert exporter.dialog is not None
        qtbot.waitExposed(exporter.dialog)
        screenshot(exporter.dialog, f"export-dialog{suffix}")
        exporter.dialog.reject()
    finally:
        apply_theme(app, False)
