"""The Reviewer's contradiction check, on real development cards with the real embedder: it
flags a debater's tag negated by rule and passes the debater's own tag; in a team run a
contradicting tag becomes an objection on the card."""

from __future__ import annotations

import numpy as np
import pytest

from agents.cutter.extractive import cut_marks
from agents.team import contradiction
from agents.team.contradiction import ContradictionCheck, load_check, read_check, save_check
from agents.team.cut_rounds import run_cut
from agents.team.events import CardReviewed, RunDone
from agents.team.flips import negation_insert
from agents.team.polarity import LEXICON, polar_terms, tokens
from agents.team.reviewer import contradiction_objection
from agents.team.tasks import CutTask
from agents.team.team import Team
from bench.contradiction_data import UNSEEN, Example, development, variant
from evidence.cards.card import Card
from evidence.index.embedding import Embedder
from evidence.library import Library
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES
from tests.scripted_generator import ScriptedGenerator

OPPOSITE = "the tag says the opposite of the card"


def _check() -> ContradictionCheck:
    check = load_check()
    assert check is not None, "resources/contradiction weights missing or unusable"
    return check


def test_negation_flips_a_polar_word_and_the_rules_make_the_opposite() -> None:
    assert [p.sign for p in polar_terms(tokens("Sanctions will not increase trade"))] == [-1]
    assert [p.sign for p in polar_terms(tokens("Sanctions increase trade"))] == [1]
    assert negation_insert("Sanctions will solve the war") == "Sanctions will not solve the war"
    assert negation_insert("Tariffs reduce growth") is None  # a base form may be a noun
    assert negation_insert("Tariffs reduces growth") == "Tariffs does not reduce growth"
    assert variant("Tariffs won't hurt growth", "negation_remove") == "Tariffs will hurt growth"
    assert variant("Sanctions increase trade", "direction") == "Sanctions decrease trade"
    assert all(w not in LEXICON for p, n in UNSEEN for w in p + n)  # held out of the lexicon


def _dev_cases(n: int) -> list[tuple[Example, Example]]:
    """(real, negated) pairs of the first n development cards a "not" can be put in."""
    examples = development()
    real = {e.card.body: e for e in examples if e.kind == "real"}
    pairs = [(real[e.card.body], e) for e in examples if e.kind == "negation_insert"]
    return pairs[:n]


def test_flags_negated_real_tags_and_passes_the_real_ones(embedder) -> None:  # type: ignore[no-untyped-def]
    check = _check()
    pairs = _dev_cases(30)
    assert len(pairs) == 30
    real = [check.check(r.tag, r.card, embedder) for r, _ in pairs]
    negated = [check.check(n.tag, n.card, embedder) for _, n in pairs]
    assert all(v is not None for v in real + negated)
    real_flagged = np.mean([v.flagged for v in real if v])
    negated_flagged = np.mean([v.flagged for v in negated if v])
    # Measured on these 30 cards: 0 % and 40 % (validation: bench/contradiction_eval.py).
    # The debaters' own tags pass; a share of their negations is caught, which the cosine
    # check (negated tags are its neighbours) cannot do at all.
    assert real_flagged <= 0.1, real_flagged
    assert negated_flagged >= 0.3, negated_flagged


def _dev_card() -> Card:
    cards = read_verbatim((SAMPLES / "verbatim" / "neg-2.docx").read_bytes()).cards()
    return next(c for c in cards if c.tag == TAG)


TAG = "Problem is getting worse"  # Johnson & Gruber 19: the problem "appears to be getting worse"


def test_one_debaters_tag_passes_and_its_negation_is_flagged(embedder) -> None:  # type: ignore[no-untyped-def]
    card = _dev_card()
    negated = negation_insert(card.tag)
    assert negated == "Problem is not getting worse"
    check = _check()
    own = check.check(card.tag, card, embedder)
    flipped = check.check(negated, card, embedder)
    assert own is not None and not own.flagged, own
    assert flipped is not None and flipped.flagged, flipped
    assert flipped.probability > own.probability
    assert contradiction_objection(card.tag, card, embedder) == ""
    objection = contradiction_objection(negated, card, embedder)
    assert objection.startswith(OPPOSITE) and "worse" in objection, objection


def test_a_contradicting_tag_becomes_an_objection_in_a_team_run(
    sample_library: Library,
    embedder: Embedder,
) -> None:
    card = _dev_card()
    negated = negation_insert(card.tag)
    assert negated
    hits = sample_library.search(card.tag + " cloud computing innovation", k=20)
    store = sample_library.store
    [pid] = [
        h.passage_id
        for h in hits
        if card.body[:60] in store.source_text(h.source_id)[h.start : h.end]
    ][:1]
    gen = ScriptedGenerator([negated] * 3)
    task = CutTask("whale conservation under UNCLOS", 1, passage_id=pid)
    events = list(run_cut(task, Team(sample_library, gen, embedder, cut_marks)))
    done = events[-1]
    assert isinstance(done, RunDone) and len(done.cards) == 1
    assert done.cards[0].tag.rstrip(".") == negated  # the Writer ends a tag with a period
    reviewed = [e for e in events if isinstance(e, CardReviewed)]
    assert reviewed and any(p.startswith(OPPOSITE) for p in reviewed[0].problems), reviewed
    assert any(OPPOSITE in o for o in done.objections), done.objections


def test_weights_round_trip_and_damaged_weights_switch_the_check_off(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    check = _check()
    path = tmp_path / "w.npz"
    save_check(path, check)
    again = read_check(path)
    assert again.threshold == pytest.approx(check.threshold)
    path.write_bytes(b"not an npz")
    with pytest.raises((OSError, ValueError)):
        read_check(path)
    monkeypatch.setattr(contradiction, "resource_path", lambda *parts: path)
    contradiction.load_check.cache_clear()
    try:
        assert contradiction.load_check() is None
    finally:
        contradiction.load_check.cache_clear()
