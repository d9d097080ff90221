"""Documents in the window, on real widgets and real sample files (copies in tmp_path): open,
edit with key presses, send to the speech doc with the backtick, save, reopen and compare
with read_verbatim; the conflict question; closing with unsaved changes; a Word lock; read
time, mark here, read mode and the send doc; cards from the other panels; crash recovery
by killing a real window process."""

from __future__ import annotations

import copy
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent, QTextCursor
from PySide6.QtWidgets import QMessageBox

from app.context import AppContext
from desktop.documents import prompts
from desktop.documents.rich_text import canonical_document
from desktop.documents.tabs import DocTab
from desktop.main_window import MainWindow
from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, walk
from evidence.cards.outline_file import save_outline
from evidence.datadir import DataDir
from evidence.documents.doc_file import save_document
from evidence.documents.recovery import RecoveryStore, recovery_key
from evidence.documents.stats import node_stats
from evidence.verbatim.reader import read_verbatim
from tests.conftest import ROOT, SAMPLES
from tests.gui_helpers import screenshot

VERBATIM = SAMPLES / "verbatim"


class Answers:
    """The questions the window asks, answered in order; an unexpected one fails the test
    (a real dialog would wait for a click that never comes)."""

    def __init__(self) -> None:
        self.queue: list[str] = []
        self.asked: list[str] = []
        self.save_paths: list[Path | None] = []

    def ask(self, parent: object, title: str, text: str, choices: list[str]) -> str:
        self.asked.append(text)
        assert self.queue, f"unexpected question: {title}: {text}"
        answer = self.queue.pop(0)
        assert answer in choices, (answer, choices)
        return answer

    def save_path(self, parent: object, title: str, suggested: Path) -> Path | None:
        assert self.save_paths, f"unexpected save dialog: {title}"
        return self.save_paths.pop(0)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    a = Answers()
    monkeypatch.setattr(prompts, "ask", a.ask)
    monkeypatch.setattr(prompts, "save_path", a.save_path)
    return a


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("1nc.docx", "neg.docx"):
        shutil.copy(VERBATIM / name, folder / name)
        (folder / name).chmod(0o644)
    return folder


_open_windows: list[MainWindow] = []


def make_window(qtbot: Any, data_dir: DataDir, ini: Path) -> MainWindow:
    window = MainWindow(AppContext.open(data_dir), QSettings(str(ini), QSettings.Format.IniFormat))
    qtbot.addWidget(window, before_close_func=_quietly)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitActive(window):  # the File menu's keys need the active window
        window.activateWindow()
    return window


def _quietly(window: MainWindow) -> None:
    """At teardown (also after a failure): what the test left unsaved must not ask."""
    for tab in window.tabs.all():
        tab.editor.set_modified(False)
    window.jobs.cancel_all()


@pytest.fixture
def window(qtbot: Any, data_dir: DataDir, tmp_path: Path, answers: Answers) -> Iterator[MainWindow]:
    win = make_window(qtbot, data_dir, tmp_path / "window.ini")
    yield win
    _quietly(win)
    win.close()


def cursor_after(tab: DocTab, text: str) -> QTextCursor:
    """The view's cursor placed just after the first `text` in the document."""
    found = tab.editor.view.document().find(text)
    assert not found.isNull(), f"{text!r} is not in {tab.title()}"
    found.clearSelection()
    tab.editor.view.setTextCursor(found)
    tab.editor.view.setFocus()
    return found


def same(a: CardDocument, b: CardDocument) -> bool:
    """The same headings, cards (tag, cites, body, marks, provenance) and analytics. The
    reader's notes are left out: a cite it found by position in the debater's file is in
    the Cite style once saved, so that note is gone."""
    a, b = canonical_document(a), canonical_document(b)
    for node in walk(a.nodes) + walk(b.nodes):
        if isinstance(node, Card):
            node.warnings = []
    return a.nodes == b.nodes


