"""File ▸ New, Open…, Open Recent, Close, and the recovery offer at start. Saving is
saving.py's; every tab is watched by the autosaver from the moment it opens."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from desktop.documents import prompts
from desktop.documents.autosave import Autosaver
from desktop.documents.document_editor import DocumentEditor
from desktop.documents.recent import RecentFiles
from desktop.documents.saving import Saver
from desktop.documents.tabs import DocTab, DocumentTabs
from evidence.cards.card import CardDocument
from evidence.documents.doc_file import open_document
from evidence.documents.recovery import Recovered
from evidence.errors import EvidenceError

log = logging.getLogger(__name__)

SAVE, DISCARD, CANCEL = "Save", "Discard", "Cancel"
RESTORE, LATER = "Restore", "Keep for later"


class FileActions(QObject):
    message = Signal(str, int)  # status bar text and timeout (ms)
    opened = Signal(object)  # a new DocTab (the window wires speech keys and the read time)

    def __init__(self, tabs: DocumentTabs, saver: Saver, autosave: Autosaver,
                 recent: RecentFiles, window: QWidget) -> None:  # fmt: skip
        super().__init__(window)
        self.tabs, self.saver, self.autosave = tabs, saver, autosave
        self.recent, self.window = recent, window
        tabs.close_requested.connect(self.close_tab)

    # -- opening -----------------------------------------------------------------------------

    def new_document(self, base: str = "Untitled") -> DocTab:
        editor = DocumentEditor()
        editor.load(CardDocument())
        return self._add(DocTab(editor, untitled=self.tabs.next_untitled(base)))

    def open_dialog(self) -> None:
        for path in prompts.open_paths(self.window, self.saver.folder):
            self.open_path(path)

    def open_path(self, path: Path) -> DocTab | None:
        """Open `path` in a tab (or bring its tab to the front); None, with the reason
        shown, when it cannot be read."""
        path = Path(path).absolute()
        already = self.tabs.by_path(path)
        if already is not None:
            self.tabs.show_tab(already)
            return already
        try:
            opened = open_document(path)
        except EvidenceError as exc:
            if not path.exists():
                self.recent.remove(path)
            prompts.warn(self.window, "Could not open", str(exc))
            return None
        editor = DocumentEditor()
        editor.load(opened.doc)
        editor.set_modified(False)
        tab = DocTab(editor, path, stamp=opened.stamp, styles=opened.styles,
                     parts=opened.parts, read_only_reason=opened.read_only_reason)  # fmt: skip
        self.recent.add(path)
        self.saver.folder = path.parent
        self._add(tab)
        if opened.read_only_reason:
            self.message.emit(
                f"{path.name} opened read-only: {opened.read_only_reason}. "
                "Save As to keep your changes in another file.", 0
            )  # fmt: skip
        return tab

    def restore(self, rec: Recovered) -> DocTab:
        """A recovered version as a modified tab, on its original file when there is one."""
        doc = self.autosave.store.load(rec)
        stamp = styles = None
        parts: dict[str, bytes] = {}
        reason = ""
        if rec.original is not None and rec.original.exists():
            try:
                opened = open_document(rec.original)
                stamp, styles, reason = opened.stamp, opened.styles, opened.read_only_reason
                parts = opened.parts
                if opened.stamp.mtime_ns / 1e9 > rec.saved_at:
                    stamp = None  # changed since the copy was made: Save asks, not overwrites
            except EvidenceError as exc:  # the original went bad: save elsewhere then
                log.warning("recovered %s, its original cannot be read: %s", rec.title, exc)
        editor = DocumentEditor()
        editor.load(doc)
        tab = DocTab(editor, rec.original, stamp=stamp, styles=styles, parts=parts,
                     read_only_reason=reason, untitled=rec.title, key=rec.key)  # fmt: skip
        self._add(tab)
        editor.set_modified(True)
        return tab

    def offer_recoveries(self) -> int:
        """At start: each version autosaved before a crash, restore or discard. Returns how
        many were restored."""
        restored = 0
        for rec in self.autosave.pending():
            when = time.strftime("%a %H:%M", time.localtime(rec.saved_at))
            where = f" ({rec.original})" if rec.original else " (never saved)"
            answer = prompts.ask(
                self.window,
                "Recover unsaved changes",
                f"{rec.title}{where} had changes that were not saved when Debate Prep last "
                f"closed. Restore the version autosaved on {when}?",
                [RESTORE, DISCARD, LATER],
            )
            if answer == RESTORE:
                self.restore(rec)
                restored += 1
            elif answer == DISCARD:
                self.autosave.store.discard(rec.key)
        return restored

    def _add(self, tab: DocTab) -> DocTab:
        self.tabs.add(tab)
        self.autosave.watch(tab)
        self.opened.emit(tab)
        return tab

    # -- closing -----------------------------------------------------------------------------

    def close_tab(self, tab: DocTab | None = None) -> bool:
        """Ctrl+W: asks first when there are unsaved changes; False when cancelled."""
        tab = tab or self.tabs.current()
        if tab is None:
            return True
        if not self.settle(tab):
            return False
        self.autosave.discard(tab)
        self.autosave.forget(tab)
        self.tabs.remove(tab)
        return True

    def settle(self, tab: DocTab) -> bool:
        """Unsaved changes: save, discard or cancel (False)."""
        if self.saver.is_saving(tab):
            self.message.emit(f"Wait: {tab.title()} is being saved", 5000)
            return False
        if not tab.editor.is_modified():
            return True
        self.tabs.show_tab(tab)
        answer = prompts.ask(
            self.window,
            "Unsaved changes",
            f"{tab.title()} has changes that are not saved. Save them first?",
            [SAVE, DISCARD, CANCEL],
        )
        if answer == SAVE:
            return self.saver.save(tab, wait=True)
        return answer == DISCARD

    def close_all(self) -> bool:
        """Closing the window: each document with unsaved changes asks; False cancels."""
        return all(self.settle(tab) for tab in self.tabs.all())

    def discard_recoveries(self) -> None:
        """The window closes for good: what was saved or discarded needs no recovery."""
        for tab in self.tabs.all():
            self.autosave.discard(tab)
            self.autosave.forget(tab)

    # -- Open Recent -------------------------------------------------------------------------

    def fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        paths = self.recent.paths()
        for n, path in enumerate(paths, 1):
            action = QAction(f"&{n % 10} {path.name}", menu)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
            menu.addAction(action)
        if not paths:
            menu.addAction("No recent documents").setEnabled(False)
