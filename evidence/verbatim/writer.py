"""Export a CardDocument as a Verbatim .docx (shared/VERBATIM.md): Pocket/Hat/Block/Tag
headings, a cite paragraph per card, and the body with underline, emphasis and highlight.

python-docx supplies the package, styles and metadata; the body is built as XML text, since
a 300-page backfile is a hundred thousand runs and python-docx's add_run is far too slow.
"""

from __future__ import annotations

import errno
import io
import logging
import re
import zipfile
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn

from evidence.atomic import atomic_open
from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Mark, Node
from evidence.documents.provenance import bookmark_name
from evidence.documents.styles_keep import SECTION, STYLES_PART, kept_styles
from evidence.verbatim.styles_def import (
    CITE_STYLE_ID,
    EMPHASIS_STYLE_ID,
    HEADING_STYLE_IDS,
    UNDERLINE_STYLE_ID,
    apply_verbatim_styles,
    half_points,
    resolve_highlight,
)

log = logging.getLogger(__name__)

APP_NAME = "Debate Prep"

# Characters XML 1.0 cannot hold; each becomes one space so span offsets stay valid.
_SECT_PR = re.compile(r"<w:sectPr[ >].*?</w:sectPr>|<w:sectPr[^>]*/>", re.S)
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class ExportError(Exception):
    """The file could not be saved; the message names the path and what the user can do."""


@dataclass
class ExportOptions:
    highlight_color: str | None = None  # None keeps each span's colour; else e.g. "cyan"
    shrink: bool = False  # unmarked body text at shrink_size_pt, as Verbatim's Shrink does
    shrink_size_pt: float = 8.0
    condense: bool = False  # each card body in one paragraph ("\n" -> " "), Verbatim's F3
    include_analytics: bool = True


def export_warnings(doc: CardDocument, options: ExportOptions | None = None) -> list[str]:
    """What the export will change, for the UI to show: unknown highlight colours."""
    forced = (options or ExportOptions()).highlight_color
    if forced is not None:
        colors = [forced]
    else:
        colors = [s.color for c in doc.cards() for s in c.marked(Mark.HIGHLIGHT)]
    unknown = sorted({c for c in colors if not resolve_highlight(c)[1]})
    return [f"Highlight colour {c!r} is not a Word highlight colour; used yellow" for c in unknown]


def docx_bytes(
    doc: CardDocument,
    options: ExportOptions | None = None,
    *,
    styles: bytes | None = None,
    parts: Mapping[str, bytes] | None = None,
) -> bytes:
    """The .docx; `styles` is a styles.xml to keep (a document's own, see
    evidence/documents/styles_keep.py) in place of ours, and `parts` more parts to keep
    (theme, numbering), in the same pass over the package."""
    options = options or ExportOptions()
    for warning in export_warnings(doc, options):
        log.warning("%s", warning)
    document = docx.Document()
    apply_verbatim_styles(document)
    _tidy_template(document, doc.title)
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    builder = _Builder(options)
    builder.nodes(doc.nodes)
    replace: dict[str, bytes] = {}
    if styles is not None:
        kept = kept_styles(styles, document.styles.element)
        if kept is not None:  # None: the original is damaged, ours are used
            replace = {**(parts or {}), STYLES_PART: kept}
    packed = io.BytesIO()
    document.save(packed)
    return _splice_body(packed.getvalue(), "".join(builder.out), replace)


def write_docx(doc: CardDocument, path: Path, options: ExportOptions | None = None) -> None:
    """Write `doc` to `path` atomically: on any error the old file is left as it was."""
    data = docx_bytes(doc, options)  # built first: a bug here never touches the file
    path = Path(path)
    opened = False
    try:
        with atomic_open(path) as fh:
            opened = True
            fh.write(data)
    except OSError as exc:
        raise export_error(path, exc, replacing=opened) from exc


