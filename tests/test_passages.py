from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.index.passages import PassageSpan, split_passages
from evidence.parsers import parse_file
from evidence.parsers.document import ParsedDocument, SourceKind
from tests.conftest import SAMPLES

PAPER = SAMPLES / "pdf" / "debatesum-paper.pdf"


def _doc(text: str, page_starts: list[int] | None = None) -> ParsedDocument:
    return ParsedDocument(kind=SourceKind.TEXT, text=text, page_starts=page_starts or [])


def _words(doc: ParsedDocument, span: PassageSpan) -> int:
    return len(doc.text[span.start : span.end].split())


def _assert_valid(doc: ParsedDocument, spans: list[PassageSpan], min_w: int, max_w: int) -> None:
    text = doc.text
    position = 0
    for i, span in enumerate(spans):
        passage = text[span.start : span.end]
        assert passage and passage == passage.strip()
        assert span.start >= position
        assert not text[position : span.start].strip()  # only whitespace left out
        limit = max_w + min_w / 2 if i == len(spans) - 1 else max_w  # the trailing merge
        assert _words(doc, span) <= limit
        assert span.page == doc.page_at(span.start)
        position = span.end
    assert not text[position:].strip()


_WORD = st.text(alphabet="abcXYZ.?!“”'1", min_size=1, max_size=6)
_SPACE = st.sampled_from([" ", " ", " ", "  ", "\t", "\u00a0", "\n"])
_BREAK = st.sampled_from(["\n\n", "\n \n", "\n\n\n", " \n\t\n ", "\n"])


@st.composite
def _texts(draw: st.DrawFn) -> str:
    paragraphs = draw(st.lists(st.lists(_WORD, max_size=140), max_size=12))
    out = [draw(st.sampled_from(["", " ", "\n\n"]))]
    for words in paragraphs:
        for word in words:
            out += [word, draw(_SPACE)]
        out.append(draw(_BREAK))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(text=_texts(), min_w=st.integers(1, 40), extra=st.integers(0, 60))
def test_spans_cover_the_text_in_order_within_limits(text: str, min_w: int, extra: int) -> None:
    max_w = min_w + extra
    doc = _doc(text)
    spans = split_passages(doc, min_words=min_w, max_words=max_w)
    _assert_valid(doc, spans, min_w, max_w)
    assert sum(_words(doc, s) for s in spans) == len(text.split())


@settings(max_examples=100, deadline=None)
@given(text=_texts(), cut=st.integers(0, 2000))
def test_pages_are_the_page_of_the_start(text: str, cut: int) -> None:
    doc = _doc(text, [0, min(cut, len(text))])
    spans = split_passages(doc, min_words=10, max_words=30)
    _assert_valid(doc, spans, 10, 30)


def test_whole_paragraphs_are_packed_to_min_words() -> None:
    paragraphs = [" ".join(["w"] * 60)] * 5  # 300 words
    doc = _doc("\n\n".join(paragraphs))
    spans = split_passages(doc, min_words=100, max_words=150)
    # 60+60 >= 100 flushes; the last 60 (>= 50) stays on its own.
    assert [_words(doc, s) for s in spans] == [120, 120, 60]
    assert all(doc.text[s.end - 1] == "w" and doc.text[s.start] == "w" for s in spans)


def test_a_paragraph_never_pushes_a_passage_past_max_words() -> None:
    doc = _doc("\n\n".join([" ".join(["a"] * 90), " ".join(["b"] * 90)]))
    spans = split_passages(doc, min_words=100, max_words=150)
    assert [doc.text[s.start : s.end].split()[0] for s in spans] == ["a", "b"]


def test_long_paragraph_splits_at_sentence_ends_into_balanced_pieces() -> None:
    sentence = "The plan " + " ".join(["works"] * 8) + "."  # 10 words
    doc = _doc(" ".join([sentence] * 100))  # one 1000-word paragraph
    spans = split_passages(doc, min_words=150, max_words=400)
    sizes = [_words(doc, s) for s in spans]
    assert sum(sizes) == 1000 and max(sizes) <= 400 and min(sizes) >= 300
    assert all(doc.text[s.start : s.end].endswith(".") for s in spans)


def test_sentence_end_needs_a_capital_quote_or_digit_after() -> None:
    text = " ".join(["e.g. word"] * 150 + ["End. “Quoted” start"] + ["x"] * 100)
    doc = _doc(text)
    spans = split_passages(doc, min_words=50, max_words=320)
    first = doc.text[spans[0].start : spans[0].end]
    assert first.endswith("End.")


def test_paragraph_without_sentences_splits_between_words() -> None:
    doc = _doc(" ".join(f"w{i}" for i in range(1000)))
    spans = split_passages(doc, min_words=150, max_words=400)
    assert [_words(doc, s) for s in spans] == [334, 333, 333]


def test_single_newlines_are_paragraphs_only_without_blank_lines() -> None:
    lines = [" ".join(["w"] * 30)] * 4
    one_per_line = split_passages(_doc("\n".join(lines)), min_words=50, max_words=70)
    assert len(one_per_line) == 2
    with_blank = _doc("\n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:]))
    assert [_words(with_blank, s) for s in split_passages(with_blank, 50, 70)] == [60, 60]


def test_trailing_remainder_merges_into_previous_passage() -> None:
    doc = _doc(" ".join(["w"] * 200) + "\n\n" + " ".join(["z"] * 40))
    spans = split_passages(doc, min_words=150, max_words=400)
    assert len(spans) == 1 and (spans[0].start, spans[0].end) == (0, len(doc.text))


def test_empty_and_whitespace_texts_have_no_passages() -> None:
    assert split_passages(_doc("")) == []
    assert split_passages(_doc(" \n\n \t")) == []


def test_sample_pdf_passages() -> None:
    doc = parse_file(PAPER)
    spans = split_passages(doc)
    pages = [s.page or 0 for s in spans]
    assert pages == sorted(pages)
    # Page 7 of the sample is blank; every page with text starts at least one passage.
    assert set(pages) == {1, 2, 3, 4, 5, 6}
    sizes = [_words(doc, s) for s in spans]
    assert sum(150 <= n <= 400 for n in sizes) >= 0.8 * len(sizes)
    _assert_valid(doc, spans, 150, 400)


def test_large_text_is_split_in_linear_time() -> None:
    paragraph = "Whales migrate far. " * 30  # 90 words
    text = "\n\n".join([paragraph] * 5000 + ["word " * 5000])  # 455,000 words
    start = time.perf_counter()
    spans = split_passages(_doc(text))
    assert time.perf_counter() - start < 3
    assert sum(len(re.findall(r"\S+", text[s.start : s.end])) for s in spans) == 455_000
