"""Which system packages Qt's Linux window plugin (xcb) still needs on this machine.

PySide6 wheels bring Qt but not the X11/xcb libraries its xcb platform plugin links to; on a
fresh Ubuntu/Debian those come from apt. Prints the missing Debian package names (nothing
when all are there, or when this is not Linux).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Shared-library name → Debian/Ubuntu package.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libX11-xcb.so.1": "libx11-xcb1",
}


def missing_packages() -> list[str]:
    if not sys.platform.startswith("linux"):
        return []
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    # The X11 window path only (Wayland sessions fall back to XWayland through it).
    names = ("libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6", "libQt6XcbQpa.so.6")
    libs = [qt / "plugins" / "platforms" / "libqxcb.so", *(qt / "lib" / n for n in names)]
    missing: set[str] = set()
    for lib in libs:
        if not lib.exists():
            continue
        out = subprocess.run(["ldd", str(lib)], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "not found" in line:
                name = line.split("=>")[0].strip()
                if name in PACKAGES:
                    missing.add(PACKAGES[name])
                else:
                    print(f"note: Qt also needs {name}", file=sys.stderr)
    return sorted(missing)


if __name__ == "__main__":
    print(" ".join(missing_packages()))
