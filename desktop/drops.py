"""Files, folders and web addresses dropped on the window or on a floating Library dock."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragEnterEvent, QDropEvent

Dropped = Path | str  # a local file or folder, or an http(s) address to fetch
_WEB = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


def urls_in_text(text: str) -> list[str]:
    """The web addresses in pasted or dropped text, one per whitespace-separated word."""
    found = []
    for word in text.split():
        word = word.strip("<>\"'").rstrip(".,;:!?)")  # sentence punctuation is not address
        if _WEB.match(word):
            found.append(word if "://" in word else f"https://{word}")
    return list(dict.fromkeys(found))


def dropped_items(mime: QMimeData) -> list[Dropped]:
    """Local files and folders as paths, web pages as their addresses."""
    items: list[Dropped] = []
    for url in mime.urls():
        if url.isLocalFile():
            items.append(Path(url.toLocalFile()))
        elif url.scheme() in ("http", "https"):
            items.append(url.toString())
    if not items and mime.hasText():  # an address dragged as text (some browsers, editors)
        items.extend(urls_in_text(mime.text()))
    return items


def accept_file_drag(event: QDragEnterEvent) -> None:
    if dropped_items(event.mimeData()):
        event.acceptProposedAction()


def dropped_paths(event: QDropEvent) -> list[Dropped]:
    """What a drop brings to import (accepted when there is anything)."""
    items = dropped_items(event.mimeData())
    if items:
        event.acceptProposedAction()
    return items
