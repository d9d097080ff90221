"""The outline's tree view: internal drag-and-drop moves, the outline's keys, and a hint
when the outline is empty."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

EMPTY_HINT = (
    "The outline is empty.\n\nSend cards here from the card editor, or add a "
    "Pocket, Hat or Block with the buttons above; drag to reorder."
)


class OutlineTree(QTreeView):
    delete_requested = Signal()
    move_requested = Signal(int)  # -1 up, +1 down
    open_requested = Signal(QModelIndex)  # Enter or double-click on an item

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(True)
        # Double-click opens a card (activated); F2 renames.
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setExpandsOnDoubleClick(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keeps a card's [cite] in view
        # Not `activated`: a drag-enabled view skips it on some double-clicks, and it would
        # fire twice with doubleClicked on others.
        self.doubleClicked.connect(self.open_requested)

    # -- keys --------------------------------------------------------------------------------

    def _own_key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            return mods == Qt.KeyboardModifier.AltModifier
        keys = (Qt.Key.Key_Delete, Qt.Key.Key_F2, Qt.Key.Key_Return, Qt.Key.Key_Enter)
        return key in keys and mods in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )

    def event(self, event: QEvent) -> bool:
        # Our keys beat window-wide shortcuts (the editor's F2, a global Delete) while the
        # tree has focus, as a line edit's keys do.
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and self.state() != QAbstractItemView.State.EditingState
            and self._own_key(event)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState and self._own_key(event):
            if event.key() == Qt.Key.Key_Delete:
                self.delete_requested.emit()
            elif event.key() == Qt.Key.Key_F2:
                if self.currentIndex().isValid():
                    self.edit(self.currentIndex())
            elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                index = self.currentIndex()
                if self.model().hasChildren(index):
                    self.setExpanded(index, not self.isExpanded(index))
                elif index.isValid():
                    self.open_requested.emit(index)
            else:
                self.move_requested.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        super().keyPressEvent(event)

    # -- drag and drop -----------------------------------------------------------------------

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        # The model moves the nodes itself in dropMimeData, so the base class's removal of
        # the dragged rows after a MoveAction must not happen: run the drag and ignore the
        # result.
        model = self.model()
        indexes = [
            i for i in self.selectedIndexes() if model.flags(i) & Qt.ItemFlag.ItemIsDragEnabled
        ]
        if not indexes:
            return
        mime = model.mimeData(indexes)
        if mime is None:
            return
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.exec(Qt.DropAction.MoveAction, Qt.DropAction.MoveAction)

    # -- empty hint --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount(QModelIndex()) == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().placeholderText().color())
            rect = self.viewport().rect().adjusted(16, 16, -16, -16)
            flags = (
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            )
            painter.drawText(QRect(rect), int(flags), EMPTY_HINT)
            painter.end()
