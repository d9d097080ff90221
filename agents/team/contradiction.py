"""Does the tag say the opposite of the card? The Reviewer's contradiction check.

The cosine of tag and read text (reviewer.support) cannot see negation: "sanctions work" and
"sanctions fail" are neighbours. This check compares the tag with the card sentences that
best match it (by word overlap; up to K of the read sentences): MiniLM vectors of the tag and
of those sentences, their negations, and the polar words of both sides (agents/team/
polarity.py: "increase" against "reduces", "not" against none), as inputs to a small MLP
(agents/cutter/head.py) trained on real debaters' tags and rule-made contradicting variants
of them (bench/train_contradiction.py; weights in resources/contradiction/). One embedding
call of at most K + 1 short texts per check.

Without the weights (missing, damaged) `load_check` returns None with a logged warning: the
Reviewer then checks support only, as before.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agents.cutter.features import stem
from agents.cutter.head import Head
from agents.cutter.text import segment, split_words
from agents.team.flips import opposites
from agents.team.polarity import SCOPE, Polar, is_negation, negation_count, polar_terms, tokens
from evidence.cards.card import Card, Mark
from evidence.index.embedding import Embedder
from resources import resource_path

log = logging.getLogger(__name__)

WEIGHTS_FILE = ("contradiction", "contradiction_weights.npz")
FORMAT = 1
K = 4  # card sentences compared with the tag
_STOP = frozenset(
    "a an the of to in on at by for and or but is are was were be been it its this that these "
    "those with as from will would can could has have had do does did not no".split()
)


@dataclass(frozen=True)
class Evidence:
    """What the check compares: the tag and the card's best-matching read sentences."""

    tag: str
    sentences: list[str]
    body_words: frozenset[str]  # stems of the whole body
    opposites: list[str]  # the tag's opposites by rule (flips.opposites)


def read_sentences(card: Card) -> list[str]:
    """The body's sentences that hold underlined (else highlighted) text; all without marks."""
    words = split_words(card.body)
    if not words:
        return []
    marked = card.marked(Mark.UNDERLINE) or card.marked(Mark.HIGHLIGHT)
    out: list[str] = []
    for s, e in segment(card.body, words, clauses=False):
        start, end = words[s].start, words[e - 1].end
        if not marked or any(m.start < end and start < m.end for m in marked):
            out.append(card.body[start:end])
    return out


def _keys(text: str) -> set[str]:
    return {stem(w) for w in tokens(text) if w not in _STOP}


def _norm(word: str) -> str:
    """stem() and a final "e" off: "increase", "increases", "increased" meet."""
    out = stem(word)
    return out[:-1] if len(out) > 4 and out.endswith("e") else out


def _stems(text: str) -> set[str]:
    return {_norm(w) for w in tokens(text) if w not in _STOP}


def _bag(text: str) -> set[str]:
    """Content stems, and NEG when the text negates something."""
    words = tokens(text)
    return _stems(text) | ({"NEG"} if negation_count(words) else set())


def _scoped(words: list[str]) -> list[tuple[str, bool]]:
    """(stem, negated) for each content word: negated when a negation stands just before."""
    out: list[tuple[str, bool]] = []
    for i, word in enumerate(words):
        if word in _STOP or is_negation(word) or len(word) < 3:
            continue
        negated = any(is_negation(w) for w in words[max(0, i - SCOPE) : i])
        out.append((_norm(word), negated))
    return out


def aligned_negation(tag: str, sentences: list[str]) -> tuple[float, float, float, float]:
    """Tag words the sentences hold: (negated in both, negated in the tag only, negated in
    the sentences only, in neither), each word counted once by its majority reading."""
    seen: dict[str, list[int]] = {}
    for sentence in sentences:
        for key, negated in _scoped(tokens(sentence)):
            seen.setdefault(key, [0, 0])[int(negated)] += 1
    both = tag_only = card_only = neither = 0.0
    for key, negated in dict(_scoped(tokens(tag))).items():
        if key not in seen:
            continue
        plain, neg = seen[key]
        card_negated = neg > plain
        if negated and card_negated:
            both += 1
        elif negated:
            tag_only += 1
        elif card_negated:
            card_only += 1
        else:
            neither += 1
    return both, tag_only, card_only, neither


