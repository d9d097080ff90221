"""A passage that already is a debater's card keeps their marks, and their tag when it says
what the claim needs; the team says which it did."""

from __future__ import annotations

from agents.cutter.extractive import cut_marks
from agents.team.cut_rounds import run_cut
from agents.team.events import Message, RunDone
from agents.team.tasks import CutTask
from agents.team.team import Team
from evidence.library import Library
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES
from tests.scripted_generator import ScriptedGenerator


def _matanich():  # type: ignore[no-untyped-def]
    cards = read_verbatim((SAMPLES / "verbatim" / "1nc.docx").read_bytes()).cards()
    return next(c for c in cards if c.short_cite.startswith("Matanich"))


def test_the_debaters_card_keeps_their_tag_and_marks(sample_library: Library, embedder) -> None:  # type: ignore[no-untyped-def]
    own = _matanich()
    gen = ScriptedGenerator(["A generated tag the debater never wrote."] * 4)
    events = list(run_cut(CutTask(own.tag, 1), Team(sample_library, gen, embedder, cut_marks)))
    done = events[-1]
    assert isinstance(done, RunDone) and len(done.cards) == 1
    card = done.cards[0]
    assert card.short_cite.startswith("Matanich")
    assert card.tag == own.tag
    assert sorted(card.spans) == sorted(own.spans)  # their underline and highlight, as cut
    assert any(isinstance(e, Message) and "kept the debater's own tag and marks" in e.text
               for e in events)  # fmt: skip
    assert gen.requests == []  # no tag was generated


def test_a_claim_that_needs_another_tag_keeps_only_the_marks(
    sample_library: Library, embedder
) -> None:  # type: ignore[no-untyped-def]
    own = _matanich()
    claim = "UNCLOS requires states to conserve whales"
    gen = ScriptedGenerator(["Protection under UNCLOS means stopping use entirely."] * 8)
    task = CutTask(claim, 2)
    events = list(run_cut(task, Team(sample_library, gen, embedder, cut_marks)))
    done = events[-1]
    assert isinstance(done, RunDone)
    mine = [c for c in done.cards if c.short_cite.startswith("Matanich")]
    assert mine, [c.short_cite for c in done.cards]
    assert mine[0].tag != own.tag
    assert sorted(mine[0].spans) == sorted(own.spans)
    assert any(isinstance(e, Message) and "kept the debater's own marks" in e.text for e in events)
