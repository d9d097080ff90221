"""Which system packages Qt's Linux window plugin (xcb) still needs on this machine.

PySide6 wheels bring Qt but not the X11/xcb libraries its xcb platform plugin links to; on a
fresh Ubuntu/Debian those come from apt. The list is not kept by hand (a hand-kept one missed
libxcb-cursor0 and the first window launch died with Qt's raw xcb error): `ldd` is run on the
plugin, on the GL integration plugins it loads, and on the Qt libraries they link from the
PySide6 folder, and every shared library reported "not found" is mapped to its Debian package.

Prints the missing package names on one line, separated by spaces (nothing when all are
there, or when this is not Linux); `make qt-deps` installs what it prints with apt. A library
with no known package is printed as its own name, so the user sees what is missing.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

# The X11 window path only (Wayland sessions fall back to XWayland through it).
PLATFORM_PLUGIN = Path("plugins/platforms/libqxcb.so")
GL_PLUGINS = Path("plugins/xcbglintegrations")  # loaded by the xcb plugin at start-up

# Shared-library name -> Debian/Ubuntu package, for the X11/xkb/GL/font family the plugin
# links; libxcb-<x>.so.N follows a rule instead (package_for).
PACKAGES = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libGLdispatch.so.0": "libglvnd0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libz.so.1": "zlib1g",
}
_XCB = re.compile(r"^libxcb-(?P<name>[a-z0-9-]+)\.so\.(?P<major>\d+)$")
# "libfoo.so.1 => not found", "libfoo.so.1 => /path/libfoo.so.1 (0x...)", "/lib64/ld... (0x...)"
_LINE = re.compile(r"^\s*(?P<soname>\S+)\s+=>\s+(?P<target>.*?)\s*(?:\(0x[0-9a-f]+\))?\s*$")

Ldd = Callable[[Path], str]


def package_for(soname: str) -> str:
    """The Debian package that ships `soname`; the soname itself when none is known."""
    if soname in PACKAGES:
        return PACKAGES[soname]
    xcb = _XCB.match(soname)
    if xcb:
        name, major = xcb["name"], xcb["major"]
        # Debian's rule: a name ending in a digit gets a hyphen before the version.
        return f"libxcb-{name}{'-' if name[-1].isdigit() else ''}{major}"
    return soname


def parse_ldd(text: str) -> tuple[set[str], set[Path]]:
    """The sonames ldd reports "not found", and the paths of the libraries it did find."""
    missing: set[str] = set()
    found: set[Path] = set()
    for line in text.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        target = match["target"]
        if target == "not found":
            missing.add(match["soname"])
        elif target.startswith("/"):
            found.add(Path(target))
    return missing, found


def run_ldd(lib: Path) -> str:
    try:
        return subprocess.run(["ldd", str(lib)], capture_output=True, text=True).stdout
    except OSError:  # no ldd (not glibc): nothing can be checked
        return ""


def missing_sonames(qt: Path, ldd: Ldd = run_ldd) -> set[str]:
    """What the xcb plugin (and the GL plugins it loads) cannot find, following the Qt
    libraries they link from the PySide6 folder as well."""
    plugins = [qt / PLATFORM_PLUGIN, *sorted((qt / GL_PLUGINS).glob("*.so"))]
    todo = [p for p in plugins if p.exists()]
    seen: set[Path] = set()
    missing: set[str] = set()
    while todo:
        lib = todo.pop().resolve()
        if lib in seen:
            continue
        seen.add(lib)
        not_found, found = parse_ldd(ldd(lib))
        missing |= not_found
        todo.extend(p for p in found if _inside(p, qt))
    return missing


def packages_for(sonames: Iterable[str]) -> list[str]:
    return sorted({package_for(s) for s in sonames})


def qt_folder() -> Path | None:
    """PySide6's Qt folder, found without importing PySide6 (which loads Qt)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


def missing_packages(qt: Path | None = None, ldd: Ldd = run_ldd) -> list[str]:
    """The Debian packages to install so Qt's xcb plugin loads ([] off Linux)."""
    if not sys.platform.startswith("linux"):
        return []
    qt = qt or qt_folder()
    if qt is None:
        print("note: PySide6 is not installed; nothing to check", file=sys.stderr)
        return []
    sonames = missing_sonames(qt, ldd)
    for soname in sorted(sonames):
        if package_for(soname) == soname:
            print(f"note: Qt needs {soname}, from no package this script knows", file=sys.stderr)
    return packages_for(sonames)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


if __name__ == "__main__":
    print(" ".join(missing_packages()))
