"""Model files: the two bundled defaults, a catalog of recommended GGUF models, resumable
verified downloads, imports of the user's own files, a fit estimate for this machine, the
active model, and the embedder/generator the settings choose.

Qt-free; the CLI (`debate-prep models ...`) and the window's Models window both use the
names exported here.
"""

from agents.models.catalog import (
    Catalog,
    CatalogEntry,
    CatalogError,
    UnknownModel,
    default_catalog_path,
    find_entry,
    load_catalog,
)
from agents.models.download import (
    DownloadCancelled,
    DownloadInterrupted,
    DownloadProgress,
    download_model,
    is_installed,
    part_path,
)
from agents.models.fit import (
    FitEstimate,
    Verdict,
    available_ram_bytes,
    estimate_fit,
    fit_for_settings,
)
from agents.models.installed import (
    InstalledModel,
    active_model,
    find_installed,
    generator_setting,
    import_model,
    installed_models,
    use_model,
)
from agents.models.validate import ModelCheck, validate_model_file, verify_model

__all__ = [
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "DownloadCancelled",
    "DownloadInterrupted",
    "DownloadProgress",
    "FitEstimate",
    "InstalledModel",
    "ModelCheck",
    "UnknownModel",
    "Verdict",
    "active_model",
    "available_ram_bytes",
    "default_catalog_path",
    "download_model",
    "estimate_fit",
    "find_entry",
    "find_installed",
    "fit_for_settings",
    "generator_setting",
    "import_model",
    "installed_models",
    "is_installed",
    "load_catalog",
    "part_path",
    "use_model",
    "validate_model_file",
    "verify_model",
]
