"""Installed models: importing the user's GGUF files, refusing what is not a chat model, and
switching the active model without a restart."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from agents.models import files
from agents.models.catalog import Catalog, UnknownModel, load_catalog
from agents.models.installed import (
    active_model,
    import_model,
    installed_models,
    use_model,
)
from evidence.datadir import DataDir
from evidence.errors import ModelFileError
from evidence.settings import Settings, load_settings, save_settings
from tests.conftest import model_cache_dir
from tests.fake_gguf import catalog_entry, sha256_of, tiny_gguf, write_catalog


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    entry = catalog_entry(
        "qwen-tiny", "qwen-tiny.gguf", "https://example.org/qwen-tiny.gguf", sha256="ab" * 32
    )
    return load_catalog(write_catalog(tmp_path / "catalog.json", entry))


def test_import_copies_with_a_sidecar_and_twice_is_a_no_op(
    tmp_path: Path, data_dir: DataDir, catalog: Catalog
) -> None:
    src = tiny_gguf(tmp_path / "mine" / "debate-model.gguf")
    model = import_model(src, data_dir.models, catalog=catalog)
    assert model.path == data_dir.models / "debate-model.gguf" and model.kind == "imported"
    assert model.name == "debate-model" and model.usable and model.status == "ready"
    assert model.path.read_bytes() == src.read_bytes() and src.exists()  # a copy
    side = files.read_sidecar(model.path)
    assert side["sha256"] == sha256_of(src) and side["imported_from"] == str(src)
    assert not list(data_dir.models.glob(".*.tmp"))  # the temp file became the model

    stamp = model.path.stat()
    again = import_model(src, data_dir.models, catalog=catalog)
    renamed = import_model(
        shutil.copy(src, tmp_path / "same-bytes.gguf"), data_dir.models, catalog=catalog
    )
    assert again.path == renamed.path == model.path
    assert model.path.stat().st_mtime_ns == stamp.st_mtime_ns  # not copied again
    assert sorted(p.name for p in data_dir.models.glob("*.gguf")) == ["debate-model.gguf"]

    # Another file with the same name does not overwrite the first.
    other = import_model(
        tiny_gguf(tmp_path / "b" / "debate-model.gguf", seed=1), data_dir.models, catalog=catalog
    )
    assert other.path.name == "debate-model-2.gguf"
    listed = {m.name: m for m in installed_models(data_dir.models, catalog=catalog)}
    assert set(listed) == {"gemma-3-270m", "debate-model", "debate-model-2"}
    assert listed["gemma-3-270m"].kind == "builtin" and listed["gemma-3-270m"].usable


def test_a_catalog_file_name_with_other_bytes_is_kept_apart(
    tmp_path: Path, data_dir: DataDir, catalog: Catalog
) -> None:
    model = import_model(tiny_gguf(tmp_path / "qwen-tiny.gguf"), data_dir.models, catalog=catalog)
    assert model.path.name == "qwen-tiny-2.gguf" and model.kind == "imported"  # sha differs

    # The same file put straight into the models folder is listed, but never used.
    wrong = tiny_gguf(data_dir.models / "qwen-tiny.gguf")
    files.write_sidecar(wrong, {"sha256": sha256_of(wrong)})
    [listed] = [
        m
        for m in installed_models(data_dir.models, catalog=catalog)
        if m.entry and not m.entry.builtin
    ]
    assert not listed.usable and "does not match the catalog's checksum" in listed.status
    with pytest.raises(ModelFileError, match="qwen-tiny cannot be used: does not match"):
        use_model("qwen-tiny", data_dir, catalog=catalog)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("just some notes, not a model\n"), "not a GGUF model file"),
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: _truncate(tiny_gguf(p), 0.5), "truncated GGUF file"),
        (lambda p: _truncate(tiny_gguf(p), 0.001), "truncated|damaged"),
        (lambda p: tiny_gguf(p, arch="bert", extra={"bert.pooling_type": 1}), "embedding model"),
        (lambda p: tiny_gguf(p, model_type="adapter"), "LoRA adapter"),
        (lambda p: tiny_gguf(p, extra={"split.count": 3}), "part 1 of 3 of a split model"),
        (lambda p: p.mkdir(), "is a folder"),
    ],
)
def test_what_is_not_a_chat_model_is_refused(
    tmp_path: Path,
    data_dir: DataDir,
    catalog: Catalog,
    make,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    bad = tmp_path / "incoming" / "model.gguf"
    bad.parent.mkdir()
    make(bad)
    with pytest.raises(ModelFileError, match=message):
        import_model(bad, data_dir.models, catalog=catalog)
    assert list(data_dir.models.iterdir()) == []  # nothing half-made


def test_the_real_minilm_embedder_is_refused_as_a_generator(
    data_dir: DataDir, catalog: Catalog, embedder_path: Path
) -> None:
    with pytest.raises(ModelFileError, match=r"embedding model \(bert\)"):
        import_model(embedder_path, data_dir.models, catalog=catalog)
    with pytest.raises(ModelFileError, match="no file at"):
        import_model(data_dir.root / "absent.gguf", data_dir.models, catalog=catalog)


def _truncate(path: Path, keep: float) -> None:
    with path.open("r+b") as fh:
        fh.truncate(max(8, int(path.stat().st_size * keep)))


def test_a_base_model_imports_with_a_note(
    tmp_path: Path, data_dir: DataDir, catalog: Catalog
) -> None:
    model = import_model(
        tiny_gguf(tmp_path / "base.gguf", chat_template=False), data_dir.models, catalog=catalog
    )
    assert model.usable and "no chat template" in model.note


def test_use_checks_and_saves_the_choice(
    tmp_path: Path, data_dir: DataDir, catalog: Catalog
) -> None:
    model = import_model(tiny_gguf(tmp_path / "mine.gguf"), data_dir.models, catalog=catalog)
    settings = use_model("MINE", data_dir, catalog=catalog)
    assert settings.generator_model == str(model.path)
    assert load_settings(data_dir.settings).generator_model == str(model.path)  # saved
    assert active_model(settings, data_dir.models, catalog=catalog).name == "mine"
    assert use_model("builtin", data_dir, catalog=catalog).generator_model == ""
    back = load_settings(data_dir.settings)
    assert active_model(back, data_dir.models, catalog=catalog).kind == "builtin"

    with pytest.raises(UnknownModel, match=r"no installed model called 'llama'.*installed: "):
        use_model("llama", data_dir, catalog=catalog)
    with pytest.raises(ModelFileError, match=r"not downloaded yet.*models download qwen-tiny"):
        use_model("qwen-tiny", data_dir, catalog=catalog)
    with pytest.raises(ModelFileError, match="no model file at"):
        use_model(str(tmp_path / "absent.gguf"), data_dir, catalog=catalog)

    # Altered after the import (same size, a flipped byte): refused, settings unchanged.
    data = bytearray(model.path.read_bytes())
    data[-10] ^= 0xFF
    model.path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="has changed since it was verified"):
        use_model("mine", data_dir, catalog=catalog)
    assert load_settings(data_dir.settings).generator_model == ""

    # A path outside the models folder is imported first, then used.
    outside = tiny_gguf(tmp_path / "elsewhere" / "other.gguf", seed=7)
    settings = use_model(str(outside), data_dir, catalog=catalog)
    assert settings.generator_model == str(data_dir.models / "other.gguf")


def test_a_file_dropped_into_the_models_folder_is_verified_on_first_use(
    tmp_path: Path, data_dir: DataDir, catalog: Catalog
) -> None:
    dropped = tiny_gguf(data_dir.models / "dropped.gguf")
    [listed] = [
        m for m in installed_models(data_dir.models, catalog=catalog) if m.kind != "builtin"
    ]
    assert listed.status.startswith("not verified yet") and listed.usable
    use_model("dropped", data_dir, catalog=catalog)
    assert files.read_sidecar(dropped)["sha256"] == sha256_of(dropped)


def test_switching_models_reloads_the_generator_without_a_restart(
    tmp_path: Path, data_dir: DataDir, catalog: Catalog
) -> None:
    from agents.models.bundled import default_generator_path
    from agents.models.generator_setup import generator_factory

    gemma = default_generator_path(model_cache_dir())
    save_settings(data_dir.settings, Settings(generator_model=str(gemma), threads=1))
    first = generator_factory(data_dir, load_settings(data_dir.settings))()
    assert first.model_id.startswith(gemma.name + "@")

    renamed = shutil.copy(gemma, tmp_path / "my-gemma.gguf")
    imported = import_model(renamed, data_dir.models, catalog=catalog)
    os.unlink(renamed)
    settings = use_model("my-gemma", data_dir, catalog=catalog)
    second = generator_factory(data_dir, settings)()
    try:
        assert second.model_id.startswith("my-gemma.gguf@")
        assert first.closed and not second.closed  # one model in memory at a time
        assert active_model(settings, data_dir.models, catalog=catalog).path == imported.path
    finally:
        second.close()
