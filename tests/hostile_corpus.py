"""Hostile files for the import, made at test time (nothing of this is committed as a blob):
pipes, device links, links out of a folder, zip bombs whose headers lie, odd encodings."""

from __future__ import annotations

import binascii
import ctypes
import os
import struct
import zlib
from pathlib import Path

WORDS = "whale ocean treaty sanction deterrence court water aquifer drought alliance".split()

_CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)
_DOC_HEAD = (
    b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
    b'wordprocessingml/2006/main"><w:body>'
)
_DOC_TAIL = b"</w:body></w:document>"
_PARA = b"<w:p><w:r><w:t>" + b"whale " * 8 + b"</w:t></w:r></w:p>"


def notes(folder: Path, count: int, paragraphs: int = 4) -> list[Path]:
    """`count` small, valid, distinct text files."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for n in range(count):
        paras = [
            " ".join(WORDS[(n * 7 + i + j) % len(WORDS)] for j in range(60))
            for i in range(paragraphs)
        ]
        path = folder / f"note{n:03d}.txt"
        path.write_text(f"Note {n}\n\n" + "\n\n".join(paras))
        made.append(path)
    return made


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def link(path: Path, target: str | Path) -> Path:
    path.symlink_to(target)
    return path


def _deflate(parts: list[bytes], repeat_middle: int) -> tuple[bytes, int, int]:
    """Raw deflate of head + middle * n + tail: (compressed, crc32, real size), streamed."""
    head, middle, tail = parts
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    out = [packer.compress(head)]
    crc = binascii.crc32(head)
    for _ in range(repeat_middle):
        out.append(packer.compress(middle))
        crc = binascii.crc32(middle, crc)
    out += [packer.compress(tail), packer.flush()]
    crc = binascii.crc32(tail, crc)
    return b"".join(out), crc, len(head) + len(middle) * repeat_middle + len(tail)


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, deflated bytes, crc, declared compressed size, declared size):
    the declared sizes go into both headers, true or not."""
    body, central = b"", b""
    for name, packed, crc, csize, size in members:
        raw = name.encode()
        offset = len(body)
        fixed = (20, 0, 8, 0, 0, crc, csize, size, len(raw))
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fixed, 0) + raw + packed
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fixed, 0, 0, 0, 0, 0, offset) + raw
        )
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0
    )
    return body + central + end


def _honest(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    packed = zlib.compress(data)[2:-4]
    return name, packed, binascii.crc32(data), len(packed), len(data)


def lying_zip_bomb(path: Path, expanded_mb: int = 400, *, lie: str = "small") -> Path:
    """A .docx whose word/document.xml inflates to about `expanded_mb` MB of valid XML while
    its headers lie: "small" declares 5,000 bytes; "ratio" declares the true size but a
    compressed size 5 times smaller, bigger than the file, so the ratio looks harmless."""
    middle = _PARA * 16_000  # about 1.1 MB
    packed, crc, size = _deflate([_DOC_HEAD, middle, _DOC_TAIL], expanded_mb * 2**20 // len(middle))
    csize, declared = (len(packed), 5000) if lie == "small" else (size // 5, size)
    members = [
        _honest("[Content_Types].xml", _CONTENT_TYPES),
        _honest("_rels/.rels", _RELS),
        ("word/document.xml", packed, crc, csize, declared),
    ]
    path.write_bytes(_zip(members))
    return path


def docx_with_body(path: Path, body_xml: bytes) -> Path:
    """A minimal valid .docx whose w:body holds `body_xml`."""
    members = [
        _honest("[Content_Types].xml", _CONTENT_TYPES),
        _honest("_rels/.rels", _RELS),
        _honest("word/document.xml", _DOC_HEAD + body_xml + _DOC_TAIL),
    ]
    path.write_bytes(_zip(members))
    return path


def segfault() -> None:
    """Crash the calling process the way a bug in a C parser does (run it in a child)."""
    ctypes.string_at(0)
