"""Fixtures for the team-library tests: a real Chroma server behind the token proxy, and two
debaters on it: alice (the imported samples) and bob (an empty library)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.context import AppContext
from app.team import share
from evidence.datadir import DataDir
from evidence.settings import Settings, save_settings
from tests.chroma_server import ChromaServer

TOKEN = "squad-secret-42"


@pytest.fixture
def team_server(tmp_path: Path) -> Iterator[ChromaServer]:
    srv = ChromaServer(tmp_path / "chroma", TOKEN)
    srv.start()
    yield srv
    srv.stop()


def _ctx(root: Path, embedder: Any, embedder_path: Path, name: str, **extra: Any) -> AppContext:
    settings = Settings(
        embedding_model=str(embedder_path), web_access=True, web_allow_private=True,
        team_name=name, **extra,
    )  # fmt: skip
    data = DataDir(root).create()
    save_settings(data.settings, settings)
    return AppContext.open(data, embedder=embedder)


@pytest.fixture
def alice(
    tmp_path: Path,
    sample_library: Any,
    embedder: Any,
    embedder_path: Path,
    team_server: ChromaServer,
) -> AppContext:
    """A debater whose library holds the imported samples, connected to the server."""
    root = tmp_path / "alice"
    shutil.copytree(sample_library.data_dir.root, root)
    ctx = _ctx(root, embedder, embedder_path, "alice", team_url=team_server.url, team_token=TOKEN)
    return ctx


@pytest.fixture
def bob(
    tmp_path: Path, embedder: Any, embedder_path: Path, team_server: ChromaServer
) -> AppContext:
    """A teammate with an empty library, connected to the same server."""
    return _ctx(tmp_path / "bob", embedder, embedder_path, "bob", team_url=team_server.url,
                team_token=TOKEN)  # fmt: skip


def share_all(ctx: AppContext, **kw: Any) -> list[Any]:
    lib = ctx.open_library()
    try:
        return list(share(ctx, lib, [s.id for s in lib.sources()], **kw))
    finally:
        lib.close()
