"""Settings ▸ Model as a file and on the command line: version 2 adds the model server,
a version-1 file migrates, the CLI sets the server and never prints its API key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from evidence.datadir import DataDir
from evidence.settings import SCHEMA_VERSION, load_settings


def test_a_version_1_file_migrates_to_this_computers_model(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    v1 = {"schema_version": 1, "threads": 2, "generator_source": "server"}
    path.write_text(json.dumps(v1), encoding="utf-8")
    settings = load_settings(path)
    # Version 1 had no model server: whatever the key says, the model is this computer's.
    assert settings.generator_source == "local" and settings.threads == 2
    assert settings.schema_version == SCHEMA_VERSION >= 2
    assert (settings.server_url, settings.server_model, settings.server_api_key) == ("", "", "")


def test_an_unknown_source_falls_back_to_local(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": 2, "generator_source": "cloud"}), "utf-8")
    assert load_settings(path).generator_source == "local"


def test_the_command_line_sets_a_model_server(
    data_dir: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--data-dir", str(data_dir.root)]
    assert main([*home, "settings", "generator_source=server",
                 "server_url=http://192.168.1.20:8080/v1", "server_model=qwen2.5-14b-instruct",
                 "server_api_key=sk-squad-secret", "server_timeout_s=300"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "sk-squad-secret" not in printed and "server_api_key = '(set)'" in printed
    saved = load_settings(data_dir.settings)
    assert (saved.generator_source, saved.server_url, saved.server_model) == (
        "server", "http://192.168.1.20:8080/v1", "qwen2.5-14b-instruct",
    )  # fmt: skip
    assert saved.server_api_key == "sk-squad-secret" and saved.server_timeout_s == 300
    assert main([*home, "--json", "settings"]) == 0
    assert json.loads(capsys.readouterr().out)["server_api_key"] == "(set)"

    for bad, why in [
        ("generator_source=cloud", "generator_source='cloud' is out of range"),
        ("server_url=192.168.1.20", "not an address like"),
        ("server_timeout_s=0", "server_timeout_s=0 is out of range"),
    ]:
        assert main([*home, "settings", bad]) == 1
        assert why in capsys.readouterr().err
    assert load_settings(data_dir.settings).server_url == "http://192.168.1.20:8080/v1"


def test_using_a_model_file_switches_back_from_the_server(
    data_dir: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--data-dir", str(data_dir.root)]
    assert main([*home, "settings", "generator_source=server"]) == 0
    assert main([*home, "models", "use", "builtin"]) == 0
    assert load_settings(data_dir.settings).generator_source == "local"
