"""scripts/qt_system_libs.py: the Debian packages Qt's xcb plugin lacks, derived from ldd."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "qt_system_libs.py"
_spec = importlib.util.spec_from_file_location("qt_system_libs", SCRIPT)
assert _spec is not None and _spec.loader is not None
qt_libs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(qt_libs)

# `ldd libqxcb.so` output in ldd's format, as on a Debian with libxcb1 but no xcb extras
# (this machine's real output is checked below).
FRESH_DEBIAN = """\
\tlinux-vdso.so.1 (0x00007ffd4b7e2000)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f3a1c000000)
\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x00007f3a1bf00000)
\tlibxkbcommon.so.0 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-render-util.so.0 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f3a1be00000)
\tlibX11-xcb.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f3a1c400000)
"""


def test_captured_ldd_output_maps_to_debian_packages() -> None:
    missing, found = qt_libs.parse_ldd(FRESH_DEBIAN)
    assert "libxcb-cursor.so.0" in missing and "libxcb.so.1" not in missing
    assert Path("/lib/x86_64-linux-gnu/libGL.so.1") in found
    assert qt_libs.packages_for(missing) == [
        "libx11-xcb1",
        "libxcb-cursor0",
        "libxcb-icccm4",
        "libxcb-render-util0",
        "libxkbcommon-x11-0",
        "libxkbcommon0",
    ]


def test_package_names() -> None:
    assert qt_libs.package_for("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert qt_libs.package_for("libxcb-dri3.so.0") == "libxcb-dri3-0"  # Debian's hyphen rule
    assert qt_libs.package_for("libEGL.so.1") == "libegl1"
    assert qt_libs.package_for("libweird.so.7") == "libweird.so.7"  # unknown: shown as is


def test_qt_libraries_in_the_pyside_folder_are_followed(tmp_path: Path) -> None:
    qt = tmp_path / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    qpa = qt / "lib" / "libQt6XcbQpa.so.6"
    for lib in (plugin, qpa):
        lib.parent.mkdir(parents=True, exist_ok=True)
        lib.touch()
    outputs = {
        plugin: f"\tlibQt6XcbQpa.so.6 => {plugin.parent}/../../lib/libQt6XcbQpa.so.6 (0x1000)\n"
        "\tlibGL.so.1 => /lib/x86_64-linux-gnu/libGL.so.1 (0x2000)\n",
        qpa: "\tlibxcb-cursor.so.0 => not found\n",
    }
    asked: list[Path] = []

    def fake_ldd(lib: Path) -> str:
        asked.append(lib)
        return outputs.get(lib, "")

    assert qt_libs.missing_packages(qt, fake_ldd) == ["libxcb-cursor0"]
    assert asked == [plugin.resolve(), qpa.resolve()]  # not the system's libGL


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb plugin is Linux-only")
def test_real_plugin_reports_what_ldd_cannot_find() -> None:
    qt = qt_libs.qt_folder()
    assert qt is not None and (qt / qt_libs.PLATFORM_PLUGIN).exists()
    if shutil.which("ldd") is None:
        pytest.skip("no ldd here")
    out = subprocess.run(["ldd", str(qt / qt_libs.PLATFORM_PLUGIN)], capture_output=True)
    direct, _ = qt_libs.parse_ldd(out.stdout.decode())
    packages = qt_libs.missing_packages(qt)
    assert {qt_libs.package_for(s) for s in direct} <= set(packages)
    assert packages == sorted(set(packages))
    script = subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
    )
    assert script.returncode == 0 and script.stdout.split() == packages
