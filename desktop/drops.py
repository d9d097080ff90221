"""Files and folders dropped on the window or on a floating Library dock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDropEvent


def accept_file_drag(event: QDragEnterEvent) -> None:
    if event.mimeData().hasUrls():
        event.acceptProposedAction()


def dropped_paths(event: QDropEvent) -> list[Path]:
    """The local files and folders of a drop (accepted when there are any)."""
    paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
    if paths:
        event.acceptProposedAction()
    return paths
