"""The Verbatim reader on the real sample files, with expectations taken from their XML (bad and
odd input, section 5, is in tests/test_verbatim_reader_odd.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level, Mark
from evidence.verbatim import read_verbatim
from evidence.verbatim.cites import BY_POSITION
from tests.verbatim_samples import VERBATIM, _texts
from tests.verbatim_samples import docs as docs  # a fixture, the sample files read once

# --- 1. card counts against a deliberately simple python-docx count -------------------------


def _level(p: Any) -> int:
    own = p._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    if own:
        return int(own[0]) + 1 if int(own[0]) <= 3 else 0
    sid = p.style.style_id if p.style is not None else ""
    return int(sid[-1]) if sid in ("Heading1", "Heading2", "Heading3", "Heading4") else 0


def _char_styles(p: Any) -> set[str]:
    return {el.get(qn("w:val")) for el in p._p.xpath(".//w:r/w:rPr/w:rStyle")}


def _cite_by_rule(p: Any) -> bool:  # VERBATIM.md: Cite run, or [ ( < * first, or a URL
    text = p.text.lstrip()
    return (
        "Style13ptBold" in _char_styles(p)
        or text[:1] in ("[", "(", "<", "*")
        or "http://" in text
        or "https://" in text
    )


def _underlined(p: Any) -> bool:
    direct = [el.get(qn("w:val")) for el in p._p.xpath(".//w:r/w:rPr/w:u")]
    return bool(_char_styles(p) & {"StyleUnderline", "Emphasis"}) or any(
        v not in (None, "none") for v in direct
    )


def independent_count(path: Path) -> tuple[int, int]:
    """(tags followed by a cite by the rule, tags followed by a plain cite-by-position: a
    paragraph with a year, then underlined text)."""
    paras = docx.Document(str(path)).paragraphs
    strict = positional = 0
    for i, p in enumerate(paras):
        if _level(p) != 4 or not p.text.strip():
            continue
        after = []
        for q in paras[i + 1 :]:
            if _level(q):
                break
            if q.text.strip():
                after.append(q)
        if after and _cite_by_rule(after[0]):
            strict += 1
        elif len(after) > 1 and any(c.isdigit() for c in after[0].text):
            positional += any(_underlined(q) for q in after[1:])
    return strict, positional


@pytest.mark.parametrize(
    ("name", "strict", "positional"), [("1nc", 20, 0), ("neg", 50, 9), ("neg-2", 51, 17)]
)
def test_card_counts_match_an_independent_count(
    docs: dict[str, CardDocument], name: str, strict: int, positional: int
) -> None:
    assert independent_count(VERBATIM / f"{name}.docx") == (strict, positional)
    cards = docs[name].cards()
    assert len(cards) == strict + positional
    assert sum(BY_POSITION in c.warnings for c in cards) == positional
    assert docs[name].warnings == []


# --- 2. spot checks, expected values read from the XML --------------------------------------


def _card(doc: CardDocument, tag_start: str) -> Card:
    (card,) = [c for c in doc.cards() if c.tag.startswith(tag_start)]
    return card


def test_1nc_matanich_card(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["1nc"], "Protection means to command a cessation of use.")
    assert card.short_cite == "Matanich 96"  # "Johanna " precedes the Cite runs
    assert card.full_cite.startswith("Johanna Matanich 96, ARTICLE: A Treaty Comes of Age")
    assert card.full_cite.endswith("International Legal Perspectives, 8, 37, lexis")
    first, second = card.body.split("\n")  # a two-paragraph body
    assert first.startswith("UNCLOS imposes a duty upon states to conserve whales")
    assert second.startswith("The Vienna Convention on the Law of Treaties")
    assert second.endswith("which provides further support for this conclusion.")
    assert _texts(card, Mark.HIGHLIGHT) == [
        "conservation connotes", "conservative use", "protection", "command a cessation of use"
    ]  # fmt: skip
    assert {s.color for s in card.marked(Mark.HIGHLIGHT)} == {"cyan"}
    assert _texts(card, Mark.EMPHASIS) == ["command a cessation of use"]
    underline = _texts(card, Mark.UNDERLINE)
    assert (
        underline[0]
        == "UNCLOS creates the obligation to protect and preserve the marine environment"
    )
    # Adjacent StyleUnderline and Emphasis runs merge into one underline span.
    assert underline[-1].startswith("conservation connotes a conservative use of a resource")
    assert underline[-1].endswith('"protection" is used to command a cessation of use.')


def test_neg_farley_card_has_two_highlight_colours(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["neg"], "Plank 2 solves norms")
    assert card.short_cite == "1AC Farley 18"
    assert card.full_cite.startswith("Robert 1AC Farley 18, assistant professor at the Patterson")
    assert len(card.body.split("\n")) == 6
    assert card.body.startswith("Under what legal authority can the United States undertake")
    assert _texts(card, Mark.HIGHLIGHT, "cyan")[:6] == [
        "legal authority", "U", "S", "take", "strikes against No", "Ko"
    ]  # fmt: skip
    assert _texts(card, Mark.HIGHLIGHT, "yellow")[:2] == [
        "bloody nose” attack would make a mockery of", "international law, with"
    ]  # fmt: skip
    assert _texts(card, Mark.EMPHASIS)[:2] == ["what legal authority", "U"]
    assert _texts(card, Mark.UNDERLINE)[:3] == ["Under", "what legal authority", "can the"]


def test_neg_card_end_marker_in_cite_style_stays_in_the_body(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["neg"], "This sari card describes the CP")
    assert (card.short_cite, card.full_cite[:25]) == ("Sari 18", "[Aurel Sari, Associate Pr")
    assert "\n[Michigan’s Card End]\n" in card.body
    assert {s.color for s in card.marked(Mark.HIGHLIGHT)} == {"cyan"}


def test_neg_cite_found_by_position(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["neg"], "Deterrence high because of bloody nose threats.")
    assert card.warnings == [BY_POSITION]
    assert card.short_cite == "LEE AND ALEXANDROVA ’19"  # its bold words, up to the year
    assert card.full_cite.startswith("Dong Sun LEE IR @ Korea University AND Iordanka")
    assert card.body.startswith("Finally, some discussions are in order")


def test_neg2_macintosh_card_green_highlight(docs: dict[str, CardDocument]) -> None:
    card = _card(docs["neg-2"], "Business practices refer to repeatable transactions.")
    assert card.short_cite == "Macintosh 97"
    assert card.full_cite.startswith("Kerry Lynn Macintosh 97, Associate Professor of Law")
    assert "\n" not in card.body and card.body.startswith("These new and revised articles")
    assert _texts(card, Mark.HIGHLIGHT, "green")[:3] == [
        'the term "business practices',
        "refer to practices that emerge over time as countless market participants ",
        "engage in",
    ]
    assert _texts(card, Mark.EMPHASIS)[:3] == ["codify", "business practices", "emerge over time"]
    assert _texts(card, Mark.UNDERLINE)[:2] == [
        "new and revised articles reflect a strong trend toward choosing default rules", "that"
    ]  # fmt: skip


# --- 3 and 4. outline and analytics ---------------------------------------------------------


def _heading(node: Any) -> Heading:
    assert isinstance(node, Heading), node
    return node


def _shape(nodes: list[Any]) -> list[tuple[str, str]]:
    return [(type(n).__name__, n.title if isinstance(n, Heading) else n.tag) for n in nodes]


def test_1nc_outline_hats_blocks_and_analytics(docs: dict[str, CardDocument]) -> None:
    hats = [_heading(n) for n in docs["1nc"].nodes]
    assert [(h.level, h.title) for h in hats] == [
        (Level.HAT, "Offcase"),
        (Level.HAT, "Equitable Apportionment ADV"),
        (Level.HAT, "Article III ADV"),
        (Level.HAT, "International Water Law ADV"),
    ]
    blocks = [_heading(n) for n in hats[0].children]
    assert {b.level for b in blocks} == {Level.BLOCK}
    assert [b.title for b in blocks] == [
        "1NC---T", "1NC---T", "1NC---CP", "1NC---CP", "1NC---DA", "1NC---DA"
    ]  # fmt: skip
    assert _shape(blocks[0].children) == [
        ("Card", "Protection means to command a cessation of use."),
        ("Analytic", "Violation: the plan does not eliminate military use of water."),
        ("Analytic", "Vote Neg for limits and ground. There are infinite ways to affect water OR "
         "prevent threats---err Neg on a massive topic with unlimited mechanisms."),
    ]  # fmt: skip
    # The counterplan text: a Tag-level plan and its planks, all Heading 4 with no cite.
    plan = blocks[3].children
    assert _shape(plan) == [
        ("Analytic", "The United States Congress and Executive should:"),
        ("Analytic", "prohibit overdrawing aquifers,"),
        ("Analytic", "invest in agriculture, especially for food insecure countries,"),
        ("Analytic", "incentivize other countries to adopt the significant harms principle and "
         "reject equitable apportionment, and"),
        ("Analytic", "fund desalination projects and provide water to insecure countries."),
        ("Card", "Payments convince other states."),
    ]  # fmt: skip
    assert all(n.text == "" for n in plan[:5] if isinstance(n, Analytic))


def test_neg_pockets(docs: dict[str, CardDocument]) -> None:
    pockets = [_heading(n) for n in docs["neg"].nodes]
    assert [(p.level, p.title) for p in pockets] == [
        (Level.POCKET, t) for t in ("1NC", "2NC", "1NR", "2NR")
    ]
    # Blocks straight under a Pocket (no Hat) stay where they are.
    blocks = [_heading(n) for n in pockets[0].children]
    assert [b.level for b in blocks] == [Level.BLOCK] * 6
    plan = blocks[2].children[0]
    assert isinstance(plan, Analytic) and plan.tag == "The United States federal government should:"
    assert plan.text.split("\n")[2] == "adopt an No first use policy."
    assert [h.title for h in map(_heading, pockets[1].children)] == ["CP", "Korea", "Norms"]


# --- 6. invariants over every sample card ---------------------------------------------------


def test_span_and_body_invariants(docs: dict[str, CardDocument]) -> None:
    for name, doc in docs.items():
        paras = docx.Document(str(VERBATIM / f"{name}.docx")).paragraphs
        lines = [p.text.replace("\t", " ").replace("\n", " ") for p in paras]
        at = 0
        for card in doc.cards():
            assert card.body and card.tag and card.spans, card.tag
            for s in card.spans:
                assert 0 <= s.start < s.end <= len(card.body), (card.tag, s)
                assert "\n" not in card.body[s.start : s.end], (card.tag, s)
                assert bool(s.color) == (s.mark == Mark.HIGHLIGHT), (card.tag, s)
            covered = {(s.start, s.end) for s in card.marked(Mark.UNDERLINE)}
            for s in card.marked(Mark.EMPHASIS):  # emphasis is underlined too
                assert any(a <= s.start and s.end <= b for a, b in covered), (card.tag, s)
            for line in card.body.split("\n"):  # python-docx's paragraph text, in order
                at = lines.index(line, at)
    card = _card(docs["1nc"], "Extinction.")  # whole-body comparison for one card
    paras = docx.Document(str(VERBATIM / "1nc.docx")).paragraphs
    start = next(i for i, p in enumerate(paras) if p.text == "Extinction.") + 2
    assert card.body == "\n".join(p.text for p in paras[start : start + 1])


def test_neg_reads_fast() -> None:
    started = time.perf_counter()
    doc = read_verbatim(VERBATIM / "neg.docx")
    assert time.perf_counter() - started < 1.0 and doc.cards()