def overlap(text: str, sentences: list[str]) -> float:
    """The largest share of the text's bag that one sentence holds."""
    bag = _bag(text)
    return max((len(bag & _bag(s)) / max(len(bag), 1) for s in sentences), default=0.0)


def contrast(tag: str, opp: list[str], sentences: list[str]) -> tuple[float, float, float]:
    """How much closer (by word overlap) the card reads to one of the tag's opposites than
    to the tag: (best gain, mean gain, how many opposites the rules made)."""
    if not opp:
        return 0.0, 0.0, 0.0
    own = overlap(tag, sentences)
    gains = [overlap(o, sentences) - own for o in opp]
    return max(gains), float(np.mean(gains)), float(len(opp))


def evidence(tag: str, card: Card) -> Evidence:
    """The K read sentences sharing the most content words with the tag (ties: earliest)."""
    tag_stems = _keys(tag)
    sentences = read_sentences(card) or [card.body]
    scored = sorted(
        range(len(sentences)),
        key=lambda i: (
            -len(tag_stems & _keys(sentences[i])) / (1 + len(tokens(sentences[i]))) ** 0.3
        ),
    )
    best = [sentences[i][:600] for i in scored[:K]]
    return Evidence(tag, best, frozenset(stem(w) for w in tokens(card.body)), opposites(tag))


def _agreement(tag_terms: list[Polar], sent_terms: list[Polar]) -> tuple[float, float]:
    """(agreeing, disagreeing) same-family pairs of tag and sentence polar terms."""
    agree = disagree = 0.0
    for t in tag_terms:
        for s in sent_terms:
            if t.family == s.family:
                if t.sign == s.sign:
                    agree += 1
                else:
                    disagree += 1
    return agree, disagree


def lexical_features(ev: Evidence) -> np.ndarray:
    tag_words = tokens(ev.tag)
    tag_terms = polar_terms(tag_words)
    tag_neg = negation_count(tag_words)
    sents = [tokens(s) for s in ev.sentences] or [[]]
    sent_terms = [polar_terms(w) for w in sents]
    sent_neg = [negation_count(w) for w in sents]
    agree = np.array([_agreement(tag_terms, st) for st in sent_terms])
    first_agree, first_disagree = agree[0]
    # The tag's polar words and their antonyms in the whole body (raw: negation ignored).
    body_raw = {(p.family, p.word) for st in sent_terms for p in st}
    same_present = sum((t.family, t.word) in body_raw for t in tag_terms)
    fam_present = sum(any(f == t.family for f, _ in body_raw) for t in tag_terms)
    tag_stems = _stems(ev.tag)
    in_body = len(tag_stems & ev.body_words) / max(len(tag_stems), 1)
    in_best = len(tag_stems & _stems(" ".join(ev.sentences))) / max(len(tag_stems), 1)
    tag_sign = float(np.sign(sum(t.sign for t in tag_terms)))
    sent_sign = float(np.sign(sum(p.sign for st in sent_terms for p in st)))
    return np.array(
        [
            min(tag_neg, 2),
            min(sent_neg[0], 3),
            min(sum(sent_neg), 6),
            float(tag_neg % 2 != sent_neg[0] % 2),
            float(all(tag_neg % 2 != n % 2 for n in sent_neg)),
            float(tag_neg > 0 and sum(sent_neg) == 0),
            len(tag_terms),
            first_agree,
            first_disagree,
            agree[:, 0].sum(),
            agree[:, 1].sum(),
            float(agree[:, 1].sum() > 0 and agree[:, 0].sum() == 0),
            same_present,
            fam_present - same_present,
            tag_sign * sent_sign,
            in_body,
            in_best,
            min(len(tag_words), 40) / 40,
            *aligned_negation(ev.tag, ev.sentences),
            *contrast(ev.tag, ev.opposites, ev.sentences),
        ],
        dtype=np.float32,
    )


