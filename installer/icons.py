"""Render the app icon (resources/icons/debate-prep.svg) for every platform, at build time.

PNG files at the usual sizes (Linux hicolor theme), a Windows .ico and a macOS .icns, both
of which may hold PNG images directly, so no imaging library is needed: Qt renders the
SVG (QtSvg is used here only; the app does not ship it).

Usage: QT_QPA_PLATFORM=offscreen python installer/icons.py SVG OUT_DIR
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 32, 48, 256)
# icns element types holding PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def render(svg: Path, out: Path) -> dict[int, bytes]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    pngs: dict[int, bytes] = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = out / f"debate-prep-{size}.png"
        if not image.save(str(path)):
            raise SystemExit(f"cannot write {path}")
        pngs[size] = path.read_bytes()
    del app
    return pngs


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows icon whose images are PNG streams (valid since Windows Vista)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS icon family whose elements are PNG streams (valid since OS X 10.7)."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
        for size, kind in ICNS_TYPES.items()
        if size in pngs
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    svg, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    pngs = render(svg, out)
    (out / "debate-prep.png").write_bytes(pngs[256])
    (out / "debate-prep.ico").write_bytes(ico(pngs))
    (out / "debate-prep.icns").write_bytes(icns(pngs))
    print(f"icons in {out}: {', '.join(sorted(p.name for p in out.iterdir()))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
