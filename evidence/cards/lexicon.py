"""Word lists about how a card reads: negations, hedges and function words.

Shared by the highlight checker (evidence/cards/highlight_check.py) and the cutter
(agents/cutter), which may import evidence but never the reverse. Keys are lowercase words
with punctuation removed ("don't" -> "dont").
"""

from __future__ import annotations

import re

# Words that flip or weaken a claim: the cutter keeps them with a highlighted claim.
NEGATIONS = frozenset(
    "not no never none nor neither cannot without fail fails failed failing unlikely "
    "little few hardly barely rarely lack lacks".split()
)
HEDGES = frozenset(
    "may might could can possibly perhaps probably likely unlikely some sometimes often "
    "potentially seem seems appear appears suggest suggests if unless only".split()
)
# The negations whose loss reverses what a read says ("will [not] solve"): the checker's
# narrower list, since "few" or "fail" dropped from a read changes it less plainly.
REVERSING = frozenset("not no never cannot neither none nothing nobody nowhere".split())

FUNCTION_WORDS = frozenset(
    """a an the of to in on at by for from with as into onto upon about over under than
    and or but nor so yet if then that which who whom whose this these those there here it its
    is are was were be been being am do does did has have had having will would shall should
    can could may might must not no also just very such both each either neither other another
    any some all more most much many own same their they them he she his her him we our us you
    your i me my what when where why how while because although though since until unless
    whether between among through during before after above below up down out off again further
    once only too s""".split()
)


_NOT_WORD = re.compile(r"[^\w]")


def word_key(text: str) -> str:
    """Lowercase letters and digits only."""
    return _NOT_WORD.sub("", text.lower())


def negated_contraction(text: str) -> bool:
    """ "don't", "won’t", "isn't": a word that carries its own negation."""
    low = text.lower().replace("’", "'")
    return "n't" in low
