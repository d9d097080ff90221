from pathlib import Path

import pytest

from evidence.atomic import atomic_open, atomic_write_text


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
