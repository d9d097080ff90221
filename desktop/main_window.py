"""The main window: the open documents in the middle (tabs, each with its navigation pane);
Search with the card editor, the Library and the Assistant in docks on the left (moved and
restored like Verbatim's panes); menus with Verbatim's keys. The window only wires panels
together; each panel owns its widgets and workers."""

from __future__ import annotations

import gc
import logging
import sqlite3
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.sources import SourceNotFound, card_source
from desktop.assistant.assistant_panel import AssistantPanel
from desktop.documents.source_view import SourceDialog
from desktop.documents.speech import BLOCK
from desktop.documents.tabs import DocTab
from desktop.documents.workspace import Workspace, add
from desktop.drops import accept_file_drag, dropped_paths
from desktop.editor.card_editor import CardEditor
from desktop.jobs import JobRegistry
from desktop.library.library_panel import LibraryPanel
from desktop.models.models_window import ModelManagerDialog
from desktop.notice_bar import NoticeBar
from desktop.outline.export_dialog import OutlineExporter
from desktop.repair import LibraryRepair
from desktop.search.search_panel import SearchPanel
from desktop.settings.settings_dialog import SettingsDialog
from desktop.settings.web_switch import WebSwitch
from desktop.status_bar import StatusBarWidget
from evidence.at_rest import keep_aside
from evidence.cards.card import Card, CardDocument, Node
from evidence.documents.outline_migration import OutlineUnreadable, migrate_outline
from evidence.documents.stats import DEFAULT_WPM
from evidence.errors import EvidenceError

log = logging.getLogger(__name__)

