"""The Verbatim sample files read once per test module, and a helper that lists a card's marked
text, for tests/test_verbatim_reader.py and tests/test_verbatim_reader_odd.py."""

from __future__ import annotations

import pytest

from evidence.cards.card import Card, CardDocument, Mark
from evidence.verbatim import read_verbatim
from tests.conftest import SAMPLES

VERBATIM = SAMPLES / "verbatim"
FILES = ["1nc", "neg", "neg-2"]


@pytest.fixture(scope="module")
def docs() -> dict[str, CardDocument]:
    return {name: read_verbatim(VERBATIM / f"{name}.docx") for name in FILES}


def _texts(card: Card, mark: Mark, color: str | None = None) -> list[str]:
    spans = [s for s in sorted(card.marked(mark)) if color is None or s.color == color]
    return [card.body[s.start : s.end] for s in spans]
