"""The outline being built (a CardDocument) as a versioned JSON file in the data dir.

Written atomically, so a crash leaves the old outline or the new one. A file that cannot be
read (bad JSON, wrong shape, a newer schema) is moved aside, never deleted: the user's work
may still be recoverable by hand, and the app starts with an empty outline and says why.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.at_rest import FileAtRestError, keep_aside, parse_json_bounded
from evidence.atomic import atomic_write_text
from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Mark, Node, Span

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Bounds on a saved outline. Verbatim has three heading levels above the cards, each inside a
# lower-numbered one, so the JSON is at most 11 levels deep (root, nodes, 3 x heading and
# children, card, spans, span); anything deeper, or bigger, is invalid input.
MAX_OUTLINE_BYTES = 256_000_000
MAX_OUTLINE_DEPTH = 16
MAX_OUTLINE_NODES = 200_000


class OutlineFormatError(ValueError):
    """The JSON does not describe an outline this version understands."""


@dataclass
class LoadResult:
    document: CardDocument
    problem: str | None = None  # for the user: why the saved outline was not loaded
    moved_to: Path | None = None  # where the unreadable file was kept


# -- to JSON -------------------------------------------------------------------------------------


def outline_to_json(doc: CardDocument) -> str:
    data = {
        "schema_version": SCHEMA_VERSION,
        "title": doc.title,
        "warnings": list(doc.warnings),
        "nodes": [_node_to_dict(n) for n in doc.nodes],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def _node_to_dict(node: Node) -> dict[str, Any]:
    if isinstance(node, Heading):
        children = [_node_to_dict(c) for c in node.children]
        return {"kind": "heading", "level": int(node.level), "title": node.title,
                "children": children}  # fmt: skip
    if isinstance(node, Analytic):
        return {"kind": "analytic", "tag": node.tag, "text": node.text}
    return {
        "kind": "card",
        "tag": node.tag,
        "short_cite": node.short_cite,
        "full_cite": node.full_cite,
        "body": node.body,
        "spans": [[s.start, s.end, s.mark.value, s.color] for s in node.spans],
        "warnings": list(node.warnings),
        "source_id": node.source_id,
        "source_offset": node.source_offset,
    }


def save_outline(path: Path, doc: CardDocument) -> None:
    """Write atomically; OSError (disk full, read-only folder) propagates for the caller."""
    atomic_write_text(Path(path), outline_to_json(doc))


# -- from JSON -----------------------------------------------------------------------------------


def outline_from_json(text: str) -> CardDocument:
    """Parse an outline; raises OutlineFormatError saying what is wrong."""
    try:
        data = parse_json_bounded(text, max_depth=MAX_OUTLINE_DEPTH)
    except FileAtRestError as exc:
        raise OutlineFormatError(str(exc)) from None
    if not isinstance(data, dict):
        raise OutlineFormatError("not an outline object")
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise OutlineFormatError("no schema_version")
    if version > SCHEMA_VERSION:
        raise OutlineFormatError(f"written by a newer version of the app (schema {version})")
    if version < 1:
        raise OutlineFormatError(f"unknown schema_version {version}")
    nodes = _get(data, "nodes", list)
    count = [0]
    return CardDocument(
        nodes=[_node_from(n, f"nodes[{i}]", None, count) for i, n in enumerate(nodes)],
        title=_get(data, "title", str, ""),
        warnings=_str_list(data.get("warnings", []), "warnings"),
    )


def _get(obj: dict[str, Any], key: str, kind: type, default: Any = ...) -> Any:
    if key not in obj:
        if default is ...:
            raise OutlineFormatError(f"missing {key!r}")
        return default
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise OutlineFormatError(f"{key!r} should be {kind.__name__}")
    return value


def _opt_int(obj: dict[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise OutlineFormatError(f"{key!r} should be an integer or null")
    return value


def _str_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise OutlineFormatError(f"{where} should be a list of strings")
    return list(value)


def _node_from(obj: object, where: str, parent_level: int | None, count: list[int]) -> Node:
    if not isinstance(obj, dict):
        raise OutlineFormatError(f"{where} is not an object")
    count[0] += 1
    if count[0] > MAX_OUTLINE_NODES:
        raise OutlineFormatError(f"more than {MAX_OUTLINE_NODES} headings and cards")
    try:
        kind = obj.get("kind")
        if kind == "heading":
            level = _get(obj, "level", int)
            if level not in (Level.POCKET, Level.HAT, Level.BLOCK):
                raise OutlineFormatError(f"heading level {level} is not 1-3")
            if parent_level is not None and level <= parent_level:
                # As in the window: a Hat under a Pocket, a Block under either, never deeper.
                raise OutlineFormatError(f"heading level {level} inside level {parent_level}")
            children = _get(obj, "children", list, [])
            return Heading(Level(level), _get(obj, "title", str),
                           [_node_from(c, f"{where}.children[{i}]", level, count)
                            for i, c in enumerate(children)])  # fmt: skip
        if kind == "analytic":
            return Analytic(_get(obj, "tag", str), _get(obj, "text", str, ""))
        if kind == "card":
            body = _get(obj, "body", str)
            spans = [_span_from(s, len(body)) for s in _get(obj, "spans", list, [])]
            return Card(
                tag=_get(obj, "tag", str),
                short_cite=_get(obj, "short_cite", str, ""),
                full_cite=_get(obj, "full_cite", str, ""),
                body=body,
                spans=spans,
                warnings=_str_list(obj.get("warnings", []), "warnings"),
                source_id=_opt_int(obj, "source_id"),
                source_offset=_opt_int(obj, "source_offset"),
            )
    except OutlineFormatError as exc:
        if str(exc).startswith("nodes["):
            raise
        raise OutlineFormatError(f"{where}: {exc}") from None
    raise OutlineFormatError(f"{where}: unknown kind {kind!r}")


def _span_from(value: object, body_len: int) -> Span:
    if isinstance(value, list) and len(value) == 4:
        start, end, mark, color = value
        if (
            isinstance(start, int)
            and isinstance(end, int)
            and not isinstance(start, bool)
            and not isinstance(end, bool)
            and isinstance(color, str)
            and mark in {m.value for m in Mark}
            and 0 <= start <= end <= body_len
        ):
            return Span(start, end, Mark(mark), color)
    raise OutlineFormatError(f"bad span {value!r}")


# -- the file ------------------------------------------------------------------------------------


def load_outline(path: Path) -> LoadResult:
    """The saved outline; an empty one when there is none. An unreadable file is moved aside
    (kept) and the reason returned, so the UI can tell the user where it went."""
    path = Path(path)
    try:
        size = path.stat().st_size
        text = "" if size > MAX_OUTLINE_BYTES else path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadResult(CardDocument())
    except (OSError, UnicodeDecodeError) as exc:
        reason = f"it could not be read ({exc})"
    else:
        if size > MAX_OUTLINE_BYTES:
            reason = f"larger than {MAX_OUTLINE_BYTES // 1_000_000} MB"
        else:
            try:
                return LoadResult(outline_from_json(text))
            except OutlineFormatError as exc:
                reason = str(exc)
    moved = keep_aside(path)
    where = f"it was kept as {moved}" if moved else "it could not be moved aside"
    problem = f"The saved outline could not be read ({reason}); {where}. A new outline was started."
    log.warning("%s", problem)
    return LoadResult(CardDocument(), problem, moved)
