"""The installer's parts that need no frozen build: install.sh / uninstall.sh on a stand-in
app folder, the bundled-model lookup the frozen app uses, the icon containers and the
bundle checks of scripts/build_installer.py. (tests/test_installer_smoke.py tests the real
package when `make installer` has built it.)"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import gguf
import numpy as np
import pytest

from agents.models import bundled, minilm_gguf
from evidence.errors import ModelFileError
from resources import BUNDLED_MANIFEST
from tests.conftest import ROOT

LINUX = ROOT / "installer" / "linux"
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux installer")


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- install.sh / uninstall.sh ---------------------------------------------------------------


@pytest.fixture
def unpacked(tmp_path: Path) -> Path:
    """What the archive unpacks to, with a stand-in for the frozen executable."""
    folder = tmp_path / "download" / "debate-prep-0.0.0-linux-x86_64"
    (folder / "_internal" / "models").mkdir(parents=True)
    (folder / "_internal" / "models" / "model.gguf").write_bytes(b"GGUF" + b"\0" * 64)
    exe = folder / "debate-prep"
    exe.write_text("#!/bin/sh\necho debate-prep stand-in\n")
    exe.chmod(0o755)
    for name in ("install.sh", "uninstall.sh"):
        shutil.copy2(LINUX / name, folder / name)
    shutil.copy2(ROOT / "resources" / "icons" / "debate-prep.png", folder / "debate-prep.png")
    shutil.copy2(ROOT / "resources" / "icons" / "debate-prep.svg", folder / "debate-prep.svg")
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "notes.txt").write_text("mine")
    return home


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "DEBATE_PREP"))}
    return {**env, "HOME": str(home), "PATH": "/usr/bin:/bin"}


def sh(script: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(script), *args],
        env=env_for(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*")}


def test_install_then_uninstall_leaves_home_as_it_was(unpacked: Path, home: Path) -> None:
    before = tree(home)
    done = sh(unpacked / "install.sh", home)
    assert done.returncode == 0, done.stderr
    prefix = home / ".local" / "opt" / "debate-prep"
    desktop = home / ".local/share/applications/debate-prep.desktop"
    assert (prefix / "debate-prep").is_file() and os.access(prefix / "debate-prep", os.X_OK)
    assert (prefix / "_internal" / "models" / "model.gguf").is_file()
    assert (home / ".local/share/icons/hicolor/256x256/apps/debate-prep.png").is_file()
    assert (home / ".local/share/icons/hicolor/scalable/apps/debate-prep.svg").is_file()
    entry = desktop.read_text()
    assert f'Exec="{prefix}/debate-prep"' in entry and "Icon=debate-prep" in entry
    link = home / ".local" / "bin" / "debate-prep"
    assert link.is_symlink() and Path(os.readlink(link)) == prefix / "debate-prep"
    assert subprocess.run([str(link)], capture_output=True, text=True).stdout.startswith(
        "debate-prep"
    )
    assert "add" in done.stdout and "PATH" in done.stdout  # ~/.local/bin is not on PATH

    gone = sh(prefix / "uninstall.sh", home)
    assert gone.returncode == 0, gone.stderr
    assert tree(home) == before
    assert (home / "Documents" / "notes.txt").read_text() == "mine"
    assert "library and settings are kept" in gone.stdout


def test_uninstall_keeps_what_was_there_before(unpacked: Path, home: Path) -> None:
    apps = home / ".local/share/applications"
    apps.mkdir(parents=True)
    (apps / "other.desktop").write_text("[Desktop Entry]\n")
    (home / ".local/bin").mkdir(parents=True)
    theirs = home / ".local/bin/debate-prep"
    theirs.write_text("#!/bin/sh\n")  # someone else's command of that name
    data = home / ".local/share/debate-prep"
    data.mkdir()
    (data / "library.sqlite3").write_bytes(b"library")
    before = tree(home)

    done = sh(unpacked / "install.sh", home)
    assert done.returncode == 0, done.stderr
    assert "already exists; not replacing it" in done.stdout
    assert theirs.read_text() == "#!/bin/sh\n"
    assert sh(home / ".local/opt/debate-prep/uninstall.sh", home).returncode == 0
    assert tree(home) == before
    assert (data / "library.sqlite3").read_bytes() == b"library"


def test_reinstall_upgrades_in_place_and_uninstalls_cleanly(unpacked: Path, home: Path) -> None:
    before = tree(home)
    assert sh(unpacked / "install.sh", home).returncode == 0
    (unpacked / "_internal" / "models" / "new.gguf").write_bytes(b"GGUF")
    again = sh(unpacked / "install.sh", home)
    assert again.returncode == 0, again.stderr
    assert "removing the earlier install" in again.stdout
    prefix = home / ".local/opt/debate-prep"
    assert (prefix / "_internal" / "models" / "new.gguf").is_file()
    manifest = (prefix / ".install-manifest").read_text().splitlines()
    assert len(manifest) == len(set(manifest))  # nothing recorded twice
    assert sh(prefix / "uninstall.sh", home).returncode == 0
    assert tree(home) == before


def test_in_place_install_registers_without_copying(unpacked: Path, home: Path) -> None:
    before_home, before_app = tree(home), tree(unpacked)
    done = sh(unpacked / "install.sh", home, "--prefix", str(unpacked))
    assert done.returncode == 0, done.stderr
    assert "registering" in done.stdout
    assert not (home / ".local/opt").exists()
    entry = (home / ".local/share/applications/debate-prep.desktop").read_text()
    assert f'Exec="{unpacked.resolve()}/debate-prep"' in entry
    assert sh(unpacked / "uninstall.sh", home).returncode == 0
    assert tree(home) == before_home
    assert tree(unpacked) == before_app  # the folder stays, only the manifest went


def test_install_refuses_a_foreign_folder(unpacked: Path, home: Path) -> None:
    busy = home / "apps"
    busy.mkdir()
    (busy / "something").write_text("x")
    done = sh(unpacked / "install.sh", home, "--prefix", str(busy))
    assert done.returncode != 0
    assert "not an earlier Debate Prep install" in done.stderr
    assert sorted(p.name for p in busy.iterdir()) == ["something"]


# -- the models bundled in the frozen app -----------------------------------------------------


def tiny_gguf(path: Path) -> None:
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_tensor("t", np.zeros(8, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


@pytest.fixture
def frozen_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for a frozen app's sys._MEIPASS with both models and their manifest."""
    root = tmp_path / "_internal"
    models = root / "models"
    models.mkdir(parents=True)
    entries = {}
    for role, name in (("generator", "gen.gguf"), ("embedder", bundled.EMBEDDER_FILE)):
        tiny_gguf(models / name)
        data = (models / name).read_bytes()
        entries[role] = {
            "file": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }
    entries["embedder"]["converter_version"] = minilm_gguf.CONVERTER_VERSION
    (models / BUNDLED_MANIFEST).write_text(json.dumps({"format": 1, "models": entries}))
    monkeypatch.setattr(sys, "_MEIPASS", str(root), raising=False)
    bundled._bundled_manifest.cache_clear()
    yield root
    bundled._bundled_manifest.cache_clear()


