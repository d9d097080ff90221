"""What the `models` commands share on the terminal: the web-off hint and a download's
progress line (on the one progress bar, cli/terminal.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cli.terminal import ProgressBar
from evidence.units import gb

if TYPE_CHECKING:  # the model manager loads llama.cpp: import it only when a command runs
    from agents.models import DownloadProgress

WEB_OFF_HINT = (
    "downloads need web access: turn it on with `debate-prep settings web_access=on` "
    "(or the web switch in the window)"
)


def show_download(bar: ProgressBar, p: DownloadProgress) -> None:
    """A download's percentage, size, speed and time left."""
    if p.phase == "done":
        return
    if p.phase == "checking":
        show_bytes(bar, "checking the part kept from last time", p.done, p.total)
        return
    pct = f"{p.fraction:6.1%}" if p.fraction is not None else "   ?  "
    size = f"{p.done / 1e6:,.0f}/{p.total / 1e6:,.0f} MB" if p.total else gb(p.done)
    left = _clock(p.seconds_left) + " left" if p.seconds_left is not None else ""
    bar.show(f"{bar.label}  {pct}  {size}  {p.bytes_per_s / 1e6:.1f} MB/s  {left}", p.fraction)


def show_bytes(bar: ProgressBar, what: str, done: int, total: int | None) -> None:
    frac = done / total if total else None
    pct = f"{frac:.0%}" if frac is not None else f"{done / 1e6:,.0f} MB"
    bar.show(f"{bar.label}: {what} {pct}", frac)


def _clock(seconds: float) -> str:
    s = int(seconds + 0.5)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"
