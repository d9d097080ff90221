"""The outline file: every field survives a save and load, and a broken file is kept aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Mark, Node, Span
from evidence.cards.outline_file import (
    SCHEMA_VERSION,
    OutlineFormatError,
    load_outline,
    outline_from_json,
    outline_to_json,
    save_outline,
)
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES

text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=30)


@st.composite
def cards(draw: st.DrawFn) -> Card:
    body = draw(st.text(min_size=0, max_size=80))
    spans = []
    for _ in range(draw(st.integers(0, 4))):
        a = draw(st.integers(0, len(body)))
        b = draw(st.integers(a, len(body)))
        mark = draw(st.sampled_from(list(Mark)))
        color = draw(st.sampled_from(["yellow", "cyan", ""])) if mark == Mark.HIGHLIGHT else ""
        spans.append(Span(a, b, mark, color))
    return Card(
        tag=draw(text),
        short_cite=draw(text),
        full_cite=draw(text),
        body=body,
        spans=spans,
        warnings=draw(st.lists(text, max_size=2)),
        source_id=draw(st.none() | st.integers(0, 2**40)),
        source_offset=draw(st.none() | st.integers(0, 2**40)),
    )


leaves = cards() | st.builds(Analytic, text, text)


def _headings(children: st.SearchStrategy[list[Node]]) -> st.SearchStrategy[Node]:
    levels = st.sampled_from([Level.POCKET, Level.HAT, Level.BLOCK])
    return st.builds(Heading, levels, text, children)


nodes = st.recursive(leaves, lambda inner: _headings(st.lists(inner, max_size=3)), max_leaves=12)


def _verbatim_levels(items: list[Node], parent: int = 0) -> list[Node]:
    """As Verbatim and the window nest them: a heading only inside a lower-numbered one (a
    heading that cannot be is replaced by its children); the file refuses anything else."""
    out: list[Node] = []
    for node in items:
        if not isinstance(node, Heading):
            out.append(node)
        elif node.level > parent:
            out.append(Heading(node.level, node.title, _verbatim_levels(node.children, node.level)))
        else:
            out.extend(_verbatim_levels(node.children, parent))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(nodes, max_size=4), text)
def test_json_round_trip_is_identity(doc_nodes: list[Node], title: str) -> None:
    doc = CardDocument(nodes=_verbatim_levels(doc_nodes), title=title, warnings=["w"])
    assert outline_from_json(outline_to_json(doc)) == doc


def test_file_round_trip_of_a_real_backfile(tmp_path: Path) -> None:
    doc = read_verbatim(SAMPLES / "verbatim" / "neg.docx")
    first = doc.cards()[0]
    first.source_id, first.source_offset = 7, 1234  # cut cards carry where they came from
    doc.nodes.append(Analytic("Our own argument", "because reasons"))
    path = tmp_path / "outline.json"
    save_outline(path, doc)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION
    loaded = load_outline(path)
    assert loaded.problem is None
    assert loaded.document == doc
    card = loaded.document.cards()[0]
    assert (card.source_id, card.source_offset) == (7, 1234)
    assert card.marked(Mark.HIGHLIGHT) and card.marked(Mark.UNDERLINE)
    assert [p.name for p in tmp_path.iterdir()] == ["outline.json"]  # no temp file left


def test_missing_file_is_an_empty_outline_without_a_complaint(tmp_path: Path) -> None:
    loaded = load_outline(tmp_path / "outline.json")
    assert loaded.document == CardDocument() and loaded.problem is None


@pytest.mark.parametrize(
    "content, reason",
    [
        ('{"schema_version": 1, "nodes": [', "not valid JSON"),
        ("[1, 2]", "not an outline"),
        ('{"nodes": []}', "no schema_version"),
        ('{"schema_version": 99, "nodes": []}', "newer version"),
        ('{"schema_version": 1, "nodes": [{"kind": "card", "tag": 3, "body": ""}]}', "'tag'"),
        ('{"schema_version": 1, "nodes": [{"kind": "heading", "level": 4, "title": ""}]}',
         "level 4"),
        ('{"schema_version": 1, "nodes": [{"kind": "card", "tag": "t", "body": "ab",'
         ' "spans": [[0, 9, "underline", ""]]}]}', "bad span"),
        ('{"schema_version": 1, "nodes": [{"kind": "heading", "level": 1, "title": "P",'
         ' "children": [{"kind": "slide"}]}]}', "nodes[0].children[0]: unknown kind"),
    ],
)  # fmt: skip
def test_broken_file_is_moved_aside_and_kept(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "outline.json"
    path.write_text(content, encoding="utf-8")
    loaded = load_outline(path)
    assert loaded.document == CardDocument()
    assert loaded.problem is not None and reason in loaded.problem
    assert not path.exists()
    assert loaded.moved_to is not None and loaded.moved_to.parent == tmp_path
    assert loaded.moved_to.read_text(encoding="utf-8") == content  # kept, byte for byte
    assert str(loaded.moved_to) in loaded.problem
    # A second broken file on the same second does not overwrite the first one kept.
    path.write_text(content, encoding="utf-8")
    again = load_outline(path)
    assert again.moved_to is not None and again.moved_to != loaded.moved_to
    assert loaded.moved_to.exists()


def test_format_error_names_the_node() -> None:
    bad = {"schema_version": 1, "nodes": [{"kind": "card", "body": "x"}]}
    with pytest.raises(OutlineFormatError, match=r"nodes\[0\]: missing 'tag'"):
        outline_from_json(json.dumps(bad))


def test_failed_save_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "outline.json"
    save_outline(path, CardDocument([Heading(Level.BLOCK, "Old")]))
    before = path.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", full_disk)
    with pytest.raises(OSError):
        save_outline(path, CardDocument([Heading(Level.BLOCK, "New")]))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["outline.json"]
