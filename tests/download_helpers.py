"""Fixtures and helpers for tests/test_model_download.py and
tests/test_model_download_failures.py: a tiny GGUF body, a models folder, catalog entries that
point at the loopback server, and what a download asked for and left behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agents.models.catalog import CatalogEntry, load_catalog
from evidence.network import NetworkPolicy
from tests.fake_gguf import catalog_entry, tiny_gguf, write_catalog
from tests.loopback import LoopbackServer

ALLOW = NetworkPolicy(enabled=True, allow_private=True)  # the loopback server is 127.0.0.1
CHUNK = 64 * 1024
OCTETS = "application/octet-stream"


@pytest.fixture
def body(tmp_path: Path) -> bytes:
    return tiny_gguf(tmp_path / "src" / "tiny.gguf").read_bytes()


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "models"
    folder.mkdir(parents=True)
    return folder


def make_entry(tmp_path: Path, url: str, **fields: Any) -> CatalogEntry:
    """An entry as the app sees it: written to a catalog file and loaded (so it is valid)."""
    path = write_catalog(
        tmp_path / "catalog.json", catalog_entry("tiny", "tiny.gguf", url, **fields)
    )
    return load_catalog(path).find("tiny")


def checked(tmp_path: Path, url: str, body: bytes, **fields: Any) -> CatalogEntry:
    """The entry with the publisher's sha256 and exact size."""
    return make_entry(
        tmp_path,
        url,
        **{"sha256": sha256_of_bytes(body), "size_bytes": len(body), "approx_size_bytes": len(body)}
        | fields,
    )


def sha256_of_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def range_headers(server: LoopbackServer, path: str) -> list[str | None]:
    return [h.get("Range") for p, h in server.requests if p == path]


def leftovers(models_dir: Path) -> list[str]:
    """What a download left in models/ and models/downloads/ (lock files aside)."""
    names = [p.name for p in models_dir.glob("*") if p.is_file()]
    names += [p.name for p in (models_dir / "downloads").glob("*") if not p.name.endswith(".lock")]
    return sorted(names)


def _catalog(tmp_path: Path):  # type: ignore[no-untyped-def]
    return load_catalog(tmp_path / "catalog.json")
