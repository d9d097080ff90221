"""The highlight checker: what a debater's own highlighting reads like, flagged in words.

Debaters skip words all the time, so the checks look only for what misreads the evidence or
breaks a rule every team follows: a highlight that starts one letter into a word, a negation
dropped between highlighted words ("will [not] solve"), highlight on text that is not
underlined, a function word highlighted on its own far from any other read word, a read
ending on "the" or "of", and a whole read with no verb. Tuned on real backfiles (see
bench/highlight_check_eval.py) so that normal highlighting passes. Pure and cheap (a few
passes over the body's words), so a listing of thousands of cards can run it on read.

Each imported card's count of findings is stored (cards.highlight_findings). A change to what
a finding is must come with a migration that sets those counts to NULL, so they are checked
again: tests/test_highlight_check.py holds a fingerprint of the verdicts that says when.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from evidence.cards.card import Card, Mark
from evidence.cards.lexicon import FUNCTION_WORDS, REVERSING, negated_contraction, word_key


class FindingKind(StrEnum):
    SPLIT_WORD = "split_word"
    DROPPED_NEGATION = "dropped_negation"
    OUTSIDE_UNDERLINE = "outside_underline"
    STRAY_FUNCTION_WORDS = "stray_function_words"
    DANGLING_END = "dangling_end"
    NO_VERB = "no_verb"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int  # [start, end) in the card body
    end: int
    message: str


# The longest unread stretch around a negation that still reads as one claim with a hole in
# it; longer skips are how debaters leave out a whole aside.
NEGATION_REACH = 2
# How far (in words) a read function word must be from any other read word to be a stray.
STRAY_GAP = 15
# Words a read sentence should not end on: it trails off into what was skipped.
# ("in", "on", "up" are left out: "keep the lights on" ends on a particle, not a gap.)
DANGLING = frozenset(
    "a an the of to at for from with into onto upon than and or but nor as "
    "that which whose between among through during".split()
)
# Connectives a debater highlights alone to join what was read to what comes later.
_CONNECTIVES = frozenset("and but or yet so also however thus therefore".split())
# Prefixes that negate a word: dropped with a "not" before it, they cancel out.
_NEGATIVE_PREFIXES = ("non", "un", "in", "im", "ir", "il", "dis")
# Negations whose loss does not reverse the read: "not only X" still says X.
_NOT_REVERSING_NEXT = frozenset("only just merely simply necessarily".split())
# Verb forms a read might rely on when nothing ends like a verb ("the U.S. must act").
_VERBS = frozenset(
    """is are was were be been being am do does did has have had will would shall should can
    could may might must need make makes made take takes took cause lead leads led solve
    solves get gets got give gives gave go goes went come comes came say says said show
    shows find finds found mean means meant put set keep keeps kept let hold holds held run
    runs ran become becomes became grow grows grew win wins won lose loses lost fail fails
    hurt hurts cut cuts spur spurs risk risks end ends act acts help helps stop stops know
    knows knew rise rises rose fall falls fell see saw seen begin began begun leave left pay
    paid sell sold buy bought bring brought build built fight fought feel felt spend spent
    stand stood think thought tell told write wrote hit spread shut meet met draw drew break
    broke send sent seek sought teach taught result work kill destroy threaten harm reduce
    increase drop collapse matter exist remain depend happen occur affect allow require
    include provide create produce protect support prevent avoid want try turn seem appear
    believe claim argue warn agree use""".split()
)
_VERB_ENDING = re.compile(r"(?:ed|ing|en|es|[^s]s|ize|ise|ify|ate)$")
_WORD = re.compile(r"\S+")
_DASH = re.compile(r"[—–]|--")
_SENT_END_IN_BODY = re.compile(r"[.!?][\"”’')\]]*(?=\s|$)")
_READ_RUN = re.compile(rb"\x01+")
# A word that may reverse a claim: REVERSING and the "n't" contractions (checked in full).
_NEGATION_RE = re.compile(
    r"(?i)(?<![\w'’])(?:" + "|".join(sorted(REVERSING)) + r")(?![\w'’])|n['’]t(?![\w'’])"
)
_CLAUSE_END = re.compile(r"[,;:—–]+[\"”’')\]]*$|^[—–-]+$")
_ABBREV = re.compile(r"^(?:[A-Za-z]\.)+$|^(?:Mr|Mrs|Ms|Dr|Prof|St|vs|etc|al|No|Vol|Inc|U\.S)\.$")


class _Word(NamedTuple):
    start: int
    end: int
    text: str
    read: bool  # any letter or digit of it is highlighted

    @property
    def key(self) -> str:
        return word_key(self.text)


def check_card(card: Card) -> list[Finding]:
    """Every finding on one card, in body order."""
    body = card.body
    high = _mask(len(body), card, (Mark.HIGHLIGHT,))
    if not any(high):
        return []
    under = _mask(len(body), card, (Mark.UNDERLINE, Mark.EMPHASIS))
    # Byte masks over the body, combined as big integers (fast for a 3,000-card import):
    # the highlighted letters and digits, and those of them that are not underlined.
    n = len(body)
    letters = int.from_bytes(high, "little") & int.from_bytes(
        bytes(map(str.isalnum, body)), "little"
    )
    read = letters.to_bytes(n, "little")
    bare = (letters & ~int.from_bytes(under, "little")).to_bytes(n, "little")
    words = _Words(body, read)
    groups = _read_groups(words)
    found = [
        *_split_words(body, words, high),
        *_dropped_negations(body, words, high),
        *_outside_underline(body, words, read, bare),
        *_stray_function_words(groups),
        *_dangling_ends(groups),
        *_no_verb(words),
    ]
    return sorted(found, key=lambda f: (f.start, f.end, f.kind))


def _mask(n: int, card: Card, marks: tuple[Mark, ...]) -> bytearray:
    out = bytearray(n)
    for span in card.spans:
        if span.mark in marks:
            a, b = max(0, span.start), min(n, span.end)
            if b > a:
                out[a:b] = b"\x01" * (b - a)
    return out


class _Words:
    """The body's whitespace words, built on demand: a card has hundreds, the checks look at
    the read ones and a few around them. Index i is the i-th word of the body."""

    def __init__(self, body: str, read: bytes) -> None:
        self.body = body
        self.spans = [m.span() for m in _WORD.finditer(body)]
        self.starts = [a for a, _ in self.spans]
        # A run of highlighted letters never crosses whitespace: one word per run.
        self.read_at = sorted({self._at(m.start()) for m in _READ_RUN.finditer(read)})
        self._read = set(self.read_at)
        self._sentence_ends: list[int] | None = None
        self._cache: dict[int, _Word] = {}

    def _at(self, pos: int) -> int:
        """The word holding character `pos`."""
        return bisect.bisect_right(self.starts, pos) - 1

    def _text(self, i: int) -> str:
        a, b = self.spans[i]
        return self.body[a:b]

    def __len__(self) -> int:
        return len(self.spans)

    def __getitem__(self, i: int) -> _Word:
        word = self._cache.get(i)
        if word is None:
            a, b = self.spans[i]
            word = _Word(a, b, self._text(i), i in self._read)
            self._cache[i] = word
        return word

    def read(self) -> list[_Word]:
        return [self[i] for i in self.read_at]

    def at_matches(self, pattern: re.Pattern[str]) -> list[int]:
        """The words where `pattern` matches the body, in order."""
        return sorted({self._at(m.start()) for m in pattern.finditer(self.body)})

    def sentence(self, i: int) -> int:
        """How many sentences end before word i."""
        if self._sentence_ends is None:
            ends = self.at_matches(_SENT_END_IN_BODY)
            self._sentence_ends = [j for j in ends if not _ABBREV.match(self._text(j))]
        return bisect.bisect_left(self._sentence_ends, i)


_EDGE = " ,.;:()[]“”\"‘’'"


def _quote(text: str) -> str:
    return f"“{text.strip(_EDGE)}”"


def _split_words(body: str, words: _Words, high: bytearray) -> list[Finding]:
    """A word whose highlight starts one letter late ("t[he]", "s[olves]"): the slip of a
    mouse, read as a fragment. Other partial words are how debaters abbreviate and fix
    grammar on purpose ("[tech]nology", "[I]ntergovernmental [P]anel", "[use]d"), so they
    pass; a split that drops a negation is a dropped negation."""
    out: list[Finding] = []
    for w in words.read():
        first = w.start
        while first < w.end - 1 and not body[first].isalnum():
            first += 1
        if high[first]:
            continue  # most read words: read from their first letter
        letters = _first_letters(body, w)
        if len(letters) < 2 or high[letters[0]] or not all(high[i] for i in letters[1:]):
            continue
        core = "".join(body[i] for i in letters)
        if not core.isalpha() or core.isupper():
            continue  # numbers ("[08]" of 2008) and acronyms ("C[FTC]") are read on purpose
        part = core[1:]
        out.append(
            Finding(
                FindingKind.SPLIT_WORD,
                w.start,
                w.end,
                f"highlight splits the word {_quote(w.text)}: it reads {_quote(part)}",
            )
        )
    return out


def _first_letters(body: str, w: _Word) -> list[int]:
    """Indexes of the word's first run of letters and digits ("N" of "N-bombs")."""
    out: list[int] = []
    for i in range(w.start, w.end):
        if body[i].isalnum() and unicodedata.category(body[i]) != "Lm":  # not "ʻ"
            out.append(i)
        elif out:
            break
    return out


