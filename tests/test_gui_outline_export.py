"""Outline export on real widgets: through the dialog to a .docx that reads back with the same
cards, export errors that leave the old file alone, and the window's export menu."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from app.context import AppContext
from desktop.jobs import JobRegistry
from desktop.outline.export_dialog import OutlineExporter
from evidence.cards.card import CardDocument, Heading, Level, Mark, walk
from evidence.verbatim.reader import read_verbatim
from tests.conftest import close_quietly
from tests.gui_helpers import screenshot
from tests.outline_samples import built_outline
from tests.outline_samples import sample_cards as sample_cards  # a fixture, read once

# -- export ----------------------------------------------------------------------------------


def _card_facts(doc: CardDocument) -> list[tuple[object, ...]]:
    return [(c.tag, c.short_cite, c.full_cite, c.body, sorted(c.spans)) for c in doc.cards()]


def _outline_order(doc: CardDocument) -> list[tuple[object, ...]]:
    return [(n.level, n.title) if isinstance(n, Heading) else (type(n).__name__, n.tag)
            for n in walk(doc.nodes)]  # fmt: skip


def _export(qtbot, exporter: OutlineExporter, doc: CardDocument, path: Path,  # type: ignore[no-untyped-def]
            highlight: str | None = None) -> None:  # fmt: skip
    exporter.start(doc)
    dialog = exporter.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.file.setText(str(path))
    dialog.highlight.setCurrentIndex(dialog.highlight.findData(highlight))
    dialog.accept()
    qtbot.waitUntil(lambda: not exporter.is_running(), timeout=20_000)
    qtbot.waitUntil(lambda: not exporter.jobs.running(), timeout=5000)


@pytest.fixture
def exporter(qtbot):  # type: ignore[no-untyped-def]
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    exp = OutlineExporter(JobRegistry(window), window)
    yield exp
    exp.jobs.cancel_all()


def test_export_round_trip_through_the_dialog(qtbot, exporter, sample_cards, tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = built_outline(sample_cards)
    messages: list[str] = []
    exporter.message.connect(lambda text, _ms: messages.append(text))
    out = tmp_path / "speech"  # no suffix typed: .docx is added
    with qtbot.waitSignal(exporter.exported, timeout=20_000) as done:
        _export(qtbot, exporter, doc, out)
    assert done.args[0] == tmp_path / "speech.docx"
    assert messages[-1] == f"Exported 4 cards to {tmp_path / 'speech.docx'}"
    back = read_verbatim(tmp_path / "speech.docx")
    assert _card_facts(back) == _card_facts(doc)
    assert any(c.marked(Mark.HIGHLIGHT) for c in back.cards())
    # Word has no nesting, only heading levels in order: compare the outline in order.
    assert _outline_order(back) == _outline_order(doc)

    cyan = tmp_path / "cyan.docx"
    with qtbot.waitSignal(exporter.exported, timeout=20_000):
        _export(qtbot, exporter, doc, cyan, highlight="cyan")
    colors = {s.color for c in read_verbatim(cyan).cards() for s in c.marked(Mark.HIGHLIGHT)}
    assert colors == {"cyan"}


def test_export_of_nothing_says_so(qtbot, exporter) -> None:  # type: ignore[no-untyped-def]
    exporter.start(CardDocument(), "the selection")
    assert exporter.dialog is None
    assert exporter.box is not None and "Nothing to export" in exporter.box.text()
    assert "the selection is empty" in exporter.box.text()


def test_export_under_a_file_shows_the_error(qtbot, exporter, sample_cards, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    with qtbot.waitSignal(exporter.jobs.changed, timeout=20_000):
        _export(qtbot, exporter, built_outline(sample_cards), blocker / "out.docx")
    qtbot.waitUntil(lambda: exporter.box is not None, timeout=5000)
    assert exporter.box is not None
    text = exporter.box.text()
    assert "Could not save" in text and "folder does not exist" in text
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"
    screenshot(exporter.box, "export-error")


def test_failed_export_keeps_the_previous_file(
    qtbot, exporter, sample_cards, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "speech.docx"
    with qtbot.waitSignal(exporter.exported, timeout=20_000):
        _export(qtbot, exporter, built_outline(sample_cards), out)
    before = out.read_bytes()

    def full_disk(fd: int) -> None:  # the disk fills while the new file is written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", full_disk)
    changed = built_outline(sample_cards[4:])
    _export(qtbot, exporter, changed, out)
    qtbot.waitUntil(lambda: exporter.box is not None, timeout=5000)
    assert "disk is full" in exporter.box.text()
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.docx"]  # no temp file left


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can write anywhere")
def test_export_to_a_read_only_folder(qtbot, exporter, sample_cards, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "old.docx").write_bytes(b"old")
    folder.chmod(0o555)
    try:
        _export(qtbot, exporter, built_outline(sample_cards), folder / "old.docx")
        qtbot.waitUntil(lambda: exporter.box is not None, timeout=5000)
        assert "cannot be written" in exporter.box.text()
        assert (folder / "old.docx").read_bytes() == b"old"
    finally:
        folder.chmod(0o755)


def test_window_menu_exports_the_document(qtbot, data_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from desktop.main_window import MainWindow

    ini = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(AppContext.open(data_dir), ini)
    qtbot.addWidget(window, before_close_func=close_quietly)
    window.show()
    qtbot.waitExposed(window)
    actions = {a.shortcut().toString(): a for a in window.findChildren(QAction)}
    actions["Ctrl+E"].trigger()  # no document open
    assert window.exporter.box is not None and "Nothing to export" in window.exporter.box.text()
    window.exporter.box.close()
    window.insert_nodes([Heading(Level.BLOCK, "Ready")])  # a new document holds it
    actions["Ctrl+E"].trigger()
    assert window.exporter.dialog is not None and window.exporter.dialog.isVisible()
    assert "0 cards, 0 analytics, 1 headings" in window.exporter.dialog.summary_label.text()
    assert window.exporter.dialog.path().name == "Untitled 1.docx"
    window.exporter.dialog.reject()
    window.jobs.cancel_all()
    for tab in window.tabs.all():  # closing must not ask
        tab.editor.set_modified(False)
    window.close()
