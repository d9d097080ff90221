"""The model catalog: every field checked, broken entries named, names found by prefix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agents.models.catalog import (
    CatalogError,
    UnknownModel,
    default_catalog_path,
    find_entry,
    load_catalog,
)
from tests.fake_gguf import BUILTIN_ENTRY, catalog_entry, write_catalog

SHA = "ab" * 32


def _two(tmp_path: Path, **override: Any) -> Path:
    first = catalog_entry(
        "qwen2.5-1.5b-instruct",
        "qwen2.5-1.5b-instruct-q4_k_m.gguf",
        "https://huggingface.co/Qwen/x/resolve/main/qwen2.5-1.5b-instruct-q4_k_m.gguf",
        sha256=SHA.upper(),
        size_bytes=1_117_320_736,
        approx_size_bytes=1_117_000_000,
    )
    return write_catalog(
        tmp_path / "catalog.json",
        {**first, **override},
        catalog_entry(
            "qwen2.5-3b-instruct",
            "qwen2.5-3b-instruct-q4_k_m.gguf",
            "https://huggingface.co/Qwen/y/resolve/main/qwen2.5-3b-instruct-q4_k_m.gguf",
        ),
    )


def test_valid_catalog_loads_typed_entries(tmp_path: Path) -> None:
    catalog = load_catalog(_two(tmp_path))
    assert catalog.names == ["gemma-3-270m", "qwen2.5-1.5b-instruct", "qwen2.5-3b-instruct"]
    small = catalog.find("qwen2.5-1.5b-instruct")
    assert small.sha256 == SHA  # stored lower-case whatever the file says
    assert small.size_bytes == 1_117_320_736 and isinstance(small.ram_gb, float)
    assert catalog.find("qwen2.5-3b-instruct").sha256 is None
    assert catalog.builtin is not None and catalog.builtin.url == ""
    assert catalog.by_file("qwen2.5-3b-instruct-q4_k_m.gguf") == catalog.entries[2]
    with pytest.raises(AttributeError):
        small.name = "other"  # type: ignore[misc]  # frozen


def test_find_by_case_insensitive_unique_prefix(tmp_path: Path) -> None:
    catalog = load_catalog(_two(tmp_path))
    assert catalog.find("GEMMA").name == "gemma-3-270m"
    assert catalog.find("Qwen2.5-3").name == "qwen2.5-3b-instruct"
    assert find_entry("qwen2.5-1.5", catalog).file == "qwen2.5-1.5b-instruct-q4_k_m.gguf"
    with pytest.raises(UnknownModel, match=r"several models: qwen2.5-1.5b-instruct, qwen2.5-3b"):
        catalog.find("qwen")
    with pytest.raises(UnknownModel, match=r"no model called 'llama'.*gemma-3-270m, qwen2.5"):
        catalog.find("llama")


@pytest.mark.parametrize(
    ("override", "field", "why"),
    [
        ({"sha256": "abc"}, "sha256", "64 hexadecimal"),
        ({"size_bytes": "1 GB"}, "size_bytes", "whole number"),
        ({"size_bytes": True}, "size_bytes", "whole number"),
        ({"ram_gb": 0}, "ram_gb", "above zero"),
        ({"url": "ftp://example.org/a.gguf"}, "url", "http"),
        ({"url": None}, "url", "download address"),
        ({"file": "../evil.gguf"}, "file", "plain file name"),
        ({"file": "model.bin"}, "file", ".gguf"),
        ({"name": "Has Spaces"}, "name", "lower-case"),
        ({"license": " "}, "license", "empty"),
        ({"page_url": "huggingface.co/x"}, "page_url", "http"),
        ({"approx_size_bytes": 500_000_000}, "approx_size_bytes", "10%"),
        ({"sha265": SHA}, "sha265", "unknown field"),
        ({"builtin": "no"}, "builtin", "true or false"),
    ],
)
def test_bad_field_is_named(tmp_path: Path, override: dict[str, Any], field: str, why: str) -> None:
    path = _two(tmp_path, **override)
    with pytest.raises(CatalogError) as err:
        load_catalog(path)
    message = str(err.value)
    assert "entry 'qwen2.5-1.5b-instruct'" in message or "entry 'Has Spaces'" in message
    assert f"field {field!r}" in message and why in message


def test_missing_field_and_broken_files(tmp_path: Path) -> None:
    entry = catalog_entry("a", "a.gguf", "https://example.org/a.gguf")
    del entry["notes"]
    path = write_catalog(tmp_path / "c.json", entry)
    with pytest.raises(CatalogError, match="entry 'a', field 'notes': missing"):
        load_catalog(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(path)
    path.write_text(json.dumps({"version": 2, "models": []}), encoding="utf-8")
    with pytest.raises(CatalogError, match="version 2"):
        load_catalog(path)
    with pytest.raises(CatalogError, match="missing"):
        load_catalog(tmp_path / "absent.json")
    dup = catalog_entry("b", "a.gguf", "https://example.org/b.gguf")
    write_catalog(path, catalog_entry("a", "a.gguf", "https://example.org/a.gguf"), dup)
    with pytest.raises(CatalogError, match=r"two entries have the file 'a.gguf'"):
        load_catalog(path)
    second_builtin = {**BUILTIN_ENTRY, "name": "other", "file": "other.gguf"}
    write_catalog(path, second_builtin)
    with pytest.raises(CatalogError, match="more than one entry is marked builtin"):
        load_catalog(path)
    write_catalog(path, {**BUILTIN_ENTRY, "name": "x", "file": "x.gguf", "url": "https://a.b/c"})
    with pytest.raises(CatalogError, match="bundled model is not downloaded"):
        load_catalog(path)


def test_the_shipped_catalog_is_well_formed() -> None:
    path = default_catalog_path()
    if not path.exists():
        pytest.skip(f"{path} is not written yet (another part of issue 5 adds it)")
    catalog = load_catalog(path)  # every field of every entry validated
    builtins = [e for e in catalog if e.builtin]
    assert len(builtins) == 1, "exactly one bundled offline fallback"
    assert builtins[0].file == "gemma-3-270m-q4_k_m.gguf"
    downloads = [e for e in catalog if not e.builtin]
    assert downloads, "the catalog recommends at least one model to download"
    for e in downloads:
        assert e.url.startswith("https://"), f"{e.name}: downloads must use https"
        assert e.url.rsplit("/", 1)[-1].split("?")[0] == e.file, f"{e.name}: url names file"
        assert e.page_url.startswith("https://"), e.name
        if e.sha256 is None:
            assert "not stated" in e.sha256_source, f"{e.name}: say why there is no sha256"
        assert e.vram_gb <= e.ram_gb * 1.5, f"{e.name}: implausible memory figures"
