import os
from pathlib import Path

import pytest

from evidence.atomic import atomic_open, atomic_write_text
from evidence.settings import Settings, save_settings


def test_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_error_mid_write_keeps_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"half of the new")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_unwritable_location_raises_oserror_and_leaves_nothing(tmp_path: Path) -> None:
    # Root ignores permission bits, so use a location no one can write: a "folder" that is a file.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OSError):
        atomic_write_text(blocker / "x.txt", "data")
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


_UNIX = pytest.mark.skipif(not hasattr(os, "fchmod"), reason="no permission bits")


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@_UNIX
def test_a_new_file_gets_the_umask_mode_not_the_temp_files(tmp_path: Path) -> None:
    old = os.umask(0o027)  # the test's own umask; atomic_open only reads it
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a.json") == 0o640  # 0666 less 027, not mkstemp's 0600
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "b.json", "{}")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "b.json") == 0o644


@_UNIX
def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.docx"
    for bits in (0o664, 0o600, 0o640):
        target.write_text("old")
        target.chmod(bits)
        with atomic_open(target) as fh:
            fh.write(b"new")
        assert (target.read_bytes(), _mode(target)) == (b"new", bits)


@_UNIX
def test_a_secret_gets_the_perms_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "settings.json"
    target.write_text("{}")
    target.chmod(0o644)
    atomic_write_text(target, '{"key": "x"}', perms=0o600)
    assert _mode(target) == 0o600
    atomic_write_text(tmp_path / "new.json", "{}", perms=0o600)
    assert _mode(tmp_path / "new.json") == 0o600


@_UNIX
def test_settings_stay_owner_only(tmp_path: Path) -> None:
    # settings.json can hold the model server's API key.
    save_settings(tmp_path / "settings.json", Settings())
    assert _mode(tmp_path / "settings.json") == 0o600
