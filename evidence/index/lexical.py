"""The BM25 side of search, with a bounded cost however common the query's words are.

Scoring every passage that contains a very common word is what makes FTS5 slow on a big
library (a word in 40,000 of 100,000 passages costs ~25 ms to rank). So: passages with all
the words come first; then passages with some of the rarer words; a word found in more than
`COMMON` passages never drives a full scan on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evidence.index.snippets import query_terms
from evidence.index.store import Store

COMMON = 5000  # passages; a word in more than this many is "common"


@dataclass(frozen=True)
class LexicalRanking:
    ids: list[int]  # best first
    full: int  # the first `full` ids contain every word of the query; the rest only some


def lexical_ranking(
    store: Store, query: str, depth: int, source_ids: Sequence[int] | None = None
) -> LexicalRanking:
    terms = query_terms(query) or query_terms(query, keep_stopwords=True)
    if not terms:
        return LexicalRanking([], 0)
    quoted = [f'"{t}"' for t in terms]  # quoting keeps FTS5 syntax out of user input
    counts = {q: store.match_count(q, COMMON + 1) for q in quoted}
    rare = [q for q in quoted if counts[q] <= COMMON]
    all_common = not rare
    ranked = [
        pid
        for pid, _ in store.lexical(
            " AND ".join(quoted), depth, source_ids, scan_cap=COMMON if all_common else None
        )
    ]
    full = len(ranked)
    if len(ranked) >= depth or len(quoted) == 1:
        return LexicalRanking(ranked, full)
    # Some of the words: the rare ones score cheaply; if all are common, the least common one.
    partial = rare or [min(quoted, key=lambda q: counts[q])]
    seen = set(ranked)
    cap = COMMON if all_common else None
    for pid, _ in store.lexical(" OR ".join(partial), depth, source_ids, scan_cap=cap):
        if pid not in seen:
            ranked.append(pid)
            seen.add(pid)
            if len(ranked) >= depth:
                break
    return LexicalRanking(ranked, full)
