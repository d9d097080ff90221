"""The highlight checker on real debaters' cards: how many get each finding, and recall on
broken variants of them.

    python -m bench.highlight_check_eval [FILES...] [--show KIND] [--limit N]

Reads Verbatim files (default: shared/training/verbatim/*.docx) with the Verbatim reader,
deduplicates cards by body text, and prints JSON: per finding kind the cards flagged (the
real cards are debaters' normal highlighting, so every flag there is a candidate false
alarm to read by hand), and recall on synthetic variants made from the same cards, each with
one known fault: a negation dropped from the read, a word whose highlight starts a letter
late, a word highlighted outside the underline, a lone function word highlighted in an
unread sentence.
A fault counts as found only where the unbroken card had no such finding. The baseline,
run on the same cards, is `naive_check`: the same rules applied literally, without the
tuning for how debaters skip words. Timing is CPU time (the machines are shared): the
checker's per distinct card, and the Verbatim reader's over the same files for scale.
`--show KIND` prints the flagged real cards of that kind (the read, the finding) for
checking by hand.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from evidence.cards.card import Card, Mark, Span
from evidence.cards.highlight_check import DANGLING, Finding, FindingKind, check_card
from evidence.cards.lexicon import FUNCTION_WORDS, REVERSING, word_key
from evidence.verbatim import read_verbatim

TRAINING = Path(__file__).resolve().parents[2] / "shared" / "training" / "verbatim"
_WORD = re.compile(r"\S+")
_SENT_END = re.compile(r"[.!?][\"”’')\]]*$")


def load_cards(files: list[Path]) -> list[Card]:
    """Cards with highlight, once per body (round files repeat cards)."""
    seen: set[str] = set()
    out: list[Card] = []
    for path in files:
        for card in read_verbatim(path).cards():
            key = " ".join(card.body.split())
            if key in seen or not card.marked(Mark.HIGHLIGHT):
                continue
            seen.add(key)
            out.append(card)
    return out


def _mask(card: Card, marks: tuple[Mark, ...]) -> list[bool]:
    out = [False] * len(card.body)
    for s in card.spans:
        if s.mark in marks:
            out[s.start : s.end] = [True] * (s.end - s.start)
    return out


def _set_highlight(card: Card, a: int, b: int, on: bool) -> Card:
    """The card with [a, b) highlighted (or not), other marks unchanged."""
    spans: list[Span] = []
    color = next((s.color for s in card.marked(Mark.HIGHLIGHT)), "yellow")
    for s in card.spans:
        if s.mark != Mark.HIGHLIGHT or s.end <= a or s.start >= b:
            spans.append(s)
            continue
        if s.start < a:
            spans.append(replace(s, end=a))
        if s.end > b:
            spans.append(replace(s, start=b))
    if on:
        spans.append(Span(a, b, Mark.HIGHLIGHT, color))
    return replace(card, spans=sorted(spans))


def _words(card: Card) -> list[tuple[int, int, str, int]]:
    out, sentence = [], 0
    for m in _WORD.finditer(card.body):
        out.append((m.start(), m.end(), m.group(), sentence))
        if _SENT_END.search(m.group()):
            sentence += 1
    return out


Variant = tuple[Card, int, int] | None  # the broken card and the span its fault is at


def drop_negation(card: Card, rng: random.Random) -> Variant:
    """Unhighlight a read negation whose sentence neighbours on both sides are read."""
    high, words = _mask(card, (Mark.HIGHLIGHT,)), _words(card)
    read = [any(high[a:b]) for a, b, _, _ in words]
    picks = [
        i
        for i in range(1, len(words) - 1)
        if read[i - 1] and read[i] and read[i + 1]
        and word_key(words[i][2]) in REVERSING
        and words[i - 1][3] == words[i][3] == words[i + 1][3]
    ]  # fmt: skip
    if not picks:
        return None
    a, b, _, _ = words[rng.choice(picks)]
    return _set_highlight(card, a, b, False), a, b


def split_word(card: Card, rng: random.Random) -> Variant:
    """A fully read lowercase word whose highlight starts one letter late (the mouse slip)."""
    high = _mask(card, (Mark.HIGHLIGHT,))
    picks = [
        (a, b) for a, b, t, _ in _words(card)
        if len(t) >= 3 and t.isalpha() and t.islower() and all(high[a:b])
    ]  # fmt: skip
    if not picks:
        return None
    a, b = rng.choice(picks)
    return _set_highlight(card, a, a + 1, False), a, b


def outside_underline(card: Card, rng: random.Random) -> Variant:
    """Highlight a content word that is neither underlined nor highlighted."""
    high = _mask(card, (Mark.HIGHLIGHT,))
    under = _mask(card, (Mark.UNDERLINE, Mark.EMPHASIS))
    if not any(under):
        return None
    picks = [
        (a, b) for a, b, t, _ in _words(card)
        if t.isalpha() and len(t) >= 4 and not any(high[a:b]) and not any(under[a:b])
    ]  # fmt: skip
    if not picks:
        return None
    a, b = rng.choice(picks)
    return _set_highlight(card, a, b, True), a, b


def stray_function_word(card: Card, rng: random.Random) -> Variant:
    """Highlight one function word in a sentence that has no highlight."""
    high, words = _mask(card, (Mark.HIGHLIGHT,)), _words(card)
    read_sentences = {s for a, b, _, s in words if any(high[a:b])}
    picks = [
        (a, b) for a, b, t, s in words
        if s not in read_sentences and word_key(t) in FUNCTION_WORDS and t.isalpha()
    ]  # fmt: skip
    if not picks:
        return None
    a, b = rng.choice(picks)
    return _set_highlight(card, a, b, True), a, b


def naive_check(card: Card) -> list[Finding]:
    """The baseline: the same six ideas applied literally, with none of the tuning for how
    debaters skip words (any partial word, any unread negation within three words of read
    words on both sides, any sentence whose read is function words or ends on one)."""
    high = _mask(card, (Mark.HIGHLIGHT,))
    under = _mask(card, (Mark.UNDERLINE, Mark.EMPHASIS))
    words = _words(card)
    body = card.body
    read = [any(high[i] and body[i].isalnum() for i in range(a, b)) for a, b, _, _ in words]
    out: list[Finding] = []

    def add(kind: FindingKind, a: int, b: int) -> None:
        out.append(Finding(kind, a, b, kind.value))

    for n, (a, b, text, sent) in enumerate(words):
        if any(body[i].isalnum() and body[i + 1].isalnum() and high[i] != high[i + 1]
               for i in range(a, b - 1)):  # fmt: skip
            add(FindingKind.SPLIT_WORD, a, b)
        near = range(max(0, n - 3), min(len(words), n + 4))
        negation = word_key(text) in REVERSING or "n't" in text.replace("’", "'")
        if (
            negation
            and not read[n]
            and any(read[j] and words[j][3] == sent for j in near if j < n)
            and any(read[j] and words[j][3] == sent for j in near if j > n)
        ):
            add(FindingKind.DROPPED_NEGATION, a, b)
        if any(under) and any(high[i] and not under[i] and body[i].isalnum() for i in range(a, b)):
            add(FindingKind.OUTSIDE_UNDERLINE, a, b)
    for sent in sorted({w[3] for w, r in zip(words, read, strict=True) if r}):
        got = [w for w, r in zip(words, read, strict=True) if r and w[3] == sent]
        if all(word_key(w[2]) in FUNCTION_WORDS for w in got):
            add(FindingKind.STRAY_FUNCTION_WORDS, got[0][0], got[-1][1])
        elif word_key(got[-1][2]) in DANGLING and got[-1][2][-1].isalnum():
            add(FindingKind.DANGLING_END, got[-1][0], got[-1][1])
    return out


VARIANTS: dict[FindingKind, Callable[[Card, random.Random], Variant]] = {
    FindingKind.DROPPED_NEGATION: drop_negation,
    FindingKind.SPLIT_WORD: split_word,
    FindingKind.OUTSIDE_UNDERLINE: outside_underline,
    FindingKind.STRAY_FUNCTION_WORDS: stray_function_word,
}


def _hits(found: list[Finding], kind: FindingKind, a: int, b: int) -> bool:
    return any(f.kind == kind and f.start < b and f.end > a for f in found)


def recall(
    cards: list[Card],
    findings: list[list[Finding]],
    checker: Callable[[Card], list[Finding]] = check_card,
    seed: int = 13,
) -> dict[str, object]:
    out: dict[str, object] = {}
    for kind, make in VARIANTS.items():
        rng = random.Random(seed)
        made = found = 0
        for card, before in zip(cards, findings, strict=True):
            variant = make(card, rng)
            if variant is None:
                continue
            broken, a, b = variant
            if _hits(before, kind, a, b):
                continue  # the original already has it there: no new fault to find
            made += 1
            found += _hits(checker(broken), kind, a, b)
        out[kind.value] = {"variants": made, "found": found, "recall": _pct(found, made)}
    return out


def _pct(n: int, d: int) -> float:
    return round(100.0 * n / d, 1) if d else 0.0


def _counts(findings: list[list[Finding]]) -> dict[str, object]:
    by_kind: Counter[str] = Counter()
    for found in findings:
        by_kind.update({f.kind.value for f in found})
    flagged = sum(bool(f) for f in findings)
    return {
        "cards_flagged": flagged,
        "cards_flagged_pct": _pct(flagged, len(findings)),
        "cards_by_kind": {k.value: by_kind.get(k.value, 0) for k in FindingKind},
    }


def _show(cards: list[Card], findings: list[list[Finding]], kind: str, limit: int) -> None:
    shown = 0
    for card, found in zip(cards, findings, strict=True):
        mine = [f for f in found if f.kind == kind]
        if mine and shown < limit:
            shown += 1
            print(f"--- {card.tag[:90]}\nREAD: {card.text_of(Mark.HIGHLIGHT)[:700]}")
            for f in mine:
                ctx = card.body[max(0, f.start - 60) : f.end + 60].replace("\n", " ")
                print(f"  * {f.message}\n    …{ctx}…")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--show", help="print the real cards flagged with this kind")
    ap.add_argument("--limit", type=int, default=25, help="cards to --show")
    args = ap.parse_args(argv)
    files = args.files or sorted(TRAINING.glob("*.docx"))
    t0 = time.process_time()
    cards = load_cards(files)
    t_read = time.process_time() - t0
    t0 = time.process_time()
    findings = [check_card(c) for c in cards]
    t_check = time.process_time() - t0
    if args.show:
        _show(cards, findings, args.show, args.limit)
        return 0
    naive = [naive_check(c) for c in cards]
    result = {
        "files": len(files),
        "cards": len(cards),
        "ours": {**_counts(findings), "synthetic_recall": recall(cards, findings)},
        "naive_baseline": {
            **_counts(naive),
            "synthetic_recall": recall(cards, naive, naive_check),
        },
        "check_cpu_ms_per_card": round(1000 * t_check / max(len(cards), 1), 3),
        "read_cpu_ms_per_card": round(1000 * t_read / max(len(cards), 1), 3),
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
