"""The settings file: a typed schema with a version, read leniently, written atomically."""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from evidence.at_rest import FileAtRestError, keep_aside, read_json_bounded
from evidence.atomic import atomic_write_text

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # 2: a model server (generator_source, server_*); 3: words_per_minute
WEB_SEARCH_PROVIDERS = ("duckduckgo", "searxng")
GENERATOR_SOURCES = ("local", "server")  # this computer, or an OpenAI-compatible server


@dataclass
class Settings:
    """Everything a user can change. Empty model paths mean "the bundled default"."""

    schema_version: int = SCHEMA_VERSION
    embedding_model: str = ""  # path to a GGUF embedding model; "" = all-MiniLM-L6-v2
    generator_model: str = ""  # path to a GGUF generator; "" = Gemma 3 270M
    threads: int = 0  # 0 = all physical cores, decided at run time
    context_size: int = 4096
    gpu_layers: int = -1  # -1 = decide from the model size and free memory
    max_file_mb: int = 150  # larger files are refused with a clear error
    follow_links: bool = False  # import links inside a folder that lead out of it
    embed_batch: int = 32  # passages per embedding batch (progress and cancel granularity)
    web_access: bool = False  # the one switch: off means the app opens no connection at all
    web_allow_private: bool = False  # let web import reach this computer or the local network
    web_search_provider: str = "duckduckgo"  # one of WEB_SEARCH_PROVIDERS
    searxng_url: str = ""  # a SearXNG instance, e.g. https://searx.example.org
    web_results: int = 5  # web results the Searcher reads per query
    web_sites: list[str] = field(default_factory=list)  # allow-list of sites; empty = any
    web_timeout_s: int = 20  # per request: connect, and between bytes while reading
    team_url: str = ""  # a squad's Chroma server, e.g. http://192.168.1.20:8000; "" = none
    team_token: str = ""  # sent as Authorization: Bearer and X-Chroma-Token; never printed
    team_name: str = ""  # the name a share carries; "" = the OS user name
    generator_source: str = "local"  # one of GENERATOR_SOURCES
    server_url: str = ""  # an OpenAI-compatible model server, e.g. http://192.168.1.20:8080/v1
    server_api_key: str = ""  # sent as Authorization: Bearer; never printed
    server_model: str = ""  # the model's name on the server (one of its /v1/models)
    server_timeout_s: int = 120  # connect, and the longest wait for the server's next byte
    words_per_minute: int = 276  # speaking speed for read times (a policy median, issue 14)

    def validate(self) -> list[str]:
        """Fix out-of-range values in place; return a note for each fix."""
        notes: list[str] = []
        defaults = Settings()
        checks = {
            "threads": self.threads >= 0,
            "context_size": 256 <= self.context_size <= 1_048_576,
            "gpu_layers": self.gpu_layers >= -1,
            "max_file_mb": 1 <= self.max_file_mb <= 10_000,
            "embed_batch": 1 <= self.embed_batch <= 4096,
            "web_search_provider": self.web_search_provider in WEB_SEARCH_PROVIDERS,
            "web_results": 1 <= self.web_results <= 50,
            "web_timeout_s": 1 <= self.web_timeout_s <= 600,
            "generator_source": self.generator_source in GENERATOR_SOURCES,
            "server_timeout_s": 1 <= self.server_timeout_s <= 3600,
            "words_per_minute": 60 <= self.words_per_minute <= 600,
        }
        for name, ok in checks.items():
            if not ok:
                notes.append(
                    f"setting {name}={getattr(self, name)!r} is out of range; using default"
                )
                setattr(self, name, getattr(defaults, name))
        return notes


MAX_SETTINGS_BYTES = 1_000_000  # the real file is under 1 KB
MAX_SETTINGS_DEPTH = 4  # an object holding lists of strings: 2 levels are used


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives defaults, a broken one is kept aside and replaced."""
    return read_settings(path)[0]


def read_settings(path: Path) -> tuple[Settings, str | None]:
    """The settings, and for the user why the file was not used (None when it was).

    A file too big, nested too deep, or not a JSON object is kept aside (renamed with a
    timestamp) and defaults are used. Unknown keys (from a newer version) are kept out of
    the object but logged; values of the wrong type fall back to defaults one by one, so
    one bad value never loses the others.
    """
    try:
        raw = read_json_bounded(path, max_bytes=MAX_SETTINGS_BYTES, max_depth=MAX_SETTINGS_DEPTH)
        if not isinstance(raw, dict):
            raise FileAtRestError("the top level is not an object")
    except FileNotFoundError:
        return Settings(), None
    except FileAtRestError as exc:
        backup = keep_aside(path, keep_extension=False)  # as before: settings.json.broken-*
        where = f"kept as {backup}" if backup else "it could not be moved aside"
        problem = f"The settings file {path} could not be read ({exc}); {where}. Using defaults."
        log.warning("%s", problem)
        return Settings(), problem
    return _from_dict(_migrate(raw)), None


def save_settings(path: Path, settings: Settings) -> None:
    data = dataclasses.asdict(settings)
    data["schema_version"] = SCHEMA_VERSION
    # Owner-only: it can hold server_api_key (atomic writes otherwise follow the umask).
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n", perms=0o600)


def _migrate(raw: dict[str, Any]) -> dict[str, Any]:
    version = raw.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        log.warning("settings written by a newer version (%r); reading what we understand", version)
    # Migrations from older schema versions, one step per version.
    if isinstance(version, int) and version < 2:
        # Version 1 knew only models on this computer (a server needs an address anyway).
        raw["generator_source"] = "local"
    # Version 3 only added words_per_minute: its default fills in, nothing to change.
    raw["schema_version"] = SCHEMA_VERSION
    return raw


def _from_dict(raw: dict[str, Any]) -> Settings:
    settings = Settings()
    known = {f.name: f for f in fields(Settings)}
    for key, value in raw.items():
        field = known.get(key)
        if field is None:
            log.info("ignoring unknown setting %r", key)
            continue
        default = getattr(settings, key)
        # bool is an int subclass: compare exact types so "true" or 1 never pass as a bool.
        if type(value) is type(default) and _items_ok(value):
            setattr(settings, key, value)
        else:
            log.warning("setting %s=%r has the wrong type; using default %r", key, value, default)
    for note in settings.validate():
        log.warning(note)
    return settings


def _items_ok(value: object) -> bool:
    # Lists in the schema hold strings only (site names); anything else is a broken file.
    return not isinstance(value, list) or all(isinstance(item, str) for item in value)