def test_open_edit_send_to_speech_save_and_reopen(qtbot, window, files, answers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    neg_path = files / "neg.docx"
    original = read_verbatim(neg_path)
    neg = window.files.open_path(neg_path)
    assert neg is not None and neg.label() == "neg.docx"
    assert same(neg.editor.card_document(), original)
    speech = window.files.new_document()
    window.speech.mark(speech)
    assert speech.label().startswith("[Speech] ")
    window.tabs.show_tab(neg)

    card = original.cards()[1]
    view = neg.editor.view
    cursor_after(neg, card.tag)
    qtbot.keyClicks(view, " (edited)")
    assert neg.editor.is_modified() and neg.label() == "neg.docx *"
    qtbot.keyClick(view, Qt.Key.Key_QuoteLeft)  # Verbatim's send to speech
    sent = speech.editor.card_document().cards()
    assert [c.tag for c in sent] == [card.tag + " (edited)"]
    assert sent[0].body == card.body and sent[0].full_cite == card.full_cite
    assert "`" not in neg.editor.card_document().cards()[1].tag  # the key typed nothing
    screenshot(window, "document-tab")

    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not neg.editor.is_modified(), timeout=10_000)
    expected = copy.deepcopy(original)
    expected.cards()[1].tag += " (edited)"
    saved = read_verbatim(neg_path)
    assert same(saved, expected)

    window.tabs.show_tab(speech)
    speech.editor.nav_model.refresh()  # the pane refreshes on a timer; now, for the picture
    screenshot(window, "speech-doc")
    answers.save_paths.append(tmp_path / "speech")  # Save on an untitled doc asks where
    qtbot.keyClick(speech.editor.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not speech.editor.is_modified(), timeout=10_000)
    assert speech.path == tmp_path / "speech.docx" and speech.label() == "[Speech] speech.docx"
    assert [c.tag for c in read_verbatim(speech.path).cards()] == [card.tag + " (edited)"]

    assert window.files.close_tab(neg)  # saved: no question
    again = window.files.open_path(neg_path)
    assert again is not None and same(again.editor.card_document(), saved)
    assert window.docs.recent.paths()[:2] == [neg_path, tmp_path / "speech.docx"]
    assert not answers.asked


def test_ctrl_backtick_sends_the_block_and_the_speech_doc_is_made_when_missing(
    qtbot, window, files
) -> None:  # type: ignore[no-untyped-def]
    tab = window.files.open_path(files / "1nc.docx")
    assert tab is not None
    block = tab.editor.card_document()
    first_card = block.cards()[0]
    cursor_after(tab, first_card.tag)
    qtbot.keyClick(tab.editor.view, Qt.Key.Key_QuoteLeft, Qt.KeyboardModifier.ControlModifier)
    speech = window.tabs.speech()
    assert speech is not None and speech is not tab
    assert window.tabs.current() is tab  # the debater keeps reading where they were
    got = speech.editor.card_document()
    blocks = [n for n in walk(got.nodes) if isinstance(n, Heading) and n.level == Level.BLOCK]
    assert len(blocks) == 1 and first_card.tag in [c.tag for c in got.cards()]
    assert blocks[0].title == tab.editor.unit_under_cursor("block")[0].title  # type: ignore[union-attr]
    assert not tab.editor.is_modified()


