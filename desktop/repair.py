"""The window's side of a damaged library: at start, the core's check (app/doctor.py); when
it finds damage, the notice bar says so and offers Repair, which runs the doctor with repair
as a job and then tells what it did. Nothing is changed before the user clicks."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.context import AppContext
from app.doctor import DoctorReport, library_problem, repair_job
from desktop.jobs import Job, JobRegistry
from desktop.notice_bar import NoticeBar


class LibraryRepair(QObject):
    repaired = Signal()  # the library changed under the panels: refresh them

    def __init__(self, ctx: AppContext, jobs: JobRegistry, bar: NoticeBar, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx, self.jobs, self.bar, self._window = ctx, jobs, bar, parent
        self.lines: list[str] = []
        self.report: DoctorReport | None = None

    def check(self) -> str | None:
        problem = library_problem(self.ctx)
        if problem:
            self.bar.add(f"The library needs repair: {problem}")
            self.bar.offer("Repair library", self.start)
        return problem

    def start(self) -> Job:
        self.bar.action.setEnabled(False)
        self.bar.add("Repairing the library…")
        job = Job("repair library", repair_job(self.ctx), self, user_work=True)
        job.progress.connect(self._on_line)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        return self.jobs.start(job)

    def _on_line(self, line: object) -> None:
        self.lines.append(str(line))

    def _on_finished(self, report: DoctorReport) -> None:
        self.report = report
        self.bar.clear()
        done = [f"{f.area}: {f.done}" for f in report.findings if f.done]
        left = [f"{f.area}: {f.found}" for f in report.findings if not f.ok and not f.done]
        self.bar.add("Library repaired:" if done else "Nothing to repair.")
        for item in done:
            self.bar.add(item)
        for item in left:
            self.bar.add(f"Still wrong: {item}")
        self.repaired.emit()

    def _on_failed(self, message: str) -> None:
        self.bar.action.setEnabled(True)
        QMessageBox.warning(self._window, "Repair failed", message)
