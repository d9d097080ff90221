"""The core (evidence, agents) must import without Qt; lint-imports checks the static graph,
this checks what actually gets loaded."""

import subprocess
import sys

from tests.conftest import ROOT


def test_core_modules_load_no_qt() -> None:
    code = (
        "import pkgutil, importlib, sys\n"
        "import evidence, agents, app, cli\n"
        "for pkg in (evidence, agents, app, cli):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(bad)\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_command_line_starts_without_llama_cpp() -> None:
    """`debate-prep sources` or `settings` needs no model: llama.cpp (and the model package,
    which loads it) wait until a model is used, so every command starts quickly."""
    code = (
        "import sys, cli.main, cli.entry\n"
        "loaded = sorted(m for m in ('llama_cpp', 'agents.models') if m in sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
