"""The team library as both faces use it (Qt-free): connect with the settings, status, share,
search, pull. Every call opens its own checked connection, so a server that went away gives
a clear TeamError at the next call, and nothing local depends on it."""

from __future__ import annotations

import dataclasses
import getpass
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from app.context import AppContext
from evidence.cancel import CancelCheck, never
from evidence.library import Library
from evidence.network import NetworkPolicy
from evidence.team.pull import PullResult, pull
from evidence.team.search import TeamHit, team_search
from evidence.team.server import ACTION, PASSAGES, SOURCES, TeamError, TeamServer, connect
from evidence.team.share import ShareResult, share_sources


@dataclass(frozen=True)
class TeamStatus:
    url: str
    version: str  # the server's Chroma API version
    shared_sources: int  # complete or not
    shared_passages: int
    embedder: str  # the model the team collection was made with; "" before the first share
    shared_by: str  # the name this computer shares under


def sharer_name(ctx: AppContext) -> str:
    if ctx.settings.team_name.strip():
        return ctx.settings.team_name.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "a teammate"


def progress_file(ctx: AppContext) -> Path:
    return ctx.data_dir.root / "team_share.json"


def open_server(ctx: AppContext, url: str | None = None, token: str | None = None) -> TeamServer:
    """A checked connection to the configured server (or `url`/`token`, before saving)."""
    url = ctx.settings.team_url if url is None else url
    if not url:
        raise TeamError("no team server: run `debate-prep team connect URL --token T` first")
    token = ctx.settings.team_token if token is None else token
    policy = NetworkPolicy.from_settings(ctx.settings)
    return connect(url, token, policy, timeout_s=float(ctx.settings.web_timeout_s))


def team_connect(ctx: AppContext, url: str, token: str) -> TeamStatus:
    """Check the server and token, then keep them in the settings."""
    server = open_server(ctx, url, token)
    status = _status(ctx, server)
    ctx.save_settings(
        dataclasses.replace(ctx.settings, team_url=server.endpoint.url, team_token=token)
    )
    return status


def team_disconnect(ctx: AppContext) -> str:
    """Forget the server and token (nothing on the server or in the library changes)."""
    was = ctx.settings.team_url
    ctx.save_settings(dataclasses.replace(ctx.settings, team_url="", team_token=""))
    return was


def team_status(ctx: AppContext) -> TeamStatus:
    return _status(ctx, open_server(ctx))


def _status(ctx: AppContext, server: TeamServer) -> TeamStatus:
    passages = server.collection(PASSAGES)
    sources = server.collection(SOURCES)
    return TeamStatus(
        server.endpoint.url,
        server.version,
        int(sources.count()) if sources is not None else 0,
        int(passages.count()) if passages is not None else 0,
        str((passages.metadata or {}).get("embedder", "")) if passages is not None else "",
        sharer_name(ctx),
    )


def share(
    ctx: AppContext,
    library: Library,
    source_ids: Iterable[int],
    cancel: CancelCheck = never,
    on_batch: Callable[[int, int], None] | None = None,
) -> Iterator[ShareResult]:
    server = open_server(ctx)
    yield from share_sources(
        library, server, source_ids, sharer_name(ctx), progress_file(ctx), cancel, on_batch
    )


_servers: dict[tuple[str, str], TeamServer] = {}  # searches as you type reuse a connection
_servers_lock = threading.Lock()


def search_team(ctx: AppContext, query: str, k: int = 10) -> list[TeamHit]:
    key = (ctx.settings.team_url, ctx.settings.team_token)
    with _servers_lock:
        server = _servers.get(key)
    if server is None:
        server = open_server(ctx)
    else:  # the switch is asked again each time: web access off stops the next search
        NetworkPolicy.from_settings(ctx.settings).check_url(server.endpoint.url, ACTION)
    try:
        hits = team_search(server, ctx.embedder(), query, k)
    except TeamError:
        with _servers_lock:
            _servers.pop(key, None)
        raise
    with _servers_lock:
        _servers[key] = server
    return hits


def pull_source(ctx: AppContext, library: Library, ref: str) -> PullResult:
    return pull(library, open_server(ctx), ref)
