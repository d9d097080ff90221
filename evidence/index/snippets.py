"""Snippets: the window of a passage with the most query words, with those words marked."""

from __future__ import annotations

import re
from bisect import bisect_left

STOPWORDS = frozenset(
    (
        "a an and are as at be but by for from has have in is it its of on or that the their "
        "this to was were will with not no do does did than then so"
    ).split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(query: str, keep_stopwords: bool = False) -> list[str]:
    words = [w.lower() for w in _WORD.findall(query)]
    return list(dict.fromkeys(w for w in words if keep_stopwords or w not in STOPWORDS))


def _matches(word: str, term: str) -> bool:
    # A cheap stem match, good enough to mark "conservation" for "conserve", "whales" for "whale".
    if word == term:
        return True
    n = min(len(word), len(term))
    return n >= 5 and word[:5] == term[:5] and (word.startswith(term[: n - 1]) or n >= 7)


def matches_all(text: str, query: str) -> bool:
    """Does `text` hold every content word of `query` (stems matched as the marks are)?"""
    terms = query_terms(query)
    if not terms:
        return False
    words = {m.group().lower() for m in _WORD.finditer(text)}
    return all(any(_matches(w, t) for w in words) for t in terms)


def make_snippet(text: str, terms: list[str], width: int = 40) -> tuple[str, list[tuple[int, int]]]:
    """Return (snippet, marks): about `width` words around the densest cluster of terms, and
    the character spans inside the snippet of every matching word."""
    words = list(_WORD.finditer(text))
    if not words:
        return text[:300], []
    # Each distinct word is matched against the terms once (a card repeats most of its words),
    # and a window's score is read from the positions of the hits, not from all its words:
    # the team and the search make a snippet for every hit they show.
    matched: dict[str, bool] = {}
    hits: list[int] = []
    keys: list[str] = []
    for i, m in enumerate(words):
        low = m.group().lower()
        hit = matched.get(low)
        if hit is None:
            hit = matched[low] = any(_matches(low, t) for t in terms)
        if hit:
            hits.append(i)
            keys.append(low[:5])
    best_start, best_score = 0, -1
    lo_hit = 0
    for start in range(0, max(1, len(words) - width + 1), max(1, width // 8)):
        while lo_hit < len(hits) and hits[lo_hit] < start:
            lo_hit += 1
        hi_hit = bisect_left(hits, start + width, lo_hit)
        score = len(set(keys[lo_hit:hi_hit])) * 100 + (hi_hit - lo_hit)
        if score > best_score:
            best_start, best_score = start, score
    first, last = words[best_start], words[min(len(words), best_start + width) - 1]
    lo, hi = first.start(), last.end()
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    body = " ".join(text[lo:hi].split())
    snippet = prefix + body + suffix
    marks: list[tuple[int, int]] = []
    for m in _WORD.finditer(snippet):
        low = m.group().lower()
        hit = matched.get(low)
        if hit is None:  # not met above (the snippet's words are the passage's): to be safe
            hit = matched[low] = any(_matches(low, t) for t in terms)
        if hit:
            marks.append((m.start(), m.end()))
    return snippet, marks


def render_marked(snippet: str, marks: list[tuple[int, int]], before: str, after: str) -> str:
    out, pos = [], 0
    for s, e in marks:
        out += [snippet[pos:s], before, snippet[s:e], after]
        pos = e
    out.append(snippet[pos:])
    return "".join(out)
