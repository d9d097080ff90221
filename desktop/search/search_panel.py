"""Search: results as you type (hybrid), filters, marked snippets; Enter opens a result as a
card, Ctrl+K cuts a card from its passage.

Each search runs in a job with its own Library (never on the GUI thread), one at a time: a
query typed while one runs waits for it, and an answer to an older query or filter is
dropped (every change bumps a sequence number that the answer must match)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QRegularExpression,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.context import AppContext
from app.jobs import Report
from app.search import ResultItem, SearchRequest, SearchResult, list_sources
from app.team_search import TEAM_PASSAGE_ID, Scope, run_scoped_search
from desktop.jobs import Job, JobRegistry
from desktop.search.results_model import ResultsModel
from desktop.search.results_view import results_view
from evidence.index.records import SourceRecord
from evidence.index.search import SearchFilters

DEBOUNCE_MS = 200
_DATE = QRegularExpression(r"\d{0,4}(-\d{0,2}(-\d{0,2})?)?")


class SearchPanel(QWidget):
    open_card = Signal(object)  # evidence.cards.card.Card: open in the card editor
    cut_passage = Signal(int, str)  # passage id, the query (the claim to cut for)

    def __init__(self, ctx: AppContext, jobs: JobRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs
        self.query = QLineEdit(placeholderText="Search your evidence…")
        self.query.setClearButtonEnabled(True)
        self.query.setToolTip(
            "Results as you type. Enter or double-click opens a result as a card; "
            "Ctrl+K asks the assistant to cut a card from it; ↓ moves into the results."
        )
        self.source_filter = QComboBox()
        self.source_filter.setToolTip("Only this source")
        self.source_filter.addItem("All sources", None)
        self.scope = QComboBox()
        for label, scope in (("Mine", Scope.MINE), ("Team", Scope.TEAM), ("Both", Scope.BOTH)):
            self.scope.addItem(label, str(scope))
        self.scope.setToolTip(
            "Search your library, the squad's team library (Settings ▸ Team), or both; "
            "team results say who shared them"
        )
        self.date_from = QLineEdit(placeholderText="from")
        self.date_to = QLineEdit(placeholderText="to")
        for box, tip in ((self.date_from, "from"), (self.date_to, "up to")):
            box.setValidator(QRegularExpressionValidator(_DATE, box))
            box.setMaximumWidth(80)
            box.setToolTip(f"Sources dated {tip} this year (or YYYY-MM, YYYY-MM-DD)")
        self.status = QLabel("Type to search your library.")
        self.status.setWordWrap(True)
        self.results = ResultsModel(self)
        self.view = results_view()
        self.view.setModel(self.results)

        filters = QHBoxLayout()
        filters.addWidget(self.scope)
        filters.addWidget(self.source_filter, 1)
        filters.addWidget(self.date_from)
        filters.addWidget(self.date_to)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)

        self.shown_query = ""  # the query whose results are shown
        self._seq = 0
        self._job: Job | None = None
        self._pending = False
        self._sources_job: Job | None = None
        self._sources_stale = False
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._start_search)
        self.query.textChanged.connect(self._schedule)
        self.date_from.textChanged.connect(self._schedule)
        self.date_to.textChanged.connect(self._schedule)
        self.source_filter.currentIndexChanged.connect(self._schedule)
        self.scope.currentIndexChanged.connect(self._schedule)
        self.query.returnPressed.connect(self.open_current)
        self.query.installEventFilter(self)
        self.view.activated.connect(self._open_index)  # Enter and double-click
        cut = QAction("Cut a card from this result", self)
        cut.setShortcut(QKeySequence("Ctrl+K"))
        cut.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        cut.triggered.connect(self._cut_current)
        self.addAction(cut)
        self._load_sources()

    def sizeHint(self) -> QSize:
        return QSize(440, 600)  # snippets need room to be read beside the card editor

    # -- public slots --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Run the current query again (the library changed)."""
        self._load_sources()
        self._schedule()

    def focus_query(self) -> None:
        """Put the cursor in the query box (Ctrl+F)."""
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    # -- searching -----------------------------------------------------------------------------

    def filters(self) -> SearchFilters:
        source_id = self.source_filter.currentData()
        return SearchFilters(
            source_ids=None if source_id is None else [int(source_id)],
            date_from=self.date_from.text().strip("-"),
            date_to=self.date_to.text().strip("-"),
        )

    def _schedule(self) -> None:
        self._seq += 1  # whatever is running now answers an older question
        self._timer.start()

    def _start_search(self) -> None:
        query = self.query.text().strip()
        if not query:
            self.results.set_items([])
            self.shown_query = ""
            self.status.setText("Type to search your library.")
            return
        if self._job is not None:  # one at a time; the newest query runs when it ends
            self._pending = True
            return
        request = SearchRequest(self._seq, query, self.filters())
        ctx, scope = self.ctx, Scope(self.scope.currentData())

        def work(report: Report, cancelled: object) -> SearchResult:
            return run_scoped_search(ctx, request, scope)  # the team part goes to the server

        job = Job("search", work)
        job.finished.connect(self._on_result)
        job.failed.connect(self._on_failed)
        job.done.connect(self._on_done)
        self._job = self.jobs.start(job)

    def _on_result(self, result: SearchResult) -> None:
        if result.request.seq != self._seq:
            return  # an older query or filter: a newer search follows
        self.results.set_items(result.items)
        self.shown_query = result.request.query
        count = len(result.items)
        how = result.note or "keywords + meaning"
        found = f"{count} result{'s' * (count != 1)}" if count else "No results"
        self.status.setText(f"{found} · {how}")
        if count:
            self.view.setCurrentIndex(self.results.index(0))

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"Search failed: {message}")

    def _on_done(self) -> None:
        self._job = None
        if self._pending:
            self._pending = False
            self._start_search()

    # -- sources filter ------------------------------------------------------------------------

    def _load_sources(self) -> None:
        if self._sources_job is not None:  # read again when this one ends (imports go on)
            self._sources_stale = True
            return
        ctx = self.ctx

        def work(report: Report, cancelled: object) -> list[SourceRecord]:
            return list_sources(ctx)

        job = Job("search sources", work)
        job.finished.connect(self._on_sources)
        job.done.connect(self._on_sources_done)
        self._sources_job = self.jobs.start(job)

    def _on_sources(self, sources: list[SourceRecord]) -> None:
        chosen = self.source_filter.currentData()
        self.source_filter.blockSignals(True)
        self.source_filter.clear()
        self.source_filter.addItem("All sources", None)
        for s in sources:
            self.source_filter.addItem(s.display_name, s.id)
            self.source_filter.setItemData(
                self.source_filter.count() - 1, s.origin, Qt.ItemDataRole.ToolTipRole
            )
        at = self.source_filter.findData(chosen)
        self.source_filter.setCurrentIndex(max(0, at))
        self.source_filter.blockSignals(False)
        if chosen is not None and at < 0:
            self._schedule()  # the chosen source was removed

    def _on_sources_done(self) -> None:
        self._sources_job = None
        if self._sources_stale:
            self._sources_stale = False
            self._load_sources()

    # -- opening and cutting -------------------------------------------------------------------

    def _current(self) -> ResultItem | None:
        index = self.view.currentIndex()
        return self.results.item(index.row() if index.isValid() else 0)

    def open_current(self) -> None:
        item = self._current()
        if item is not None:
            self._open(item)

    def _open_index(self, index: QModelIndex) -> None:
        item = self.results.item(index.row())
        if item is not None:
            self._open(item)

    def _open(self, item: ResultItem) -> None:
        card = item.card  # a copy: the editor must not share lists with the model
        self.open_card.emit(replace(card, spans=list(card.spans), warnings=list(card.warnings)))

    def _cut_current(self) -> None:
        item = self._current()
        if item is not None and item.hit.passage_id == TEAM_PASSAGE_ID:
            self.status.setText("A team result: pull it into your library to cut from it.")
        elif item is not None:
            self.cut_passage.emit(item.hit.passage_id, self.shown_query or self.query.text())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # ↓ in the query box moves into the results (Enter there opens the current one).
        if (
            watched is self.query
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.results.rowCount()
        ):
            self.view.setFocus()
            if not self.view.currentIndex().isValid():
                self.view.setCurrentIndex(self.results.index(0))
            return True
        return super().eventFilter(watched, event)
