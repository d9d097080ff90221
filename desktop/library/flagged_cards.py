"""The cards an import flagged for their highlight (app/highlight_findings.py): one row per
card, its tag and where it sits, the checker's findings in words under it. Activating a
card opens it in the card editor, where the same findings are drawn over its body."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.highlight_findings import FlaggedCard, flagged_cards_job
from desktop.jobs import Job, JobRegistry


def flagged_text(n: int) -> str:
    """The summary's words for the clickable line."""
    return f"{'1 card has' if n == 1 else f'{n:,} cards have'} highlight problems"


class FlaggedCardsDialog(QDialog):
    open_card = Signal(object)  # the chosen evidence.cards.card.Card

    def __init__(self, flagged: Sequence[FlaggedCard], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FlaggedCardsDialog")
        self.setWindowTitle("Highlight problems")
        self.flagged = list(flagged)
        intro = QLabel(
            f"{flagged_text(len(self.flagged))}: highlight that splits a word, drops a "
            "negation, leaves the underline or reads as a fragment. Open a card to see "
            "each problem marked in its body."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("FlaggedCardsList")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        for n, item in enumerate(self.flagged):
            lines = [f"{item.card.tag or '(no tag)'}  —  {item.place}"]
            lines += [f"    ⚠ {message}" for message in item.messages]
            row = QListWidgetItem("\n".join(lines))
            row.setData(Qt.ItemDataRole.UserRole, n)
            row.setToolTip("Double-click (or Enter) to open this card in the card editor")
            self.list.addItem(row)
        self.list.itemActivated.connect(self._activated)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("Open card", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._open_current)
        buttons.rejected.connect(self.reject)
        for button in buttons.buttons():  # Enter on a card opens it and keeps the list open
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        if self.flagged:
            self.list.setCurrentRow(0)
        self.resize(720, 460)

    def _activated(self, row: QListWidgetItem) -> None:
        self.open_card.emit(self.flagged[int(row.data(Qt.ItemDataRole.UserRole))].card)

    def _open_current(self) -> None:
        row = self.list.currentItem()
        if row is not None:
            self._activated(row)


class FlaggedCards(QObject):
    """Lists the flagged cards of some sources in a dialog, read off the GUI thread."""

    open_card = Signal(object)  # a Card chosen in the dialog
    failed = Signal(str)

    def __init__(self, ctx: AppContext, jobs: JobRegistry, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx, self.jobs, self._parent = ctx, jobs, parent
        self._job: Job | None = None
        self.dialog: FlaggedCardsDialog | None = None

    def show_for(self, source_ids: Sequence[int]) -> None:
        if self._job is not None:
            return  # already reading them
        job = Job("flagged-cards", flagged_cards_job(self.ctx, list(source_ids)))
        job.finished.connect(self._show)
        job.failed.connect(self.failed)
        job.done.connect(self._done)
        self._job = self.jobs.start(job)

    def _show(self, flagged: list[FlaggedCard]) -> None:
        if self._job is not None and self._job.cancelled:
            return  # the window is closing
        if self.dialog is not None:
            self.dialog.close()
        dialog = FlaggedCardsDialog(flagged, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_card.connect(self.open_card)
        dialog.destroyed.connect(self._forget)
        self.dialog = dialog
        dialog.show()

    def _forget(self) -> None:
        self.dialog = None

    def _done(self) -> None:
        self._job = None
