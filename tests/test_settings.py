import json
from pathlib import Path

from evidence.settings import SCHEMA_VERSION, Settings, load_settings, save_settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "settings.json") == Settings()


def test_round_trip_writes_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    s = Settings(threads=3, web_access=True, generator_model="/m/x.gguf")
    save_settings(path, s)
    raw = json.loads(path.read_text())
    assert raw["schema_version"] == SCHEMA_VERSION
    assert load_settings(path) == s


def test_broken_file_is_kept_aside_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{ not json")
    assert load_settings(path) == Settings()
    backups = list(tmp_path.glob("settings.json.broken-*"))
    assert len(backups) == 1 and backups[0].read_text() == "{ not json"


def test_bad_values_fall_back_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        json.dumps(
            {
                "threads": "four",  # wrong type
                "web_access": 1,  # an int is not a bool
                "context_size": 10,  # out of range
                "max_file_mb": 20,  # fine
                "from_the_future": True,  # unknown key
                "schema_version": SCHEMA_VERSION + 5,
            }
        )
    )
    s = load_settings(path)
    assert s.threads == Settings().threads
    assert s.web_access is False
    assert s.context_size == Settings().context_size
    assert s.max_file_mb == 20
