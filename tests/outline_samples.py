"""Sample cards and a small built outline for tests/test_gui_outline.py and
tests/test_gui_outline_export.py."""

from __future__ import annotations

import copy

import pytest

from evidence.cards.card import Analytic, Card, CardDocument, Heading, Level
from evidence.verbatim.reader import read_verbatim
from tests.conftest import SAMPLES

NEG = SAMPLES / "verbatim" / "neg.docx"


@pytest.fixture(scope="module")
def sample_cards() -> list[Card]:
    return read_verbatim(NEG).cards()


def built_outline(cards: list[Card]) -> CardDocument:
    a, b, c, d = (copy.deepcopy(x) for x in cards[:4])
    return CardDocument([
        Heading(Level.POCKET, "1NC", [
            Heading(Level.HAT, "Case", [
                Heading(Level.BLOCK, "Solvency", [a, b]),
                Heading(Level.BLOCK, "Harms", [c, Analytic("They drop the impact", "Extend it.")]),
            ]),
        ]),
        Heading(Level.BLOCK, "Top-level block", [d]),
    ])  # fmt: skip
