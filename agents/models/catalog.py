"""The catalog of recommended models (resources/models/catalog.json), read and checked.

The catalog ships with the app, so a broken entry is a bug worth a loud, specific error
(which entry, which field) rather than a model that half works.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from evidence.at_rest import FileAtRestError, read_json_bounded
from evidence.errors import EvidenceError
from resources import resource_path

log = logging.getLogger(__name__)

CATALOG_VERSION = 1
# The catalog is a list of flat entries (a few KB); bounded so a damaged one cannot crash a start.
MAX_CATALOG_BYTES = 4_000_000
MAX_CATALOG_DEPTH = 8
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


class CatalogError(EvidenceError):
    """The catalog file is missing, not JSON, or has an entry with a bad field."""


class UnknownModel(EvidenceError, LookupError):
    """No catalog entry (or installed model) has the name the user typed."""


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # the CLI key, e.g. "qwen2.5-1.5b-instruct"
    title: str
    file: str  # file name in the models folder
    quantization: str
    parameters_b: float
    size_bytes: int | None  # exact, when the publisher states it
    approx_size_bytes: int
    ram_gb: float
    vram_gb: float
    context: int
    license: str
    license_url: str
    page_url: str
    url: str  # "" for the bundled model
    sha256: str | None  # lower-case hex; None = not stated by the publisher
    sha256_source: str
    notes: str
    builtin: bool


@dataclass(frozen=True)
class Catalog:
    entries: tuple[CatalogEntry, ...]
    path: Path

    def __iter__(self) -> Iterator[CatalogEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    @property
    def builtin(self) -> CatalogEntry | None:
        return next((e for e in self.entries if e.builtin), None)

    def by_file(self, file_name: str) -> CatalogEntry | None:
        return next((e for e in self.entries if e.file == file_name), None)

    def find(self, name: str) -> CatalogEntry:
        """The entry called `name`, or the only one whose name starts with it (any case)."""
        key = name.strip().lower()
        exact = [e for e in self.entries if e.name.lower() == key]
        if exact:
            return exact[0]
        matches = [e for e in self.entries if key and e.name.lower().startswith(key)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnknownModel(
                f"{name!r} matches several models: {', '.join(e.name for e in matches)}"
            )
        raise UnknownModel(
            f"no model called {name!r} in the catalog; the catalog has: {', '.join(self.names)}"
        )


def default_catalog_path() -> Path:
    return resource_path("models", "catalog.json")


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and check the catalog; CatalogError names the entry and field that is wrong."""
    path = Path(path) if path is not None else default_catalog_path()
    try:
        raw = read_json_bounded(path, max_bytes=MAX_CATALOG_BYTES, max_depth=MAX_CATALOG_DEPTH)
    except FileNotFoundError:
        raise CatalogError(f"the model catalog {path} is missing") from None
    except FileAtRestError as exc:
        raise CatalogError(f"the model catalog {path} cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise CatalogError(f"the model catalog {path} is not a JSON object")
    if raw.get("version") != CATALOG_VERSION:
        raise CatalogError(
            f"the model catalog {path} has version {raw.get('version')!r}; "
            f"this app reads version {CATALOG_VERSION}"
        )
    models = raw.get("models")
    if not isinstance(models, list) or not models:
        raise CatalogError(f'the model catalog {path} has no "models" list')
    entries = tuple(_entry(item, i, path) for i, item in enumerate(models))
    for what in ("name", "file"):
        seen: set[str] = set()
        for e in entries:
            value = getattr(e, what).lower()
            if value in seen:
                raise CatalogError(f"{path}: two entries have the {what} {getattr(e, what)!r}")
            seen.add(value)
    if sum(e.builtin for e in entries) > 1:
        raise CatalogError(f"{path}: more than one entry is marked builtin")
    return Catalog(entries, path)


def find_entry(name: str, catalog: Catalog | None = None) -> CatalogEntry:
    return (catalog or load_catalog()).find(name)


_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    # field: (JSON types, may be null)
    "name": (str, False),
    "title": (str, False),
    "file": (str, False),
    "quantization": (str, False),
    "parameters_b": ((int, float), False),
    "size_bytes": (int, True),
    "approx_size_bytes": (int, False),
    "ram_gb": ((int, float), False),
    "vram_gb": ((int, float), False),
    "context": (int, False),
    "license": (str, False),
    "license_url": (str, False),
    "page_url": (str, False),
    "url": (str, True),
    "sha256": (str, True),
    "sha256_source": (str, False),
    "notes": (str, False),
    "builtin": (bool, False),
}
_OPTIONAL_FOR_BUILTIN = {"url"}