def _negation_cut(body: str, w: _Word, high: bytearray) -> bool:
    """Part of "cannot" or a "n't" word read without its negation: "[can]not", "[does]n't"."""
    low = w.text.lower().replace("’", "'")
    at = low.find("n't") if "n't" in low else low.find("not") if w.key == "cannot" else -1
    if at < 0:
        return False
    head, tail = range(w.start, w.start + at), range(w.start + at, w.end)
    return any(high[i] for i in head) and not any(high[i] for i in tail if body[i].isalpha())


def _reverses(words: _Words, i: int) -> bool:
    w = words[i]
    if w.key in REVERSING:
        nxt = words[i + 1].key if i + 1 < len(words) else ""
        return nxt not in _NOT_REVERSING_NEXT
    return negated_contraction(w.text)


def _dropped_negations(body: str, words: _Words, high: bytearray) -> list[Finding]:
    """An unread negation with read words of its sentence on both sides, close by."""
    out: list[Finding] = []
    for i in words.at_matches(_NEGATION_RE):
        w = words[i]
        if w.read and _negation_cut(body, w, high):
            out.append(
                Finding(
                    FindingKind.DROPPED_NEGATION,
                    w.start,
                    w.end,
                    f"highlight reads {_quote(w.text)} without its negation: "
                    "the read says the opposite",
                )
            )
            continue
        if w.read or not _reverses(words, i):
            continue
        hole = _hole(words, i)
        if hole is None or _prefix_dropped(body, words[hole[1]], high):
            continue
        before, after = hole
        out.append(
            Finding(
                FindingKind.DROPPED_NEGATION,
                w.start,
                w.end,
                f"highlight drops {_quote(w.text)} between {_quote(words[before].text)} and "
                f"{_quote(words[after].text)}: the read says the opposite",
            )
        )
    return out


