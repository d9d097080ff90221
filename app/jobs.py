"""The plain job signature both faces run: `fn(report, cancelled) -> result`.

A job reports typed events (ImportEvent, StepEvent, download progress...) through `report`
and polls `cancelled` between steps. The window runs it in a QThread and turns the reports
into signals (desktop/jobs.py); the command line runs it in the foreground and prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evidence.cancel import CancelCheck

Report = Callable[[object], None]
JobFn = Callable[[Report, CancelCheck], Any]