def export_error(path: Path, exc: OSError, *, replacing: bool) -> ExportError:
    """A user-facing ExportError for `exc`; `replacing` is True once the temp file existed,
    so a PermissionError then means the target itself is locked (open in Word on Windows)."""
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        advice = "the disk is full: free some space or choose another folder"
    elif code == errno.EROFS:
        advice = "the location is read-only: choose another folder"
    elif isinstance(exc, PermissionError):
        advice = (
            "the file is open in another program or read-only: close it in Word and try again"
            if replacing
            else "this folder cannot be written to: choose another folder"
        )
    elif isinstance(exc, IsADirectoryError):
        advice = "a folder has that name: choose another file name"
    elif isinstance(exc, (FileNotFoundError, NotADirectoryError)):
        advice = "the folder does not exist: choose another folder"
    else:
        advice = f"{exc.strerror or exc}: try again or choose another folder"
    return ExportError(f"Could not save {path}: {advice}.")


def _tidy_template(document: Any, title: str) -> None:
    """Our metadata, modern Word mode, and none of python-docx's template leftovers."""
    props = document.core_properties
    now = datetime.now(UTC).replace(microsecond=0)
    props.title = _clean(title)
    props.author = APP_NAME
    props.last_modified_by = APP_NAME
    props.comments = ""
    props.created = now
    props.modified = now
    props.revision = 1
    # Mode 14 would open as "[Compatibility Mode]" (Word 2010); 15 is every Word since 2013.
    for setting in document.settings.element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    # Word 2010's styles copy still has the template's blue headings, and the thumbnail is
    # a picture of some other document: drop both.
    for rels in (document.part.rels, document.part.package.rels):
        for r_id, rel in list(rels.items()):
            if rel.reltype.endswith(("/stylesWithEffects", "/thumbnail")):
                del rels[r_id]


def _splice_body(package: bytes, body_xml: str, parts: dict[str, bytes]) -> bytes:
    """Put the body XML, built as text, into word/document.xml before the section properties:
    building text is several times faster than building (and then serializing) lxml trees.
    `parts` replace the package's parts of those names."""
    src = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                if "<w:body>" not in xml:  # python-docx always keeps the w:sectPr there
                    raise RuntimeError("python-docx wrote a document.xml with no body")
                if SECTION in parts:  # the document's own page setup, not python-docx's
                    xml = _SECT_PR.sub(lambda _m: parts[SECTION].decode("utf-8"), xml, count=1)
                data = xml.replace("<w:body>", "<w:body>" + body_xml, 1).encode("utf-8")
            data = parts.get(info.filename, data)
            dst.writestr(info.filename, data)
    return out.getvalue()


def _clean(text: str) -> str:
    return _BAD_XML.sub(" ", text) if _BAD_XML.search(text) else text


