"""The window's documents as one piece: the tabs and everything that opens, saves, autosaves
and speaks them, with the Document menu and the tab menu. The main window places the tabs
in its middle and sends cards here (`insert_nodes`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from desktop.documents.autosave import Autosaver
from desktop.documents.file_actions import FileActions
from desktop.documents.read_time import ReadTime
from desktop.documents.recent import RecentFiles
from desktop.documents.saving import Saver
from desktop.documents.speech import BLOCK, CARD, SpeechDocs
from desktop.documents.tabs import DocTab, DocumentTabs
from desktop.editor.card_format import DEFAULT_HIGHLIGHT
from desktop.jobs import JobRegistry
from evidence.cards.card import CardDocument, Node


class Workspace(QObject):
    message = Signal(str, int)  # why a key did nothing, for the status bar

    def __init__(self, window: QMainWindow, jobs: JobRegistry, ui: QSettings, data_root: Path,
                 wpm: Callable[[], int]) -> None:  # fmt: skip
        super().__init__(window)
        self.window = window
        self.tabs = DocumentTabs()
        self.recent = RecentFiles(ui)
        self.autosave = Autosaver(data_root / "recovery", jobs, self)
        self.saver = Saver(jobs, self.autosave, self.recent, window)
        self.files = FileActions(self.tabs, self.saver, self.autosave, self.recent, window)
        self.speech = SpeechDocs(self.tabs, self.files.new_document, window)
        self.read_time = ReadTime(wpm)
        self.files.opened.connect(self._on_opened)
        self.tabs.current_changed.connect(self._on_current)
        self.tabs.menu_requested.connect(self._tab_menu)
        self.read_action: QAction | None = None
        self.highlight = DEFAULT_HIGHLIGHT  # F11's colour, the card editor's choice
        self.save_action: QAction | None = None

    # -- menus -------------------------------------------------------------------------------

    def file_actions(self, menu: QMenu) -> None:
        """New, Open, Open Recent, Save, Save As, Save send doc, Close."""
        add(menu, "&New document", "Ctrl+N", self.files.new_document)
        add(menu, "&Open…", "Ctrl+O", self.files.open_dialog)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent(self.recent_menu))
        self.save_action = add(menu, "&Save", "Ctrl+S", self.save)
        add(menu, "Save &As…", "Ctrl+Shift+S", self.save_as)
        add(menu, "Save sen&d doc…", "", self.speech.save_send_doc)
        add(menu, "&Close", "Ctrl+W", self.files.close_tab)

    def document_menu(self, menu: QMenu) -> None:
        add(menu, "Mark as &speech doc", "", self.speech.mark)
        # The backtick keys work in a document's text (speech.py's key filter): a window
        # shortcut on ` would take the key from every text field.
        add(menu, "Send &card to speech\t`", "", lambda: self.speech.send(CARD))
        add(menu, "Send b&lock to speech\tCtrl+`", "", lambda: self.speech.send(BLOCK))
        add(menu, "&Mark here", "Ctrl+M", self.speech.mark_here)
        self.read_action = add(menu, "&Read mode", "Ctrl+Shift+R", self.toggle_read_mode)
        self.read_action.setCheckable(True)

    def _tab_menu(self, tab: DocTab, pos: QPoint) -> None:
        menu = QMenu(self.window)
        speech = menu.addAction("Mark as speech doc", lambda: self.speech.mark(tab))
        speech.setEnabled(not tab.speech)
        read = menu.addAction(
            "Read mode", lambda: self.speech.set_read_mode(not tab.read_mode, tab)
        )
        read.setCheckable(True)
        read.setChecked(tab.read_mode)
        menu.addSeparator()
        menu.addAction("Save", lambda: self.saver.save(tab))
        menu.addAction("Save As…", lambda: self.saver.save_as(tab))
        menu.addAction("Save send doc…", lambda: self.speech.save_send_doc(tab))
        menu.addSeparator()
        menu.addAction("Close", lambda: self.files.close_tab(tab))
        menu.popup(pos)

    # -- what the window asks ----------------------------------------------------------------

    def current(self) -> DocTab | None:
        return self.tabs.current()

    def active_document(self) -> CardDocument:
        """The document in front, as cards (empty when none is open)."""
        tab = self.tabs.current()
        return tab.editor.card_document() if tab else CardDocument()

    def insert_nodes(self, nodes: list[Node]) -> DocTab | None:
        """Cards from search, the card editor or the Assistant: into the document in front at
        its cursor (a new one when none is open or it is read-only)."""
        if not nodes:
            return None
        tab = self.tabs.current()
        if tab is None or tab.read_only_reason or tab.read_mode:
            tab = self.files.new_document()
        tab.editor.insert_nodes(list(nodes))
        return tab

    def save(self) -> None:
        tab = self.tabs.current()
        if tab is not None:
            self.saver.save(tab)

    def save_as(self) -> None:
        tab = self.tabs.current()
        if tab is not None:
            self.saver.save_as(tab)

    def toggle_read_mode(self) -> None:
        tab = self.tabs.current()
        if tab is not None:
            self.speech.set_read_mode(not tab.read_mode, tab)
        self._on_current(tab)

    def set_highlight_color(self, color: str) -> None:
        """One highlight colour for F11 everywhere, as in Verbatim."""
        self.highlight = color
        for tab in self.tabs.all():
            tab.editor.view.highlight_color = color

    def _on_opened(self, tab: DocTab) -> None:
        tab.editor.view.highlight_color = self.highlight
        tab.editor.view.hint.connect(lambda text: self.message.emit(text, 5000))
        self.speech.watch(tab)
        self.read_time.watch(tab)
        tab.editor.destroyed.connect(lambda: self.read_time.forget(tab))

    def _on_current(self, tab: DocTab | None) -> None:
        self.read_time.show_tab(tab)
        if self.read_action is not None:
            self.read_action.setChecked(bool(tab and tab.read_mode))
        if self.save_action is not None:
            self.save_action.setEnabled(tab is not None)
        name = f"{tab.title()}{' *' if tab.editor.is_modified() else ''} — " if tab else ""
        self.window.setWindowTitle(f"{name}Debate Prep")


def add(menu: QMenu, text: str, shortcut: str | QKeySequence.StandardKey,
        slot: Callable[[], object]) -> QAction:  # fmt: skip
    """A menu action; `triggered`'s checked flag is not passed on."""
    action = QAction(text, menu.parent() or menu)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action
