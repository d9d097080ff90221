"""`debate-prep settings [KEY=VALUE ...]`: show or change the settings file."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from evidence.settings import Settings, load_settings, save_settings

_TRUE, _FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}
_MODEL_FILES = ("generator_model", "embedding_model")  # paths (server_model is a name)


def parse_value(settings: Settings, key: str, raw: str) -> object:
    """Convert a command-line string to the type of the setting; ValueError says why not."""
    current = getattr(settings, key)
    if isinstance(current, bool):
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ValueError(f"{key} takes on/off, not {raw!r}")
    if isinstance(current, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{key} takes a whole number, not {raw!r}") from None
    if isinstance(current, list):  # "a.org, b.com" -> ["a.org", "b.com"]; "" clears it
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def run_settings(path: Path, assignments: list[str], as_json: bool) -> int:
    settings = load_settings(path)
    editable = [f.name for f in dataclasses.fields(Settings) if f.name != "schema_version"]
    for item in assignments:
        key, sep, raw = item.partition("=")
        if not sep or key not in editable:
            print(
                f"error: {item!r} is not KEY=VALUE with KEY one of: {', '.join(editable)}",
                file=sys.stderr,
            )
            return 1
        try:
            setattr(settings, key, parse_value(settings, key, raw))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if key in _MODEL_FILES and raw and not Path(raw).expanduser().is_file():
            print(f"error: {key}: no file at {raw}", file=sys.stderr)
            return 1
        if key == "server_url" and raw and not _is_address(raw):
            print(f"error: server_url: {raw!r} is not an address like "
                  "http://192.168.1.20:8080/v1", file=sys.stderr)  # fmt: skip
            return 1
    notes = settings.validate()
    if notes:
        for note in notes:
            print(f"error: {note}", file=sys.stderr)
        return 1
    if assignments:
        save_settings(path, settings)
    shown = {k: _masked(k, v) for k, v in dataclasses.asdict(settings).items()}
    if as_json:
        print(json.dumps(shown, indent=1))
    else:
        for key, value in shown.items():
            print(f"{key} = {value!r}")
        print(f"(file: {path})")
    return 0


def _masked(key: str, value: object) -> object:
    """Secrets (a team token, an API key) are never printed back, only whether one is set."""
    if key.endswith(("_token", "_api_key")) and value:
        return "(set)"
    return value


def _is_address(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)