def test_save_conflict_asks_cancel_save_as_overwrite(
    qtbot, window, files, answers, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    path = files / "1nc.docx"
    tab = window.files.open_path(path)
    assert tab is not None
    other = read_verbatim(path)  # another program saves the file meanwhile
    other.nodes.append(Analytic("Another program wrote this"))
    save_document(other, path, expected=None, force=True)
    on_disk = path.read_bytes()
    first = tab.editor.card_document().cards()[0]
    cursor_after(tab, first.tag)
    qtbot.keyClicks(tab.editor.view, " mine")

    answers.queue.append("Cancel")
    assert not window.docs.saver.save(tab)
    assert "changed" in answers.asked[-1] and path.read_bytes() == on_disk
    assert tab.editor.is_modified()

    answers.queue.append("Save As…")
    answers.save_paths.append(tmp_path / "mine.docx")
    assert window.docs.saver.save(tab)
    assert path.read_bytes() == on_disk and tab.path == tmp_path / "mine.docx"
    assert read_verbatim(tab.path).cards()[0].tag == first.tag + " mine"

    save_document(other, tab.path, expected=None, force=True)  # changed again under us
    qtbot.keyClicks(tab.editor.view, " again")
    answers.queue.append("Overwrite")
    assert window.docs.saver.save(tab)
    assert read_verbatim(tab.path).cards()[0].tag == first.tag + " mine again"
    assert not tab.editor.is_modified() and not answers.queue


def test_save_failure_keeps_the_edits_and_says_why(qtbot, window, files, answers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tab = window.files.open_path(files / "1nc.docx")
    assert tab is not None
    cursor_after(tab, tab.editor.card_document().cards()[0].tag)
    qtbot.keyClicks(tab.editor.view, " kept")
    before = (files / "1nc.docx").read_bytes()
    (tmp_path / "a-file").write_text("not a folder")
    answers.save_paths.append(tmp_path / "a-file" / "copy.docx")  # cannot be written there
    assert not window.docs.saver.save_as(tab)
    boxes = [b for b in window.findChildren(QMessageBox) if b.objectName() == "DocumentWarning"]
    assert boxes and "not changed" in boxes[-1].text()
    assert tab.editor.is_modified() and tab.path == files / "1nc.docx"
    assert (files / "1nc.docx").read_bytes() == before
    assert tab.editor.card_document().cards()[0].tag.endswith(" kept")


def test_closing_with_unsaved_changes_asks(qtbot, data_dir, files, answers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, data_dir, tmp_path / "window.ini")
    path = files / "neg.docx"
    before = path.read_bytes()
    tab = window.files.open_path(path)
    assert tab is not None
    cursor_after(tab, tab.editor.card_document().cards()[0].tag)
    qtbot.keyClicks(tab.editor.view, " unsaved")

    answers.queue.append("Cancel")
    qtbot.keyClick(tab.editor.view, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.all() == [tab] and "not saved" in answers.asked[-1]
    answers.queue.append("Discard")
    assert window.files.close_tab(tab)
    assert window.tabs.all() == [] and path.read_bytes() == before

    tab = window.files.open_path(path)
    assert tab is not None
    cursor_after(tab, tab.editor.card_document().cards()[0].tag)
    qtbot.keyClicks(tab.editor.view, " saved on quit")
    answers.queue.append("Cancel")
    window.close()
    assert window.isVisible()
    answers.queue.append("Save")
    window.close()
    assert not window.isVisible() and not answers.queue
    assert read_verbatim(path).cards()[0].tag.endswith(" saved on quit")
    assert not list((data_dir.root / "recovery").glob("*.json"))


def test_word_lock_opens_read_only(qtbot, window, files, answers) -> None:  # type: ignore[no-untyped-def]
    path = files / "neg.docx"
    (files / "~$neg.docx").write_bytes(b"owner")
    before = path.read_bytes()
    tab = window.files.open_path(path)
    assert tab is not None and tab.label() == "neg.docx [read-only]"
    assert "Word has it open" in window.statusBar().currentMessage()
    view = tab.editor.view
    text = view.toPlainText()
    cursor_after(tab, tab.editor.card_document().cards()[0].tag)
    qtbot.keyClicks(view, "xyz")
    assert view.toPlainText() == text and not tab.editor.is_modified()
    answers.save_paths.append(None)  # Save on a locked file asks where instead; cancelled
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not answers.save_paths and path.read_bytes() == before


def test_read_time_mark_here_read_mode_and_send_doc(
    qtbot, window, files, answers, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    tab = window.files.open_path(files / "1nc.docx")
    assert tab is not None
    card = tab.editor.card_document().cards()[2]
    cursor_after(tab, card.tag)
    wpm = window._wpm()
    card_stats = node_stats(tab.editor.unit_under_cursor("card"), wpm)
    assert card_stats.words_read > 0
    minutes, seconds = divmod(round(card_stats.read_seconds), 60)
    expected = f"Read: card {minutes}:{seconds:02d} · block "
    qtbot.waitUntil(lambda: window.read_time.text().startswith(expected), timeout=3000)
    assert window.read_time.isVisible() and " · doc " in window.read_time.text()

    qtbot.keyClick(tab.editor.view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert "Marked " in tab.editor.view.toPlainText() and tab.editor.is_modified()

    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(tab.editor.view, Qt.Key.Key_R, ctrl_shift)
    assert tab.read_mode and tab.editor.view.isReadOnly()
    assert tab.label() == "1nc.docx * [read mode]" and window.docs.read_action.isChecked()
    screenshot(window, "read-mode")
    text = tab.editor.view.toPlainText()
    qtbot.keyClicks(tab.editor.view, "abc")
    assert tab.editor.view.toPlainText() == text
    window.docs.toggle_read_mode()
    assert not tab.read_mode and not tab.editor.view.isReadOnly()

    answers.save_paths.append(tmp_path / "send.docx")
    out = window.speech.save_send_doc(tab)
    assert out == tmp_path / "send.docx"
    sent = read_verbatim(out)
    assert not [n for n in walk(sent.nodes) if isinstance(n, Analytic)]
    assert [c.tag for c in sent.cards()] == [c.tag for c in tab.editor.card_document().cards()]


def test_cards_from_the_panels_go_to_the_document_in_front(qtbot, window, files) -> None:  # type: ignore[no-untyped-def]
    card = Card("Sanctions fail", "Smith 20", "Smith, 2020", "Sanctions rarely work.")
    window.editor.send_to_outline.emit(card)  # no document open: a new one
    first = window.tabs.current()
    assert first is not None and first.path is None
    assert [c.tag for c in first.editor.card_document().cards()] == ["Sanctions fail"]

    tab = window.files.open_path(files / "1nc.docx")
    assert tab is not None
    target = tab.editor.card_document().cards()[3]
    cursor_after(tab, target.tag)
    block = Heading(Level.BLOCK, "AT: Sanctions", [copy.deepcopy(card)])
    window.assistant.results_ready.emit([block])
    tags = [c.tag for c in tab.editor.card_document().cards()]
    assert tags.index("Sanctions fail") > tags.index(target.tag)  # at the cursor, not the end
    assert len(tags) == len(read_verbatim(files / "1nc.docx").cards()) + 1


def test_shift_drop_opens_and_plain_drop_imports(qtbot, window, files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    imported: list[object] = []
    monkeypatch.setattr(window.library, "import_paths", lambda paths: imported.extend(paths))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(files / "neg.docx"))])

    def drop(mods: Qt.KeyboardModifier) -> None:
        event = QDropEvent(QPointF(400, 300), Qt.DropAction.CopyAction, mime,
                           Qt.MouseButton.LeftButton, mods)  # fmt: skip
        window.dropEvent(event)

    drop(Qt.KeyboardModifier.NoModifier)
    assert imported == [files / "neg.docx"] and window.tabs.all() == []
    drop(Qt.KeyboardModifier.ShiftModifier)
    assert [t.title() for t in window.tabs.all()] == ["neg.docx"] and len(imported) == 1


def test_the_old_outline_opens_as_a_document_once_and_recent_files_stay(
    qtbot, data_dir, files, answers, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    cards = read_verbatim(files / "1nc.docx").cards()[:3]
    old = CardDocument([Heading(Level.BLOCK, "AT: Whaling", list(cards))], title="Outline")
    save_outline(data_dir.root / "outline.json", old)
    window = make_window(qtbot, data_dir, tmp_path / "window.ini")
    tab = window.tabs.current()
    assert tab is not None and tab.path == data_dir.root / "documents" / "Outline.docx"
    assert same(tab.editor.card_document(), old) and not tab.editor.is_modified()
    window.files.open_path(files / "neg.docx")
    window.editor.highlight_color.setCurrentText("yellow")  # F11's colour, one for all
    assert {t.editor.view.highlight_color for t in window.tabs.all()} == {"yellow"}
    window.close()

    again = make_window(qtbot, data_dir, tmp_path / "window.ini")
    assert again.tabs.all() == []  # migrated once; now it is a document like any other
    assert again.docs.recent.paths() == [files / "neg.docx", tab.path]
    again.files.fill_recent(again.docs.recent_menu)
    again.docs.recent_menu.actions()[1].trigger()
    current = again.tabs.current()
    assert current is not None and current.path == tab.path
    again.close()


def test_an_unreadable_old_outline_is_said_in_the_window(qtbot, data_dir, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (data_dir.root / "outline.json").write_text('{"schema_version": 1, "nodes": [', "utf-8")
    window = make_window(qtbot, data_dir, tmp_path / "window.ini")
    assert window.tabs.all() == []
    assert any("kept as" in m for m in window.notices.messages())
    assert len(list(data_dir.root.glob("outline.broken-*.json"))) == 1
    window.close()


def test_a_recovery_older_than_its_file_asks_before_saving_over_it(
    qtbot, data_dir, files, answers
) -> None:  # type: ignore[no-untyped-def]
    path = files / "1nc.docx"
    ours = read_verbatim(path)
    ours.nodes.append(Analytic("Typed before the crash"))
    store = RecoveryStore(data_dir.root / "recovery")
    store.write(recovery_key(str(path)), ours, path, path.name)
    theirs = read_verbatim(path)  # then another program saved the file
    theirs.nodes.append(Analytic("Saved by another program later"))
    save_document(theirs, path, expected=None, force=True)
    os.utime(path, (time.time() + 5, time.time() + 5))
    on_disk = path.read_bytes()

    answers.queue.append("Restore")
    window = make_window(qtbot, data_dir, data_dir.root / "window.ini")
    qtbot.waitUntil(lambda: bool(window.tabs.all()), timeout=5000)
    tab = window.tabs.current()
    assert tab is not None and tab.editor.is_modified()
    answers.queue.append("Cancel")
    assert not window.docs.saver.save(tab)
    assert path.read_bytes() == on_disk and "already exists" in answers.asked[-1]
    _quietly(window)
    window.close()


CHILD = """
import os, sys, time
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from PySide6.QtTest import QTest
app = QApplication([])
from app.context import AppContext
from evidence.datadir import DataDir
from desktop.main_window import MainWindow
data, ini, path = sys.argv[1:4]
window = MainWindow(AppContext.open(DataDir(Path(data)).create()),
                    QSettings(ini, QSettings.Format.IniFormat))
window.show()
tab = window.files.open_path(Path(path))
tag = tab.editor.card_document().cards()[0].tag
cursor = tab.editor.view.document().find(tag)
cursor.clearSelection()
tab.editor.view.setTextCursor(cursor)
QTest.keyClicks(tab.editor.view, " RECOVER ME")
window.docs.autosave.written.connect(lambda t: print("AUTOSAVED", flush=True))
print("TYPED", flush=True)
while True:
    app.processEvents()
    time.sleep(0.01)
"""


def test_crash_recovery_after_sigkill(qtbot, data_dir, files, answers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = files / "neg.docx"
    before = path.read_bytes()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir.root), str(tmp_path / "child.ini"), str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        lines = []
        assert child.stdout is not None
        for line in child.stdout:  # the autosave comes ~3 s after the last key
            lines.append(line.strip())
            if line.strip() == "AUTOSAVED":
                break
        assert lines == ["TYPED", "AUTOSAVED"], child.stderr.read() if child.stderr else ""
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    assert path.read_bytes() == before  # autosave never writes the user's file

    answers.queue.append("Restore")
    window = make_window(qtbot, data_dir, tmp_path / "window.ini")
    qtbot.waitUntil(lambda: bool(window.tabs.all()), timeout=5000)
    assert "neg.docx" in answers.asked[0]
    tab = window.tabs.current()
    assert tab is not None and tab.path == path and tab.label() == "neg.docx *"
    assert tab.editor.card_document().cards()[0].tag.endswith(" RECOVER ME")
    answers.queue.append("Save")  # closing asks; saved, the recovery copy goes
    window.close()
    assert read_verbatim(path).cards()[0].tag.endswith(" RECOVER ME")
    assert not list((data_dir.root / "recovery").glob("*.json"))

    again = make_window(qtbot, data_dir, tmp_path / "window.ini")  # nothing offered now
    qtbot.wait(100)
    assert again.tabs.all() == [] and len(answers.asked) == 2
    again.close()
