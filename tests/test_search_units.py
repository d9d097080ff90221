"""Lexical ranking and fusion on a real SQLite store (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.index import lexical as lexical_module
from evidence.index.lexical import LexicalRanking, lexical_ranking
from evidence.index.passages import PassageSpan
from evidence.index.search import fuse, search
from evidence.index.store import Store
from evidence.parsers.document import ParsedDocument, SourceKind


def _store(tmp_path: Path, paragraphs: list[str], origin: str = "/doc") -> Store:
    store = Store(tmp_path / "db.sqlite3")
    text = "\n\n".join(paragraphs)
    spans, pos = [], 0
    for para in paragraphs:
        start = text.index(para, pos)
        spans.append(PassageSpan(start, start + len(para), None))
        pos = start + len(para)
    store.add_source(origin, origin, ParsedDocument(SourceKind.TEXT, text), spans)
    return store


def test_passages_with_every_word_come_before_partial_matches(tmp_path: Path) -> None:
    store = _store(tmp_path, ["whales whales whales", "sanctions and whales", "sanctions only"])
    ranking = lexical_ranking(store, "sanctions whales", depth=10)
    texts = [store.passages([i])[i].text for i in ranking.ids]
    assert ranking.full == 1 and texts[0] == "sanctions and whales"
    assert set(texts[1:]) == {"whales whales whales", "sanctions only"}


def test_fts_syntax_in_a_query_is_just_words(tmp_path: Path) -> None:
    store = _store(tmp_path, ['the "NEAR" OR AND case (paren) star*'])
    for query in ["NEAR(", '"unbalanced', "AND OR NOT", "star*", "col:umn", "-", "^x"]:
        lexical_ranking(store, query, depth=5)  # must not raise an FTS5 syntax error
    assert lexical_ranking(store, "AND OR", depth=5).ids  # stop-like words still searchable


def test_common_words_are_scored_with_a_bounded_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lexical_module, "COMMON", 3)
    store = _store(tmp_path, [f"war story {n}" for n in range(10)] + ["rare war gem"])
    ranking = lexical_ranking(store, "war gem", depth=5)
    top = store.passages([ranking.ids[0]])[ranking.ids[0]].text
    assert top == "rare war gem" and ranking.full == 1
    # "war" alone is in 11 passages > COMMON: only COMMON of them are scored.
    assert len(lexical_ranking(store, "war", depth=50).ids) == 3


def test_fusion_prefers_agreement_and_weights_partial_matches_down() -> None:
    scores = fuse(LexicalRanking([1, 2, 3], full=1), dense=[3, 4])
    assert max(scores, key=scores.__getitem__) == 3  # in both lists
    assert scores[4] > scores[2]  # vector #2 beats a partial lexical #2
    assert scores[1] > scores[4]  # a full lexical #1 beats vector #2


def test_lexical_search_marks_words_in_snippets(tmp_path: Path) -> None:
    store = _store(tmp_path, ["Japan may seek nuclear weapons if alliances waver."])
    (hit,) = search(store, "nuclear Japan", mode="lexical")
    marked = [hit.snippet[s:e] for s, e in hit.marks]
    assert marked == ["Japan", "nuclear"] and hit.lexical_rank == 1 and hit.vector_rank is None
