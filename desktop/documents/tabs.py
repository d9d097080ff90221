"""Open documents as tabs in the middle of the window: one DocumentEditor per tab, its file
(path, the stamp from opening, the original styles) and its marks: `*` when modified,
[read-only] and [Speech] in the tab's title. An empty area says how to start."""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from desktop.documents.document_editor import DocumentEditor
from evidence.documents.doc_file import FileStamp
from evidence.documents.recovery import recovery_key

SPEECH_MARK = "[Speech] "
READ_ONLY_MARK = " [read-only]"
READ_MODE_MARK = " [read mode]"


class DocTab(QObject):
    """One open document: the editor and the file behind it."""

    changed = Signal()  # the title, the modified mark or a flag changed

    def __init__(
        self,
        editor: DocumentEditor,
        path: Path | None = None,
        *,
        stamp: FileStamp | None = None,
        styles: bytes | None = None,
        parts: dict[str, bytes] | None = None,
        read_only_reason: str = "",
        untitled: str = "Untitled",
        key: str | None = None,
    ) -> None:
        super().__init__(editor)
        self.editor = editor
        # What a save keeps of the file opened: its styles, theme, numbering, font table.
        self.path, self.stamp, self.styles, self.parts = path, stamp, styles, parts or {}
        self.read_only_reason = read_only_reason
        self.untitled = untitled
        # The recovery copy's key stays with the tab (a Save As does not orphan it).
        self.key = key or recovery_key(str(path) if path else f"untitled-{uuid.uuid4().hex}")
        self.speech = False
        self.read_mode = False
        self.revision = 0  # counts edits: a background save knows whether it saved them all
        editor.set_read_only(bool(read_only_reason))
        editor.modified_changed.connect(self._on_modified)
        editor.contents_changed.connect(self._on_contents)

    def title(self) -> str:
        return self.path.name if self.path else self.untitled

    def label(self) -> str:
        text = self.title() + (" *" if self.editor.is_modified() else "")
        if self.read_only_reason:
            text += READ_ONLY_MARK
        elif self.read_mode:
            text += READ_MODE_MARK
        return (SPEECH_MARK if self.speech else "") + text

    def tooltip(self) -> str:
        where = str(self.path) if self.path else "not saved yet"
        lock = f"\nRead-only: {self.read_only_reason}" if self.read_only_reason else ""
        return where + lock + ("\nThe speech doc: ` sends cards here" if self.speech else "")

    def _on_modified(self, _flag: bool) -> None:
        self.changed.emit()

    def _on_contents(self) -> None:
        self.revision += 1


class DocumentTabs(QStackedWidget):
    """The tab widget, or a hint when no document is open."""

    current_changed = Signal(object)  # the DocTab now in front, or None
    close_requested = Signal(object)  # a DocTab whose close button was clicked
    menu_requested = Signal(object, QPoint)  # a DocTab and the global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("DocumentTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setElideMode(Qt.TextElideMode.ElideMiddle)
        self.tabs.tabCloseRequested.connect(lambda i: self.close_requested.emit(self.tab_at(i)))
        self.tabs.currentChanged.connect(self._on_current)
        bar = self.tabs.tabBar()
        bar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        bar.customContextMenuRequested.connect(self._on_menu)
        hint = QLabel(
            "No document is open.\n\nFile ▸ New (Ctrl+N) or Open… (Ctrl+O) a Word file; "
            "drop a .docx here with Shift held to open it.\nCards you send from search, the "
            "card editor or the Assistant go into the document in front."
        )
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        hint.setObjectName("DocumentsHint")
        empty = QWidget()
        QVBoxLayout(empty).addWidget(hint)
        self.addWidget(empty)
        self.addWidget(self.tabs)
        self._tabs: list[DocTab] = []
        self._untitled = 0

    def next_untitled(self, base: str = "Untitled") -> str:
        self._untitled += 1
        return f"{base} {self._untitled}"

    def add(self, tab: DocTab) -> DocTab:
        self._tabs.append(tab)
        tab.changed.connect(lambda: self.refresh(tab))
        index = self.tabs.addTab(tab.editor, tab.label())
        self.refresh(tab)
        self.setCurrentWidget(self.tabs)
        self.tabs.setCurrentIndex(index)
        return tab

    def remove(self, tab: DocTab) -> None:
        index = self.tabs.indexOf(tab.editor)
        if index >= 0:
            self.tabs.removeTab(index)
        if tab in self._tabs:
            self._tabs.remove(tab)
        tab.editor.deleteLater()
        if not self._tabs:
            self.setCurrentIndex(0)
            self.current_changed.emit(None)

    def refresh(self, tab: DocTab) -> None:
        index = self.tabs.indexOf(tab.editor)
        if index >= 0:
            self.tabs.setTabText(index, tab.label())
            self.tabs.setTabToolTip(index, tab.tooltip())
        if tab is self.current():
            self.current_changed.emit(tab)

    def all(self) -> list[DocTab]:
        """In tab order."""
        order = [self.tabs.widget(i) for i in range(self.tabs.count())]
        return sorted(self._tabs, key=lambda t: order.index(t.editor))

    def current(self) -> DocTab | None:
        return self._by_editor(self.tabs.currentWidget())

    def tab_at(self, index: int) -> DocTab | None:
        return self._by_editor(self.tabs.widget(index))

    def show_tab(self, tab: DocTab) -> None:
        self.tabs.setCurrentWidget(tab.editor)

    def by_path(self, path: Path) -> DocTab | None:
        resolved = path.resolve()
        return next((t for t in self._tabs if t.path and t.path.resolve() == resolved), None)

    def speech(self) -> DocTab | None:
        return next((t for t in self._tabs if t.speech), None)

    def _by_editor(self, widget: QWidget | None) -> DocTab | None:
        return next((t for t in self._tabs if t.editor is widget), None)

    def _on_current(self, _index: int) -> None:
        self.current_changed.emit(self.current())

    def _on_menu(self, pos: QPoint) -> None:
        bar = self.tabs.tabBar()
        tab = self.tab_at(bar.tabAt(pos))
        if tab is not None:
            self.menu_requested.emit(tab, bar.mapToGlobal(pos))