def _entry(item: object, index: int, path: Path) -> CatalogEntry:
    label = f"entry {index + 1}"
    if not isinstance(item, dict):
        raise CatalogError(f"{path}: {label} is not an object")
    if isinstance(item.get("name"), str):
        label = f"entry {item['name']!r}"

    def bad(field: str, why: str) -> CatalogError:
        return CatalogError(f"{path}: {label}, field {field!r}: {why}")

    unknown = sorted(set(item) - set(_FIELDS))
    if unknown:
        raise bad(unknown[0], "unknown field (a typo?)")
    builtin = item.get("builtin") is True
    values: dict[str, Any] = {}
    for field, (types, nullable) in _FIELDS.items():
        if field not in item:
            if builtin and field in _OPTIONAL_FOR_BUILTIN:
                values[field] = None
                continue
            raise bad(field, "missing")
        value = item[field]
        if value is None and nullable:
            values[field] = None
            continue
        # bool is an int subclass: true must not pass as a size.
        if isinstance(value, bool) != (types is bool) or not isinstance(value, types):
            raise bad(field, f"{value!r} is not {_type_name(types)}")
        values[field] = value
    _check_values(values, bad)
    return CatalogEntry(
        name=values["name"],
        title=values["title"].strip(),
        file=values["file"],
        quantization=values["quantization"],
        parameters_b=float(values["parameters_b"]),
        size_bytes=values["size_bytes"],
        approx_size_bytes=values["approx_size_bytes"],
        ram_gb=float(values["ram_gb"]),
        vram_gb=float(values["vram_gb"]),
        context=values["context"],
        license=values["license"],
        license_url=values["license_url"],
        page_url=values["page_url"],
        url=values["url"] or "",
        sha256=values["sha256"].lower() if values["sha256"] else None,
        sha256_source=values["sha256_source"],
        notes=values["notes"],
        builtin=values["builtin"],
    )


def _check_values(v: dict[str, Any], bad: Callable[[str, str], CatalogError]) -> None:
    if not _NAME.fullmatch(v["name"]):
        raise bad("name", "use lower-case letters, digits, '.', '-' and '_' only")
    for field in ("title", "quantization", "license", "sha256_source"):
        if not v[field].strip():
            raise bad(field, "empty")
    file = v["file"]
    if Path(file).name != file or file.startswith(".") or "\\" in file:
        raise bad("file", f"{file!r} must be a plain file name (no folders)")
    if not file.lower().endswith(".gguf"):
        raise bad("file", f"{file!r} is not a .gguf file name")
    for field in ("parameters_b", "ram_gb", "vram_gb"):
        if not v[field] > 0:
            raise bad(field, "must be above zero")
    for field in ("approx_size_bytes", "context"):
        if v[field] <= 0:
            raise bad(field, "must be above zero")
    if v["size_bytes"] is not None:
        if v["size_bytes"] <= 0:
            raise bad("size_bytes", "must be above zero")
        if abs(v["size_bytes"] - v["approx_size_bytes"]) > 0.1 * v["size_bytes"]:
            raise bad("approx_size_bytes", "differs from size_bytes by more than 10%")
    if v["sha256"] is not None and not _SHA256.fullmatch(v["sha256"]):
        raise bad("sha256", "is not 64 hexadecimal digits")
    for field in ("license_url", "page_url"):
        if not _is_web_url(v[field]):
            raise bad(field, f"{v[field]!r} is not an http(s) address")
    if v["builtin"]:
        if v["url"]:
            raise bad("url", "the bundled model is not downloaded: leave url out")
    elif not v["url"] or not _is_web_url(v["url"]):
        raise bad("url", f"{v['url']!r} is not an http(s) download address")


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _type_name(types: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}
    if isinstance(types, tuple):
        return "a number"
    return names.get(types, types.__name__)
