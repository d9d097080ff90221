"""The main window: Search and the card editor in the middle, the Library, the Outline and
the Assistant in docks (moved and restored like Verbatim's panes), menus with Verbatim's keys.
The window only wires panels together; each panel owns its widgets and workers."""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
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
from desktop.assistant.assistant_panel import AssistantPanel
from desktop.drops import accept_file_drag, dropped_paths
from desktop.editor.card_editor import CardEditor
from desktop.jobs import JobRegistry
from desktop.library.library_panel import LibraryPanel
from desktop.models.models_window import ModelManagerDialog
from desktop.notice_bar import NoticeBar
from desktop.outline.export_dialog import OutlineExporter
from desktop.outline.outline_panel import OutlinePanel
from desktop.repair import LibraryRepair
from desktop.search.search_panel import SearchPanel
from desktop.settings.settings_dialog import SettingsDialog
from desktop.settings.web_switch import WebSwitch
from desktop.status_bar import StatusBarWidget
from evidence.at_rest import keep_aside

log = logging.getLogger(__name__)

LAYOUT_VERSION = 1  # bump when docks change, so an old saved layout is not restored
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
        self.outline = OutlinePanel(ctx)
        self.exporter = OutlineExporter(self.jobs, self)
        self.assistant = AssistantPanel(ctx, self.jobs)

        center = QSplitter(Qt.Orientation.Horizontal)
        center.setObjectName("CenterSplitter")
        center.addWidget(self.search)
        center.addWidget(self.editor)
        center.setStretchFactor(0, 1)
        center.setStretchFactor(1, 1)
        middle = QWidget()
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.notices)
        column.addWidget(center, 1)
        self.setCentralWidget(middle)
        self._center = center
        self.library_dock = self._dock(
            "Library", self.library, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.outline_dock = self._dock(
            "Outline", self.outline, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.assistant_dock = self._dock(
            "Assistant", self.assistant, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.status = StatusBarWidget(ctx, self.jobs)
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

    # -- construction ------------------------------------------------------------------------

    def _layout_file(self, path: Path) -> QSettings:
        """The saved layout; a file too big to be one (it holds three small blobs) is kept
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

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title}Dock")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _wire(self) -> None:
        self.library.library_changed.connect(self.search.refresh)
        self.library.status_changed.connect(self.status.show_index)
        self.assistant.stats.connect(self.status.show_stats)
        self.search.open_card.connect(self.open_card)
        self.search.cut_passage.connect(self._cut_passage)
        self.editor.send_to_outline.connect(self.outline.add_card)
        self.outline.card_activated.connect(self.open_card)
        self.assistant.results_ready.connect(self.outline.add_nodes)
        self.exporter.message.connect(self.statusBar().showMessage)
        self.web_switch.changed.connect(self.library.set_web_access)
        self.web_switch.failed.connect(self.statusBar().showMessage)
        self.repair.repaired.connect(self.library.refresh)
        self.repair.repaired.connect(self.search.refresh)

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Import files…", "Ctrl+O", self._choose_files)
        self._action(file_menu, "Import &folder…", "Ctrl+Shift+O", self._choose_folder)
        file_menu.addSeparator()
        self._action(file_menu, "&Export outline…", "Ctrl+E", self.export_outline)
        self._action(file_menu, "Export &selection…", "Ctrl+Shift+E", self.export_selection)
        file_menu.addSeparator()
        self._action(file_menu, "Se&ttings…", "Ctrl+,", self.open_settings)
        self._action(file_menu, "&Models…", "Ctrl+Shift+M", self.open_models)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        view = self.menuBar().addMenu("&View")
        self._action(view, "&Search", "Ctrl+F", self.search.focus_query)
        for dock in (self.library_dock, self.outline_dock, self.assistant_dock):
            view.addAction(dock.toggleViewAction())

    def _action(self, menu, text, shortcut, slot) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _settle_heap(self) -> None:
        """When no job runs: collect, then freeze the survivors (modules, models, widgets).
        A full collection scans every unfrozen object holding the GIL; over this app's heap
        that took 100-150 ms, and any allocation-heavy job thread could trigger one
        (tests/test_gui_heartbeat.py). Frozen, later collections only scan new objects."""
        if not self.jobs.running():
            gc.collect()
            gc.freeze()

    # -- flows -------------------------------------------------------------------------------

    def open_card(self, card: object) -> None:
        self.editor.set_card(card)  # type: ignore[arg-type]

    def export_outline(self) -> None:
        self.exporter.start(self.outline.document(), "the outline")

    def export_selection(self) -> None:
        self.exporter.start(self.outline.selected_document(), "the selection")

    def open_settings(self) -> None:
        if SettingsDialog(self.ctx, self, self.status.gpu).exec():
            self.status.refresh_settings()
            self.web_switch.sync()
            self.library.set_web_access(self.ctx.settings.web_access)
            self.library.refresh()

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

    def _cut_passage(self, passage_id: int, claim: str) -> None:
        self.assistant_dock.show()
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
        paths = dropped_paths(event)
        if paths:
            self.library.import_paths(paths)

    # -- layout and closing --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self._ui.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        state = self._ui.value("state")
        if not (isinstance(state, QByteArray) and self.restoreState(state, LAYOUT_VERSION)):
            # First start: the middle (search and the card) gets most of the width.
            self.resizeDocks([self.library_dock, self.outline_dock], [380, 320],
                             Qt.Orientation.Horizontal)  # fmt: skip
            self.resizeDocks([self.assistant_dock], [300], Qt.Orientation.Vertical)
        splitter = self._ui.value("center")
        if isinstance(splitter, QByteArray):
            self._center.restoreState(splitter)

    def _save_layout(self) -> None:
        self._ui.setValue("geometry", self.saveGeometry())
        self._ui.setValue("state", self.saveState(LAYOUT_VERSION))
        self._ui.setValue("center", self._center.saveState())
        self._ui.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
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
        self.outline.flush()
        self._save_layout()
        event.accept()
