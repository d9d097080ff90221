"""The main window: Search and the card editor in the middle, the Library, the Outline and
the Assistant in docks (moved and restored like Verbatim's panes), menus with Verbatim's keys.
The window only wires panels together; each panel owns its widgets and workers."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QWidget,
)

from desktop.context import AppContext
from desktop.jobs import JobRegistry
from desktop.widgets.assistant_panel import AssistantPanel
from desktop.widgets.card_editor import CardEditor
from desktop.widgets.library_panel import LibraryPanel
from desktop.widgets.outline_panel import OutlinePanel
from desktop.widgets.search_panel import SearchPanel

log = logging.getLogger(__name__)

LAYOUT_VERSION = 1  # bump when docks change, so an old saved layout is not restored


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext, ui_settings: QSettings | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.jobs = JobRegistry(self)
        self._ui = ui_settings or QSettings(
            str(ctx.data_dir.root / "window.ini"), QSettings.Format.IniFormat
        )
        self.setWindowTitle("Debate Prep")
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)

        self.library = LibraryPanel(ctx, self.jobs)
        self.search = SearchPanel(ctx, self.jobs)
        self.editor = CardEditor()
        self.outline = OutlinePanel(ctx)
        self.assistant = AssistantPanel(ctx, self.jobs)

        center = QSplitter(Qt.Orientation.Horizontal)
        center.setObjectName("CenterSplitter")
        center.addWidget(self.search)
        center.addWidget(self.editor)
        center.setStretchFactor(0, 1)
        center.setStretchFactor(1, 1)
        self.setCentralWidget(center)
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
        self.status_text = QLabel()
        self.statusBar().addPermanentWidget(self.status_text)

        self._wire()
        self._menus()
        self._restore_layout()

    # -- construction ------------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"{title}Dock")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _wire(self) -> None:
        self.library.library_changed.connect(self.search.refresh)
        self.search.open_card.connect(self.open_card)
        self.search.cut_passage.connect(self._cut_passage)
        self.editor.send_to_outline.connect(self.outline.add_card)
        self.outline.card_activated.connect(self.open_card)
        self.assistant.results_ready.connect(self.outline.add_nodes)

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._action(file_menu, "&Import files…", "Ctrl+O", self._choose_files)
        self._action(file_menu, "Import &folder…", "Ctrl+Shift+O", self._choose_folder)
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

    # -- flows -------------------------------------------------------------------------------

    def open_card(self, card: object) -> None:
        self.editor.set_card(card)  # type: ignore[arg-type]

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
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.library.import_paths(paths)
            event.acceptProposedAction()

    # -- layout and closing --------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self._ui.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 900)
        state = self._ui.value("state")
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)
        splitter = self._ui.value("center")
        if isinstance(splitter, QByteArray):
            self._center.restoreState(splitter)

    def _save_layout(self) -> None:
        self._ui.setValue("geometry", self.saveGeometry())
        self._ui.setValue("state", self.saveState(LAYOUT_VERSION))
        self._ui.setValue("center", self._center.saveState())
        self._ui.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        running = self.jobs.running()
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
        self._save_layout()
        event.accept()