def test_frozen_app_uses_the_bundled_models_in_place(frozen_root: Path, tmp_path: Path) -> None:
    data_models = tmp_path / "data" / "models"
    gen = bundled.default_generator_path(data_models)
    emb = bundled.default_embedder_path(data_models)
    assert gen == frozen_root / "models" / "gen.gguf"
    assert emb == frozen_root / "models" / bundled.EMBEDDER_FILE
    assert not data_models.exists()  # nothing assembled, converted or copied
    manifest = json.loads((frozen_root / "models" / BUNDLED_MANIFEST).read_text())
    assert bundled.model_sha256(gen) == manifest["models"]["generator"]["sha256"]


def test_a_damaged_bundled_model_says_reinstall(frozen_root: Path, tmp_path: Path) -> None:
    gen = frozen_root / "models" / "gen.gguf"
    gen.write_bytes(gen.read_bytes()[:-4])
    with pytest.raises(ModelFileError, match="reinstall"):
        bundled.default_generator_path(tmp_path / "models")


def test_a_bundle_from_another_converter_is_not_used(frozen_root: Path) -> None:
    manifest_path = frozen_root / "models" / BUNDLED_MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["models"]["embedder"]["converter_version"] = -1
    manifest_path.write_text(json.dumps(manifest))
    assert bundled.bundled_model(bundled.EMBEDDER_ROLE) is None
    assert bundled.bundled_model(bundled.GENERATOR_ROLE) is not None