def _escape(text: str) -> str:
    text = _clean(text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


class _Builder:
    """Collects the body as XML text in `out`."""

    def __init__(self, options: ExportOptions) -> None:
        self.out: list[str] = []
        self.options = options
        self.forced = (
            resolve_highlight(options.highlight_color)[0] if options.highlight_color else None
        )
        small = half_points(options.shrink_size_pt)
        self.small = f'<w:sz w:val="{small}"/><w:szCs w:val="{small}"/>'
        self.bookmarks: set[str] = set()  # provenance bookmark names used (unique per file)

    def nodes(self, nodes: list[Node]) -> None:
        for node in nodes:
            if isinstance(node, Heading):
                self._text_paragraph(node.title, HEADING_STYLE_IDS[Level(node.level)])
                self.nodes(node.children)
            elif isinstance(node, Card):
                self.card(node)
            elif self.options.include_analytics:
                self.analytic(node)

    def analytic(self, node: Analytic) -> None:
        self._text_paragraph(node.tag, HEADING_STYLE_IDS[Level.TAG])
        if node.text:
            for line in node.text.split("\n"):
                self._text_paragraph(line, None)

    def card(self, card: Card) -> None:
        name = None
        if card.source_id is not None:
            name = bookmark_name(card.source_id, card.source_offset, self.bookmarks)
        if name is None:
            self._text_paragraph(card.tag, HEADING_STYLE_IDS[Level.TAG])
        else:  # the provenance, as a hidden bookmark around the tag's text
            n = len(self.bookmarks)
            self.out.append(
                f'<w:p><w:pPr><w:pStyle w:val="{HEADING_STYLE_IDS[Level.TAG]}"/></w:pPr>'
                f'<w:bookmarkStart w:id="{n}" w:name="{name}"/>'
                f'{_run(card.tag, "") if card.tag else ""}<w:bookmarkEnd w:id="{n}"/></w:p>'
            )
        lines = card.full_cite.split("\n")
        if card.short_cite and _two_line_cite(lines):
            self._cite_paragraph(card.short_cite, lines[0])
            self._text_paragraph(lines[1], None)
        else:  # one paragraph; any other line break in the full cite is a w:br
            self._cite_paragraph(card.short_cite, card.full_cite)
        self.body_paragraphs(card)

    def _cite_paragraph(self, short: str, full: str) -> None:
        self.out.append("<w:p>")
        at = full.find(short) if short else -1
        if at > 0:
            # "Johanna Matanich 96, ARTICLE ...": the short cite is inside the full cite (as
            # the reader found it); style it in place rather than write it twice.
            cite = f'<w:rStyle w:val="{CITE_STYLE_ID}"/>'
            self.out.append(_run(full[:at], ""))
            self.out.append(_run(short, cite))
            if full[at + len(short) :]:
                self.out.append(_run(full[at + len(short) :], ""))
            self.out.append("</w:p>")
            return
        if short:
            self.out.append(_run(short, f'<w:rStyle w:val="{CITE_STYLE_ID}"/>'))
        if full:
            self.out.append(_run((" " if short else "") + full, ""))
        self.out.append("</w:p>")

    def body_paragraphs(self, card: Card) -> None:
        text = card.body
        n = len(text)
        if self.options.condense:
            text = text.replace("\n", " ")  # one char for one: span offsets still hold
        cuts = {0, n}
        for span in card.spans:
            cuts.add(min(max(span.start, 0), n))
            cuts.add(min(max(span.end, 0), n))
        start = text.find("\n")
        while start != -1:
            cuts.update((start, start + 1))
            start = text.find("\n", start + 1)
        bounds = sorted(cuts)
        segments = len(bounds) - 1
        style = [""] * segments
        highlight = [""] * segments
        # Emphasis implies underline, so it takes the place of the Underline style.
        for span in sorted(card.spans, key=lambda s: s.mark is Mark.EMPHASIS):
            first = bisect_left(bounds, min(max(span.start, 0), n))
            last = bisect_left(bounds, min(max(span.end, 0), n))
            if span.mark is Mark.HIGHLIGHT:
                color = self.forced or resolve_highlight(span.color)[0]
                highlight[first:last] = [f'<w:highlight w:val="{color}"/>'] * (last - first)
            else:
                ref = EMPHASIS_STYLE_ID if span.mark is Mark.EMPHASIS else UNDERLINE_STYLE_ID
                style[first:last] = [f'<w:rStyle w:val="{ref}"/>'] * (last - first)

        out = self.out
        out.append("<w:p>")
        shrink = self.small if self.options.shrink else ""
        for i in range(segments):
            piece = text[bounds[i] : bounds[i + 1]]
            if piece == "\n":
                out.append("</w:p><w:p>")
                continue
            # rPr children in schema order: rStyle, sz, szCs, highlight.
            props = style[i] + highlight[i] if style[i] or highlight[i] else shrink
            out.append(_run(piece, props))
        out.append("</w:p>")

    def _text_paragraph(self, text: str, style: str | None) -> None:
        ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        self.out.append(f"<w:p>{ppr}{_run(text, '') if text else ''}</w:p>")


def _two_line_cite(lines: list[str]) -> bool:
    """VERBATIM.md's two-line layout: the short cite alone on line one (a stray comma
    allowed), then a line that opens with [ ( < or holds a URL. Written as two paragraphs,
    a reader finds both lines again; any other line break would make line two the body."""
    if len(lines) != 2 or len(lines[0].strip()) > 3:
        return False
    second = lines[1].strip()
    return bool(second) and (second[0] in "[(<" or "http://" in second or "https://" in second)


def _run(text: str, props: str) -> str:
    """A run; tabs become w:tab and line breaks w:br, as Word itself writes them."""
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    text = _escape(text)
    if "\t" not in text and "\n" not in text:
        return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'
    parts = [f"<w:r>{rpr}"]
    for line_no, line in enumerate(text.split("\n")):
        if line_no:
            parts.append("<w:br/>")
        for part_no, part in enumerate(line.split("\t")):
            if part_no:
                parts.append("<w:tab/>")
            if part:
                parts.append(f'<w:t xml:space="preserve">{part}</w:t>')
    parts.append("</w:r>")
    return "".join(parts)