def _prefix_dropped(body: str, w: _Word, high: bytearray) -> bool:
    """The word after the negation lost its own negative prefix too: "is [not un]realistic"
    reads "is realistic", which says the same."""
    key = w.key
    for prefix in _NEGATIVE_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            cut = w.start + len(prefix)
            return not any(high[w.start : cut]) and all(high[cut : w.end - 1])
    return False


def _hole(words: _Words, i: int) -> tuple[int, int] | None:
    """The read words right around the unread stretch holding word i, when that stretch is
    at most NEGATION_REACH words inside one clause of one sentence: "will [not] solve"."""
    a, b = i, i
    while a > 0 and not words[a - 1].read and i - a < NEGATION_REACH:
        a -= 1
    while b + 1 < len(words) and not words[b + 1].read and b - i < NEGATION_REACH:
        b += 1
    if a == 0 or b + 1 == len(words) or b - a + 1 > NEGATION_REACH:
        return None
    if not words[a - 1].read or not words[b + 1].read:
        return None  # the unread stretch is longer than NEGATION_REACH
    sentence = words.sentence(a - 1)
    if words.sentence(b + 1) != sentence or words[i - 1].key in ("or", "to"):
        return None  # "whether or [not]", "little to [no]" read the same without it
    later = range(b + 1, min(b + 16, len(words)))
    if any(words[j].key == "but" and words.sentence(j) == sentence for j in later):
        return None  # "based [not] on X but on Y": the read takes the "but" side
    stretch = (words[j] for j in range(a - 1, b + 1))
    if any(_CLAUSE_END.search(w.text) or _DASH.search(w.text) for w in stretch):
        return None  # "costs went up, [not down,] with experience": the skip is a clause
    return a - 1, b + 1