LAYOUT_VERSION = 2  # bump when docks change, so an old saved layout is not restored
# Worker threads running Python (parsing, the agents) hand the GIL to the GUI thread only
# every switch interval; at Python's 5 ms default, two such threads kept the GUI thread
# waiting 120-290 ms on 2 cores (tests/test_gui_heartbeat.py). 1 ms keeps it responsive.
GIL_SWITCH_S = 0.001
MAX_LAYOUT_BYTES = 1_000_000  # geometry and dock state are a few KB


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, ui_settings: QSettings | None = None) -> None:
        super().__init__()
        sys.setswitchinterval(GIL_SWITCH_S)
        self.ctx = ctx
        self.jobs = JobRegistry(self)
        self.notices = NoticeBar()
        self._ui = ui_settings or self._layout_file(ctx.data_dir.root / "window.ini")
        self.setWindowTitle("Debate Prep")
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self._models: ModelManagerDialog | None = None
        # Before the panels open the library: a damaged one is said once, with Repair.
        self.repair = LibraryRepair(ctx, self.jobs, self.notices, self)
        self.repair.check()

        self.library = LibraryPanel(ctx, self.jobs)
        self.search = SearchPanel(ctx, self.jobs)
        self.editor = CardEditor()
        self.exporter = OutlineExporter(self.jobs, self)
        self.assistant = AssistantPanel(ctx, self.jobs)

        # The documents, and what opens, saves, autosaves and speaks them.
        self.docs = Workspace(self, self.jobs, self._ui, ctx.data_dir.root, self._wpm)
        self.tabs, self.files, self.speech = self.docs.tabs, self.docs.files, self.docs.speech
        self.read_time = self.docs.read_time

        middle = QWidget()
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.notices)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(middle)
        # Search over the card it opens: find, read, send to the document.
        research = QSplitter(Qt.Orientation.Vertical)
        research.setObjectName("ResearchSplitter")
        research.addWidget(self.search)
        research.addWidget(self.editor)
        self._research = research
        self.search_dock = self._dock("Search", research)
        self.library_dock = self._dock("Library", self.library)
        self.assistant_dock = self._dock("Assistant", self.assistant)
        self.tabifyDockWidget(self.search_dock, self.library_dock)
        self.tabifyDockWidget(self.library_dock, self.assistant_dock)
        self.search_dock.raise_()
        self.status = StatusBarWidget(ctx, self.jobs)
        self.statusBar().addPermanentWidget(self.read_time)
        self.statusBar().addPermanentWidget(self.status)
        self.web_switch = WebSwitch(ctx)
        self.statusBar().addPermanentWidget(self.web_switch)

        self._wire()
        self._menus()
        self._restore_layout()
        self.jobs.changed.connect(self._settle_heap)
        self._settle_heap()
        for notice in ctx.notices:
            self.notices.add(notice)
        self._open_outline()
        # After the window shows: the versions a crash left behind are offered back.
        QTimer.singleShot(0, self.files.offer_recoveries)

    # -- construction ------------------------------------------------------------------------

    def _layout_file(self, path: Path) -> QSettings:
        """The saved layout; a file too big to be one (it holds a few small blobs) is kept
        aside before Qt reads it, and the window starts with the default layout."""
        try:
            too_big = path.stat().st_size > MAX_LAYOUT_BYTES
        except OSError:
            too_big = False
        if too_big:
            moved = keep_aside(path)
            notice = f"The saved window layout {path} was too big to be one; kept as {moved}."
            log.warning("%s", notice)
            self.notices.add(notice)
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _dock(self, title: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title}Dock")
        dock.setWidget(widget)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        return dock

    def _open_outline(self) -> None:
        """The retired outline.json becomes documents/Outline.docx in the data folder; the
        start that turns it opens it (later, it is in Open Recent like any document)."""
        had_outline = (self.ctx.data_dir.root / "outline.json").exists()
        try:
            path = migrate_outline(self.ctx.data_dir.root)
        except OutlineUnreadable as exc:  # kept aside already; the message says where
            self.notices.add(str(exc))
            return
        except Exception as exc:  # the window must open whatever the old file holds
            log.warning("could not turn the outline into a document: %s", exc)
            self.notices.add(f"The outline could not be turned into a document: {exc}")
            return
        if path is not None and had_outline:
            self.files.open_path(path)

    def _wire(self) -> None:
        self.library.library_changed.connect(self.search.refresh)
        self.library.status_changed.connect(self.status.show_index)
        self.library.progress.summary_changed.connect(
            lambda text: self.statusBar().showMessage(text, 10_000)  # an import's rate, time left
        )
        self.assistant.stats.connect(self.status.show_stats)
        self.search.open_card.connect(self.open_card)
        self.library.flagged.open_card.connect(self._open_flagged_card)
        self.search.cut_passage.connect(self._cut_passage)
        self.editor.send_to_outline.connect(self._send_card)
        self.assistant.results_ready.connect(self.insert_nodes)
        self.editor.highlight_color.currentTextChanged.connect(self.docs.set_highlight_color)
        for source in (self.exporter, self.docs, self.docs.saver, self.files, self.speech):
            source.message.connect(self.statusBar().showMessage)
        self.docs.autosave.failed.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.web_switch.changed.connect(self.library.set_web_access)
        self.web_switch.failed.connect(self.statusBar().showMessage)
        self.repair.repaired.connect(self.library.refresh)
        self.repair.repaired.connect(self.search.refresh)

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.docs.file_actions(file_menu)
        file_menu.addSeparator()
        add(file_menu, "&Import files…", "Ctrl+I", self._choose_files)
        add(file_menu, "Import &folder…", "Ctrl+Shift+I", self._choose_folder)
        file_menu.addSeparator()
        add(file_menu, "&Export document…", "Ctrl+E", self.export_document)
        add(file_menu, "Export &block…", "Ctrl+Shift+E", self.export_block)
        file_menu.addSeparator()
        add(file_menu, "Se&ttings…", "Ctrl+,", self.open_settings)
        add(file_menu, "&Models…", "Ctrl+Shift+M", self.open_models)
        file_menu.addSeparator()
        add(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        document_menu = self.menuBar().addMenu("&Document")
        self.docs.document_menu(document_menu)
        document_menu.addSeparator()
        add(document_menu, "&Go to source", "Ctrl+G", self.go_to_source)
        view = self.menuBar().addMenu("&View")
        add(view, "&Search", "Ctrl+F", self._focus_search)
        for dock in (self.search_dock, self.library_dock, self.assistant_dock):
            view.addAction(dock.toggleViewAction())

    def _settle_heap(self) -> None:
        """When no job runs: collect, then freeze the survivors (modules, models, widgets).
        A full collection scans every unfrozen object holding the GIL; over this app's heap
        that took 100-150 ms, and any allocation-heavy job thread could trigger one
        (tests/test_gui_heartbeat.py). Frozen, later collections only scan new objects."""
        if not self.jobs.running():
            gc.collect()
            gc.freeze()

    # -- documents ---------------------------------------------------------------------------

    def _wpm(self) -> int:
        return int(getattr(self.ctx.settings, "words_per_minute", DEFAULT_WPM))

    def current_tab(self) -> DocTab | None:
        return self.tabs.current()

    def active_document(self) -> CardDocument:
        return self.docs.active_document()

    def insert_nodes(self, nodes: list[Node]) -> None:
        tab = self.docs.insert_nodes(nodes)
        if tab is not None:
            self.statusBar().showMessage(f"Added to {tab.title()}", 3000)

    def _send_card(self, card: Card) -> None:
        self.insert_nodes([card])

    def go_to_source(self) -> SourceDialog | None:
        """The library text the card at the cursor was cut from, its words selected."""
        tab = self.tabs.current()
        nodes = tab.editor.unit_under_cursor("card") if tab else []
        card = nodes[0] if nodes and isinstance(nodes[0], Card) else None
        if card is None:
            self.statusBar().showMessage("Go to source: put the cursor in a card first.", 5000)
            return None
        try:
            place = card_source(self.ctx, card)
        except (SourceNotFound, EvidenceError, sqlite3.Error) as exc:
            log.info("go to source: %s", exc)
            self.statusBar().showMessage(f"Go to source: {exc}", 10_000)
            return None
        dialog = SourceDialog(place, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    # -- flows -------------------------------------------------------------------------------

    def open_card(self, card: object) -> None:
        self.editor.set_card(card)  # type: ignore[arg-type]

    def _open_flagged_card(self, card: object) -> None:
        """A card from the import's highlight problems: in the editor (under Search), where
        its findings are drawn over the body."""
        self.open_card(card)
        self.search_dock.show()
        self.search_dock.raise_()
        self.editor.reveal_findings()

    def export_document(self) -> None:
        tab = self.tabs.current()
        doc = tab.editor.card_document() if tab else CardDocument()
        if tab is not None:
            doc.title = Path(tab.title()).stem
        self.exporter.start(doc, "the document")

    def export_block(self) -> None:
        tab = self.tabs.current()
        nodes = tab.editor.unit_under_cursor(BLOCK) if tab else []
        self.exporter.start(CardDocument(nodes, title=tab.title() if tab else ""), "the block")

    def open_settings(self) -> None:
        if SettingsDialog(self.ctx, self, self.status.gpu).exec():
            self.status.refresh_settings()
            self.web_switch.sync()
            self.library.set_web_access(self.ctx.settings.web_access)
            self.library.refresh()
            self.read_time.update_now()  # the words per minute may have changed

    def open_models(self) -> ModelManagerDialog:
        """The model manager; one per window, so a running download shows when reopened."""
        if self._models is None:
            self._models = ModelManagerDialog(
                self.ctx, self.jobs, self._turn_web_on, self.status.gpu, self
            )
            self._models.model_changed.connect(self.status.refresh_settings)
        else:
            self._models.refresh()
        self._models.show()
        self._models.raise_()
        return self._models

    def _turn_web_on(self) -> bool:
        self.web_switch.set_on(True)
        return self.ctx.settings.web_access

    def _focus_search(self) -> None:
        self.search_dock.show()
        self.search_dock.raise_()
        self.search.focus_query()

    def _cut_passage(self, passage_id: int, claim: str) -> None:
        self.assistant_dock.show()
        self.assistant_dock.raise_()
        self.assistant.cut_from_passage(passage_id, claim)

    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import evidence", "", "Evidence (*.pdf *.docx *.txt *.md *.html *.htm);;All (*)"
        )
        if files:
            self.library.import_paths([Path(f) for f in files])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of evidence")
        if folder:
            self.library.import_paths([Path(folder)])

    # -- drag and drop anywhere on the window --------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """A drop imports; with Shift held, a .docx opens as a document instead."""
        items = dropped_paths(event)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            docs = [p for p in items if isinstance(p, Path) and p.suffix.lower() == ".docx"]
            for path in docs:
                self.files.open_path(path)
            items = [p for p in items if p not in docs]
        if items:
            self.library.import_paths(items)

    # -- layout and closing --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self._ui.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self._ui.value("state")
        if not (isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION)):
            # First start: the document gets most of the width; search a readable column.
            self.resizeDocks([self.search_dock], [420], Qt.Orientation.Horizontal)
        splitter = self._ui.value("research")
        if isinstance(splitter, QByteArray):
            self._research.restoreState(splitter)
        else:
            self._research.setSizes([420, 380])

    def _save_layout(self) -> None:
        self._ui.setValue("geometry", self.saveGeometry())
        self._ui.setValue("state", self.saveState(LAYOUT_VERSION))
        self._ui.setValue("research", self._research.saveState())
        self._ui.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Documents first: their Cancel is the common answer, and nothing is stopped yet.
        if not self.files.close_all():
            event.ignore()
            return
        running = [j for j in self.jobs.running() if j.user_work]
        if running:
            names = ", ".join(j.name for j in running)
            answer = QMessageBox.question(
                self,
                "Work is running",
                f"Stop {names} and quit? Finished files and cards are kept; "
                "an unfinished import resumes next time.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.statusBar().showMessage("Stopping…")
        self.jobs.cancel_all()
        self.files.discard_recoveries()
        self._save_layout()
        event.accept()
