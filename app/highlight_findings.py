"""The cards an import flagged for their highlight, for the window to list: each with where
it sits and the checker's findings in words. Only the flagged cards are read and checked
(the count was stored at import: evidence/cards/flagged.py), so the listing stays quick on
a big import. A plain job function (app/jobs.py): no Qt here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.context import AppContext
from app.jobs import JobFn, Report
from evidence.cancel import CancelCheck
from evidence.cards.card import Card
from evidence.cards.highlight_check import check_card


@dataclass(frozen=True)
class FlaggedCard:
    card_id: int
    card: Card
    place: str  # "file ▸ pocket ▸ hat ▸ block"
    messages: list[str]


def flagged_cards_job(ctx: AppContext, source_ids: Sequence[int] | None) -> JobFn:
    """The flagged cards these sources hold (every source's when None), in import order."""
    chosen = list(source_ids) if source_ids is not None else None

    def run(report: Report, cancelled: CancelCheck) -> list[FlaggedCard]:
        lib = ctx.open_library()
        try:
            names = {s.id: s.display_name for s in lib.sources()}
            out: list[FlaggedCard] = []
            for row in lib.flagged_cards(chosen):
                if cancelled():
                    break
                if not isinstance(row.node, Card):
                    continue
                found = check_card(row.node)
                if not found:  # the checker changed since the import counted it
                    continue
                where = [names.get(row.source_id, ""), *(title for _, title in row.path)]
                place = " ▸ ".join(w for w in where if w)
                out.append(FlaggedCard(row.id, row.node, place, [f.message for f in found]))
            return out
        finally:
            lib.close()

    return run