def _outside_underline(body: str, words: _Words, read: bytes, bare: bytes) -> list[Finding]:
    """Highlighted letters that are not underlined, one finding per run of such words. A card
    whose read is mostly not underlined highlights without underlining (a style, not a slip)
    and is left alone."""
    bare_letters = bare.count(1)
    if not bare_letters or 2 * bare_letters > read.count(1):
        return []  # highlighting without underline is this card's style, not a slip
    runs: list[list[int]] = []
    for i in words.read_at:
        a, b = words.spans[i]
        if 1 not in bare[a:b]:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    out: list[Finding] = []
    for run in runs:
        start, end = words.spans[run[0]][0], words.spans[run[-1]][1]
        out.append(
            Finding(
                FindingKind.OUTSIDE_UNDERLINE,
                start,
                end,
                f"{_quote(body[start:end])} is highlighted but not underlined",
            )
        )
    return out


def _read_groups(words: _Words) -> list[list[_Word]]:
    """Read words that read together: each within STRAY_GAP words of the one before (a
    debater splices across sentences, so sentences are not the unit)."""
    groups: list[list[int]] = []
    for i in words.read_at:
        if groups and i - groups[-1][-1] <= STRAY_GAP:
            groups[-1].append(i)
        else:
            groups.append([i])
    return [[words[i] for i in group] for group in groups]


def _stray_function_words(groups: list[list[_Word]]) -> list[Finding]:
    """Read function words ("the", "of it") with no other read word for STRAY_GAP words on
    either side: a stray mark. Nearer, they splice one read sentence into the next."""
    out: list[Finding] = []
    for n, picked in enumerate(groups):
        if picked[0].key in _CONNECTIVES and n + 1 < len(groups):
            continue  # "But" alone, then the read goes on: a splice
        if all(not w.key or (w.key in FUNCTION_WORDS and not w.text.isupper()) for w in picked):
            text = " ".join(w.text for w in picked)
            out.append(
                Finding(
                    FindingKind.STRAY_FUNCTION_WORDS,
                    picked[0].start,
                    picked[-1].end,
                    f"only {_quote(text)} is highlighted here: it reads as nothing",
                )
            )
    return out


def _dangling_ends(groups: list[list[_Word]]) -> list[Finding]:
    """A card's read that ends on an article, preposition or conjunction: "…lock the world
    into". Mid-card such an end is mostly a splice into a later sentence, so it passes."""
    if not groups:
        return []
    read = groups[-1]
    last = read[-1]
    if len(read) < 2 or last.key not in DANGLING or not last.text[-1].isalnum():
        return []
    return [
        Finding(
            FindingKind.DANGLING_END,
            last.start,
            last.end,
            f"the read stops on {_quote(last.text)}: "
            f"“…{' '.join(w.text for w in read[-4:])}” trails off",
        )
    ]


def _could_be_verb(w: _Word) -> bool:
    key = w.key
    return (
        key in _VERBS
        or negated_contraction(w.text)
        or (len(key) > 3 and key.isalpha() and bool(_VERB_ENDING.search(key)))
    )


def _no_verb(words: _Words) -> list[Finding]:
    """The whole read has no word that could be a verb (nor one after "to"): a fragment."""
    read = words.read()
    after_to = any(a.key == "to" and b.key.isalpha() for a, b in itertools.pairwise(read))
    if len(read) < 4 or after_to or any(_could_be_verb(w) for w in read):
        return []
    text = " ".join(w.text for w in read)
    return [
        Finding(
            FindingKind.NO_VERB,
            read[0].start,
            read[-1].end,
            f"the highlighted read has no verb: {_quote(text[:80])} is a fragment, not a claim",
        )
    ]
