"""The squad's team library against a real Chroma server (`chroma run` behind the token
proxy, on 127.0.0.1): connect/status/disconnect, share the samples and search them from a
second data folder, dedupe, resume, pull then work offline, and the clear failures (wrong
token, web off, local addresses not allowed, server down, another embedder)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import evidence.team.share as share_module
from app.context import AppContext
from app.team import pull_source, search_team, team_connect, team_status
from cli.main import main
from evidence.errors import EvidenceError
from evidence.settings import load_settings
from evidence.team.server import TeamError
from tests.chroma_server import ChromaServer
from tests.conftest import SAMPLES
from tests.team_fixtures import TOKEN, _ctx, share_all

QUERY = "whaling moratorium"


def cli(ctx: AppContext, capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(ctx.data_dir.root), *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_connect_status_disconnect(
    tmp_path: Path, team_server: ChromaServer, embedder: Any, embedder_path: Path, capsys: Any
) -> None:
    ctx = _ctx(tmp_path / "c", embedder, embedder_path, "carol")
    code, out, err = cli(ctx, capsys, "team", "connect", team_server.url, "--token", TOKEN)
    assert code == 0, err
    assert "connected to" in out and "Chroma API 1." in out and "0 sources" in out
    saved = load_settings(ctx.data_dir.settings)
    assert (saved.team_url, saved.team_token) == (team_server.url, TOKEN)
    code, out, _ = cli(ctx, capsys, "settings", "--json")
    assert TOKEN not in out and json.loads(out)["team_token"] == "(set)"  # never printed back
    code, out, _ = cli(ctx, capsys, "team", "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["url"] == team_server.url and status["shared_by"] == "carol"
    assert status["version"].startswith("1.") and status["shared_passages"] == 0
    code, out, _ = cli(ctx, capsys, "team", "disconnect")
    assert code == 0 and team_server.url in out
    assert load_settings(ctx.data_dir.settings).team_token == ""
    code, _, err = cli(ctx, capsys, "team", "status")
    assert code == 1 and "no team server" in err


def test_wrong_token_is_refused_clearly(
    tmp_path: Path, team_server: ChromaServer, embedder: Any, embedder_path: Path, capsys: Any
) -> None:
    ctx = _ctx(tmp_path / "c", embedder, embedder_path, "carol")
    code, _, err = cli(ctx, capsys, "team", "connect", team_server.url, "--token", "guess")
    assert code == 1 and "refused the token" in err and "HTTP 401" in err
    assert load_settings(ctx.data_dir.settings).team_url == ""  # nothing kept
    code, _, err = cli(ctx, capsys, "team", "connect", team_server.url)
    assert code == 1 and "refused the token" in err


def test_network_switch_governs_the_team_server(
    tmp_path: Path, team_server: ChromaServer, embedder: Any, embedder_path: Path
) -> None:
    off = _ctx(tmp_path / "off", embedder, embedder_path, "x")
    off.settings.web_access = False
    with pytest.raises(EvidenceError, match="web access is off"):
        team_connect(off, team_server.url, TOKEN)
    lan = _ctx(tmp_path / "lan", embedder, embedder_path, "x")
    lan.settings.web_allow_private = False
    with pytest.raises(EvidenceError, match="allow local addresses"):
        team_connect(lan, team_server.url, TOKEN)


def test_share_then_a_teammate_searches_with_shared_by(
    alice: AppContext, bob: AppContext, capsys: Any
) -> None:
    results = share_all(alice)
    assert {r.status for r in results} == {"shared"}
    assert sum(r.sent for r in results) == sum(r.total for r in results) == 195
    status = team_status(bob)
    assert (status.shared_sources, status.shared_passages) == (5, 195)
    assert status.embedder == alice.embedder().model_id

    code, out, err = cli(bob, capsys, "team", "search", QUERY, "-k", "5", "--json")
    assert code == 0, err
    hits = json.loads(out)
    assert len(hits) == 5
    assert all({"text", "source", "shared_by"} <= set(h) for h in hits)
    assert {h["shared_by"] for h in hits} == {"alice"}
    # Verbatim: each hit's text is the passage text in alice's own library.
    lib = alice.open_library()
    try:
        texts = {r[0] for r in lib.store.conn.execute("SELECT text FROM passages")}
    finally:
        lib.close()
    assert all(h["text"] in texts for h in hits)
    assert any("whal" in h["text"].lower() for h in hits)


def test_sharing_the_same_file_again_sends_nothing(alice: AppContext, bob: AppContext) -> None:
    share_all(alice)
    again = share_all(alice)
    assert {r.status for r in again} == {"already shared"} and sum(r.sent for r in again) == 0
    # Bob imports the same file on his own computer: the content hash matches, nothing is sent.
    lib = bob.open_library()
    try:
        list(lib.import_paths([SAMPLES / "pdf"]))
        assert len(lib.sources()) == 1
    finally:
        lib.close()
    results = share_all(bob)
    assert [(r.status, r.shared_by) for r in results] == [("already shared", "alice")]
    assert team_status(bob).shared_passages == 195


def test_an_interrupted_share_resumes(
    alice: AppContext, bob: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(share_module, "BATCH", 4)
    batches: list[int] = []
    first = share_all(
        alice, cancel=lambda: len(batches) >= 1, on_batch=lambda d, t: batches.append(d)
    )
    assert [(r.status, r.sent) for r in first] == [("interrupted", 4)]
    progress = json.loads((alice.data_dir.root / "team_share.json").read_text())
    assert list(progress.values()) == [4]
    assert team_status(bob).shared_sources == 0  # not complete: not visible as a source

    second = share_all(alice)
    assert second[0].status == "shared" and second[0].resumed_from == 4
    assert second[0].sent == second[0].total - 4 and len(second) == 5
    assert team_status(bob).shared_passages == 195
    assert json.loads((alice.data_dir.root / "team_share.json").read_text()) == {}


def test_pull_then_search_offline_with_the_server_stopped(
    alice: AppContext, bob: AppContext, team_server: ChromaServer, capsys: Any
) -> None:
    share_all(alice)
    hit = next(h for h in search_team(bob, QUERY, 10) if h.kind == "card")
    lib = bob.open_library()
    try:
        pulled = pull_source(bob, lib, hit.id)
        assert pulled.shared_by == "alice" and pulled.cards > 0 and not pulled.already
        assert pull_source(bob, lib, hit.source_hash).already  # once is enough
        theirs = alice.open_library()
        try:
            src = theirs.store.source_by_hash(hit.source_hash)
            assert src is not None
            want = [(c.node.tag, getattr(c.node, "body", ""), getattr(c.node, "spans", []))
                    for c in theirs.cards([src.id])]  # fmt: skip
        finally:
            theirs.close()
        got = [(c.node.tag, getattr(c.node, "body", ""), getattr(c.node, "spans", []))
               for c in lib.cards([pulled.source_id])]  # fmt: skip
        assert got == want  # tags, verbatim bodies and marks as the sharer had them
        assert lib.card_document(source_ids=[pulled.source_id]).cards()
    finally:
        lib.close()

    team_server.stop()
    code, _, err = cli(bob, capsys, "team", "search", QUERY)
    assert code == 1 and "does not answer" in err
    code, out, err = cli(bob, capsys, "search", QUERY, "--json")
    assert code == 0, err
    local = json.loads(out)
    assert local and local[0]["source_id"] == pulled.source_id
    assert local[0]["vector_rank"] is not None  # the team's vectors, stored locally
    team_server.start()  # the fixture stops it again


def test_server_down_is_clear_and_local_search_works(
    alice: AppContext, team_server: ChromaServer, capsys: Any
) -> None:
    team_server.stop()
    for argv in (["team", "status"], ["team", "share", "--all"], ["team", "pull", "ab" * 32]):
        code, _, err = cli(alice, capsys, *argv)
        assert code == 1 and "does not answer" in err, (argv, err)
    code, out, err = cli(alice, capsys, "search", QUERY, "--json")
    assert code == 0 and json.loads(out), err
    team_server.start()


def test_a_collection_from_another_embedder_is_refused(
    alice: AppContext, team_server: ChromaServer
) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    direct = chromadb.HttpClient(
        host="127.0.0.1", port=team_server.chroma_port,
        settings=ChromaSettings(anonymized_telemetry=False),
    )  # fmt: skip
    direct.create_collection(
        "debate-prep-team-passages",
        metadata={"debate_prep_schema": 1, "embedder": "other-model@123", "dim": 768},
        embedding_function=None,
    )
    with pytest.raises(TeamError, match="other-model@123"):
        share_all(alice)
    with pytest.raises(TeamError, match="embedding model"):
        search_team(alice, QUERY)