LEXICAL_COLUMNS = 25
DIM = 384  # MiniLM
FEATURES = LEXICAL_COLUMNS + 3


def features(ev: Evidence, vectors: np.ndarray) -> np.ndarray:
    """vectors: unit rows, the tag's then each sentence's (as `texts(ev)`). The vectors
    enter as cosines only: their products with the tag's (768 more inputs) measured no
    better on validation and made the head 30 times larger; nor did the sentences' cosines
    to the tag's opposites against theirs to the tag (21.7 % flagged against 22.9 %)."""
    cos = vectors[1:] @ vectors[0]
    return np.concatenate([lexical_features(ev), [cos.max(), cos.mean(), cos[0]]]).astype(
        np.float32
    )


def texts(ev: Evidence) -> list[str]:
    return [ev.tag, *ev.sentences]


@dataclass(frozen=True)
class Verdict:
    flagged: bool
    probability: float
    reason: str  # the cue in words, for the objection


def _reason(ev: Evidence) -> str:
    tag_terms = polar_terms(tokens(ev.tag))
    for sentence in ev.sentences:
        for t in tag_terms:
            for s in polar_terms(tokens(sentence)):
                if s.family == t.family and s.sign != t.sign:
                    return f"tag: “{t.word}”, card: “{_around(sentence, s.word)}”"
    tag_neg = negation_count(tokens(ev.tag))
    best = ev.sentences[0] if ev.sentences else ""
    if tag_neg and not negation_count(tokens(best)):
        return f"the tag is negated, the card is not: “{_clip(best)}”"
    if not tag_neg and negation_count(tokens(best)):
        return f"the card is negated, the tag is not: “{_clip(best)}”"
    return f"card: “{_clip(best)}”"


def _around(sentence: str, word: str) -> str:
    low = sentence.lower()
    at = low.find(word)
    if at < 0:
        return _clip(sentence)
    start = max(0, at - 40)
    return ("…" if start else "") + _clip(sentence[start:], 90)


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


@dataclass(frozen=True)
class ContradictionCheck:
    head: Head
    threshold: float

    def probability(self, ev: Evidence, vectors: np.ndarray) -> float:
        return float(self.head.probabilities(features(ev, vectors)[None, :])[0])

    def check(self, tag: str, card: Card, embedder: Embedder) -> Verdict | None:
        """None when the embedder is not the one the head was trained on (another size)."""
        if embedder.dim != DIM:
            return None
        ev = evidence(tag, card)
        vectors = np.asarray(embedder.embed(texts(ev)), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
        p = self.probability(ev, vectors)
        flagged = p >= self.threshold
        return Verdict(flagged, p, _reason(ev) if flagged else "")


def save_check(path: Path, check: ContradictionCheck) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = check.head.arrays("c")
    arrays["format"] = np.array([FORMAT])
    arrays["threshold"] = np.array([check.threshold], dtype=np.float32)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]


def read_check(path: Path) -> ContradictionCheck:
    """Raises OSError, KeyError or ValueError on a missing or unusable file."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    if int(arrays["format"].reshape(-1)[0]) != FORMAT:
        raise ValueError(f"format {int(arrays['format'].reshape(-1)[0])}, expected {FORMAT}")
    head = Head.from_arrays(arrays, "c")
    if head.inputs != FEATURES:
        raise ValueError(f"weights for {head.inputs} features, the check makes {FEATURES}")
    return ContradictionCheck(head, float(arrays["threshold"].reshape(-1)[0]))


@functools.cache
def load_check() -> ContradictionCheck | None:
    """The shipped check, or None (logged) when its weights cannot be used."""
    path = resource_path(*WEIGHTS_FILE)
    try:
        return read_check(path)
    except (OSError, KeyError, ValueError) as exc:
        log.warning("contradiction check off: %s: %s", path, exc)
        return None
