"""Speech docs, Verbatim's way: one document is the speech doc; the backtick key in any other
document sends the card at the cursor there (Ctrl+backtick: the whole block), at the speech
doc's cursor. Also Mark here (a "Marked HH:MM" line), Save send doc (a copy without
analytics) and Read mode (read-only, large type)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from desktop.documents import prompts
from desktop.documents.tabs import DocTab, DocumentTabs
from evidence.documents.doc_file import save_document
from evidence.documents.send_doc import send_doc
from evidence.verbatim.writer import ExportError

CARD, BLOCK = "card", "block"


class SpeechDocs(QObject):
    message = Signal(str, int)
    sent = Signal(object, int)  # the speech DocTab, how many nodes went there

    def __init__(self, tabs: DocumentTabs, new_document: Callable[[str], DocTab],
                 window: QWidget) -> None:  # fmt: skip
        super().__init__(window)
        self.tabs, self.window = tabs, window
        self._new_document = new_document

    def watch(self, tab: DocTab) -> None:
        """The backtick keys of this tab's text."""
        tab.editor.view.installEventFilter(self)

    def mark(self, tab: DocTab | None = None) -> DocTab | None:
        """Make `tab` (default: the one in front) the one speech doc."""
        tab = tab or self.tabs.current()
        if tab is None:
            return None
        for other in self.tabs.all():
            if other.speech and other is not tab:
                other.speech = False
                other.changed.emit()
        tab.speech = True
        tab.changed.emit()
        self.message.emit(f"{tab.title()} is the speech doc: ` sends a card there", 5000)
        return tab

    def send(self, kind: str = CARD, source: DocTab | None = None) -> int:
        """The card (or block) at the cursor of `source` to the speech doc's cursor; a new
        speech doc when there is none. Returns how many nodes were sent."""
        source = source or self.tabs.current()
        if source is None:
            return 0
        if source.speech:
            self.message.emit("This is the speech doc: send from another document", 5000)
            return 0
        nodes = source.editor.unit_under_cursor(kind)
        if not nodes:
            self.message.emit(f"No {kind} at the cursor to send", 5000)
            return 0
        speech = self.tabs.speech()
        if speech is None:
            speech = self.mark(self._new_document("Speech"))
            assert speech is not None
            self.tabs.show_tab(source)  # keep reading where the debater is
        if speech.read_mode or speech.read_only_reason:
            self.message.emit(f"{speech.title()} is read-only: cannot send there", 5000)
            return 0
        speech.editor.insert_nodes(nodes)
        self.message.emit(f"Sent the {kind} to {speech.title()}", 3000)
        self.sent.emit(speech, len(nodes))
        return len(nodes)

    def mark_here(self, tab: DocTab | None = None) -> None:
        """Ctrl+M: where the speech stopped, as Verbatim's "Marked HH:MM"."""
        tab = tab or self.tabs.current()
        if tab is not None and not tab.read_only_reason and not tab.read_mode:
            tab.editor.insert_marker(f"Marked {time.strftime('%H:%M')}")

    def set_read_mode(self, flag: bool, tab: DocTab | None = None) -> None:
        tab = tab or self.tabs.current()
        if tab is None:
            return
        tab.read_mode = flag
        tab.editor.set_read_mode(flag)
        if not flag and tab.read_only_reason:
            tab.editor.set_read_only(True)  # read mode off does not lift a lock
        tab.changed.emit()

    def save_send_doc(self, tab: DocTab | None = None) -> Path | None:
        """A copy without analytics, for the other team and the judge."""
        tab = tab or self.tabs.current()
        if tab is None:
            return None
        folder = tab.path.parent if tab.path else Path.home()
        suggested = folder / f"{Path(tab.title()).stem} (send).docx"
        path = prompts.save_path(self.window, "Save send doc", suggested)
        if path is None:
            return None
        path = prompts.with_docx(path)
        if tab.path is not None and path.absolute() == tab.path.absolute():
            prompts.warn(
                self.window,
                "Save send doc",
                "Choose another file: the send doc must not replace the document.",
            )
            return None  # fmt: skip
        try:
            save_document(send_doc(tab.editor.card_document()), path, expected=None,
                          styles=tab.styles, parts=tab.parts or None, force=True)  # fmt: skip
        except ExportError as exc:
            prompts.warn(self.window, "Could not save the send doc", str(exc))
            return None
        self.message.emit(f"Send doc saved to {path}", 5000)
        return path

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_QuoteLeft
        ):
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if mods in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ControlModifier):
                source = next((t for t in self.tabs.all() if t.editor.view is watched), None)
                kind = BLOCK if mods == Qt.KeyboardModifier.ControlModifier else CARD
                self.send(kind, source)
                return True
        return super().eventFilter(watched, event)
