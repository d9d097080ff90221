"""One card, once per result: a card that a team's two round files both hold is cut once."""

from __future__ import annotations

from dataclasses import replace

from agents.cutter.extractive import cut_marks
from agents.team.cut_rounds import run_cut
from agents.team.events import RunDone
from agents.team.tasks import CutTask
from agents.team.team import Team
from evidence.cards.card import CardDocument
from evidence.library import Library
from evidence.settings import Settings
from evidence.verbatim.reader import read_verbatim
from evidence.verbatim.writer import write_docx
from tests.conftest import SAMPLES
from tests.scripted_generator import ScriptedGenerator


def test_a_card_two_files_hold_is_cut_once(data_dir, embedder, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cards = read_verbatim((SAMPLES / "verbatim" / "1nc.docx").read_bytes()).cards()
    whales = next(c for c in cards if c.short_cite.startswith("Matanich"))
    others = [c for c in cards if c is not whales and len(c.body.split()) > 40]
    # A team's two round files: the same card under two tags, beside different cards.
    for name, tag, extra in (("r1.docx", "Protection means a halt.", others[:2]),
                             ("r2.docx", "Protect = stop using.", others[2:4])):  # fmt: skip
        doc = CardDocument([replace(whales, tag=tag), *extra])
        write_docx(doc, tmp_path / name)
    lib = Library(data_dir, Settings(), lambda: embedder)
    list(lib.import_paths([tmp_path / "r1.docx", tmp_path / "r2.docx"]))
    gen = ScriptedGenerator(
        [f"Protection requires a cessation of use, reason {n}." for n in range(9)]
    )
    task = CutTask("Protection means to command a cessation of use", 3)
    done = list(run_cut(task, Team(lib, gen, embedder, cut_marks)))[-1]
    assert isinstance(done, RunDone) and done.cards
    bodies = [" ".join(c.body.split()) for c in done.cards]
    assert len(bodies) == len(set(bodies)), [c.short_cite for c in done.cards]
    assert " ".join(whales.body.split()) in bodies  # the shared card is cut, once
    lib.close()