def test_a_checkout_has_no_bundled_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert bundled.bundled_model(bundled.GENERATOR_ROLE) is None


# -- icons and bundle checks ------------------------------------------------------------------


def test_icon_containers_hold_the_png_images() -> None:
    icons = load(ROOT / "installer" / "icons.py")
    pngs = {s: b"\x89PNG" + bytes([s % 251]) * s for s in icons.SIZES}
    ico = icons.ico(pngs)
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(icons.ICO_SIZES))
    for i, size in enumerate(icons.ICO_SIZES):
        w, _h, _c, _r, _p, _b, length, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * i)
        assert w == (0 if size == 256 else size)
        assert ico[offset : offset + length] == pngs[size]
    icns = icons.icns(pngs)
    assert icns[:4] == b"icns" and struct.unpack_from(">I", icns, 4)[0] == len(icns)
    assert b"ic08" in icns and pngs[256] in icns


def test_bundle_check_flags_what_must_not_ship(tmp_path: Path) -> None:
    build = load(ROOT / "scripts" / "build_installer.py")
    app = tmp_path / "debate-prep"
    (app / "_internal" / "torch").mkdir(parents=True)
    (app / "_internal" / "torch" / "__init__.pyc").write_bytes(b"x")
    (app / "_internal" / "onnxruntime.so").write_bytes(b"x")
    problems = " ".join(build.check_bundle(app)["problems"])
    assert "'torch'" in problems and "'onnxruntime'" in problems
    shutil.rmtree(app / "_internal" / "torch")
    (app / "_internal" / "onnxruntime.so").unlink()
    assert build.check_bundle(app)["problems"] == []
    (app / "_internal" / "libQt6Svg.so.6").symlink_to("PySide6/Qt/lib/libQt6Svg.so.6")
    assert "libQt6Svg" in " ".join(build.check_bundle(app)["problems"])


def test_the_package_build_selects_cpu_variants_at_run_time() -> None:
    build = load(ROOT / "scripts" / "build_installer.py")
    flags = build.PACKAGE_CMAKE_ARGS.split()
    assert {"-DGGML_BACKEND_DL=ON", "-DGGML_CPU_ALL_VARIANTS=ON", "-DGGML_NATIVE=OFF"} <= set(flags)
    assert build.llama_spec().startswith("llama-cpp-python==")


def test_the_llama_check_leaves_out_what_the_package_leaves_out() -> None:
    # The PyInstaller hook cannot import a sibling module at analysis time, so the list is
    # written twice: read the hook's SKIP from its source and hold the check to it.
    import ast

    hook = ast.parse((ROOT / "installer" / "hooks" / "hook-llama_cpp.py").read_text())
    skip = next(
        ast.literal_eval(node.value)
        for node in hook.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "SKIP" for t in node.targets)
    )
    assert skip, "the hook leaves no CPU variant out any more: check_llama's LEFT_OUT can go"
    assert tuple(load(ROOT / "installer" / "check_llama.py").LEFT_OUT) == tuple(skip)
