"""chromadb picks its implementation classes by dotted name at run time (chromadb.config),
so PyInstaller's import scan misses them: collect the submodules the local, embedded client
can reach, and the SQL migrations and logging config it reads as files. Left out: the test
suite, the server and CLI, and the distributed (Kubernetes, gRPC sysdb) parts; the default
embedding function's onnxruntime is excluded in the spec (the app always passes vectors)."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules

_SKIP = (
    "chromadb.test",
    "chromadb.server",
    "chromadb.cli",
    "chromadb.app",
    "chromadb.experimental",
    "chromadb.segment.impl.distributed",
    "chromadb.execution.executor.distributed",
    "chromadb.db.impl.grpc",
    "chromadb.logservice",
    "chromadb.proto",
)


def _wanted(name: str) -> bool:
    return not any(name == s or name.startswith(s + ".") for s in _SKIP)


hiddenimports = collect_submodules("chromadb", filter=_wanted)
datas = collect_data_files(
    "chromadb", excludes=["test/**", "experimental/**", "**/*.md", "**/*.ipynb", "**/*.pyi"]
)
excludedimports = list(_SKIP)
