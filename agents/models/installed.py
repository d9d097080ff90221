"""The models on this computer: the bundled one, catalog downloads, imported files, and
downloads still in progress (each described by describe.py); finding the one a user names,
importing a GGUF file (importing.py) and choosing the model the agents use.

Switching needs no restart: agents.models.generator_setup loads whatever settings.generator_model
names the next time a generator is asked for, closing the previous one.
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

from agents.models import files
from agents.models.bundled import EMBEDDER_FILE
from agents.models.catalog import Catalog, UnknownModel, load_catalog
from agents.models.describe import (
    BUILTIN_FILE,
    BUILTIN_NAME,
    InstalledModel,
    active_path,
    builtin_file,
    builtin_model,
    describe,
    external_file,
    partial_download,
    same_file,
)
from agents.models.importing import import_model
from agents.models.validate import verify_model
from evidence.datadir import DataDir
from evidence.errors import ModelFileError
from evidence.settings import Settings, load_settings, save_settings

log = logging.getLogger(__name__)

BUILTIN_ALIASES = ("", "builtin", "default", "bundled")


def installed_models(
    models_dir: Path, *, catalog: Catalog | None = None, settings: Settings | None = None
) -> list[InstalledModel]:
    """Everything `models use` can choose from (plus partial downloads, marked unusable).
    Cheap: reads sidecars, hashes nothing."""
    models_dir = Path(models_dir)
    catalog = catalog if catalog is not None else load_catalog()
    builtin = builtin_model(models_dir, catalog)
    found = [builtin]
    if models_dir.is_dir():
        for path in sorted(models_dir.glob("*.gguf")):
            if path.name.startswith(".") or path.name in (EMBEDDER_FILE, builtin_file(catalog)):
                continue
            found.append(describe(path, catalog))
        for part in sorted((models_dir / files.DOWNLOADS).glob("*.part")):
            found.append(partial_download(part, catalog))
    active = active_path(settings, builtin)
    if active is not None and not any(same_file(m.path, active) for m in found):
        found.append(external_file(active))
    return [
        replace(m, active=m.usable and active is not None and same_file(m.path, active))
        for m in found
    ]


def active_model(
    settings: Settings, models_dir: Path, *, catalog: Catalog | None = None
) -> InstalledModel:
    """The model the agents load with these settings."""
    listed = installed_models(models_dir, catalog=catalog, settings=settings)
    return next((m for m in listed if m.active), listed[0])


def use_model(name_or_path: str, data_dir: DataDir, *, catalog: Catalog | None = None) -> Settings:
    """Make NAME (an installed model, a catalog name, or a .gguf path, which is imported
    first) the generator: checked complete and verified, then saved in the settings."""
    settings = load_settings(data_dir.settings)
    settings.generator_model = generator_setting(name_or_path, data_dir.models, catalog=catalog)
    settings.generator_source = "local"  # a model file runs on this computer, not a server
    save_settings(data_dir.settings, settings)
    return settings


def generator_setting(
    name_or_path: str, models_dir: Path, *, catalog: Catalog | None = None
) -> str:
    """The `generator_model` setting that makes NAME the generator ("" = the bundled one),
    after checking the model is complete and verified (this may hash a large file)."""
    catalog = catalog if catalog is not None else load_catalog()
    model = find_installed(name_or_path, models_dir, catalog)
    if model.kind == "builtin":
        value = ""
    else:
        verify_model(model.path, model.entry if model.kind == "catalog" else None)
        value = str(model.path)
    log.info("generator model is now %s (%s)", model.name, model.path)
    return value


def find_installed(name_or_path: str, models_dir: Path, catalog: Catalog) -> InstalledModel:
    """The installed model a user means; a clear error for a catalog model not (fully)
    downloaded, or a name nothing matches."""
    key = name_or_path.strip()
    listed = installed_models(models_dir, catalog=catalog)
    if key.lower() in BUILTIN_ALIASES:
        return listed[0]
    looks_like_path = os.sep in key or "/" in key or key.lower().endswith(".gguf")
    if looks_like_path and Path(key).expanduser().is_file():
        path = Path(key).expanduser()
        known = next((m for m in listed if same_file(m.path, path) and m.usable), None)
        return known or import_model(path, models_dir, catalog=catalog)
    complete = [m for m in listed if m.usable]
    lowered = key.lower()
    named = [
        m
        for m in listed
        if m.kind != "partial" and lowered in (m.name.lower(), m.path.name.lower())
    ]
    if named:  # an exact name wins over any prefix, usable or not
        ready = [m for m in named if m.usable]
        if not ready:
            raise ModelFileError(f"{named[0].name} cannot be used: {named[0].status}")
        return ready[0]
    prefix = [m for m in complete if m.name.lower().startswith(lowered)] if lowered else []
    if len(prefix) == 1:
        return prefix[0]
    if len(prefix) > 1:
        raise UnknownModel(f"{key!r} matches several models: {', '.join(m.name for m in prefix)}")
    try:
        entry = catalog.find(key)
    except UnknownModel:
        if looks_like_path:
            raise ModelFileError(f"no model file at {key}") from None
        names = ", ".join(m.name for m in complete)
        raise UnknownModel(
            f"no installed model called {key!r}; installed: {names}; the catalog has: "
            f"{', '.join(catalog.names)}"
        ) from None
    partial = next((m for m in listed if m.kind == "partial" and m.entry == entry), None)
    if partial is not None:
        raise ModelFileError(
            f"{entry.name} is not fully downloaded ({partial.status}); finish it with "
            f"`debate-prep models download {entry.name}` first"
        )
    raise ModelFileError(
        f"{entry.name} is not downloaded yet: run `debate-prep models download {entry.name}`"
    )


__all__ = [
    "BUILTIN_ALIASES",
    "BUILTIN_FILE",
    "BUILTIN_NAME",
    "InstalledModel",
    "active_model",
    "find_installed",
    "generator_setting",
    "import_model",
    "installed_models",
    "use_model",
]
