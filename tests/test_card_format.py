"""The editor's Qt-free mark logic: random marking never changes the words, spans ⇄ runs is
exact, condensing changes only whitespace, and UTF-16 positions map back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.editor import card_format as cf
from evidence.cards.card import Mark, Span

COLORS = ["yellow", "cyan", "green"]
bodies = st.text(alphabet=st.sampled_from("ab cd\n\t\u00a0é𝑥"), min_size=1, max_size=60)


@st.composite
def body_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    body = draw(bodies)
    n = len(body)
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        a = draw(st.integers(0, n))
        b = draw(st.integers(a, n))
        mark = draw(st.sampled_from(list(Mark)))
        color = draw(st.sampled_from(COLORS)) if mark == Mark.HIGHLIGHT else ""
        if a < b:
            spans.append(Span(a, b, mark, color))
    return body, spans


op = st.tuples(
    st.sampled_from(["toggle", "set", "unset", "clear", "condense"]),
    st.sampled_from(list(Mark)),
    st.sampled_from(COLORS),
    st.floats(0, 1),
    st.floats(0, 1),
)


def _range(n: int, x: float, y: float) -> tuple[int, int]:
    a, b = sorted((int(x * n), int(y * n)))
    return a, b


@settings(max_examples=300, deadline=None)
@given(body_and_spans(), st.lists(op, max_size=8))
def test_random_mark_operations_never_change_the_words(
    case: tuple[str, list[Span]], ops: list[tuple[str, Mark, str, float, float]]
) -> None:
    body, spans = case
    words = body.split()
    chars = cf.char_marks(body, spans)
    for name, mark, color, x, y in ops:
        a, b = _range(len(body), x, y)
        before = body
        if name == "toggle":
            chars = cf.toggle_mark(body, chars, a, b, mark, color)
        elif name in ("set", "unset"):
            chars = cf.set_mark(body, chars, a, b, mark, name == "set", color)
            for i in range(a, b):
                if body[i] != "\n":
                    assert chars[i].has(mark) == (name == "set")
        elif name == "clear":
            chars = cf.clear_marks(body, chars, a, b)
            assert all(chars[i] == cf.NONE for i in range(a, b) if body[i] != "\n")
        else:
            body, chars = cf.condense(body, chars, a, b)
            assert "\n" not in body[a : a + (b - a) - (len(before) - len(body))]
        if name != "condense":
            assert body == before  # marking never touches the text
        assert body.split() == words
        assert len(chars) == len(body)
        # The spans describe the same marks, and are already canonical.
        spans = cf.spans_of(chars)
        assert cf.char_marks(body, spans) == chars
        assert cf.canonical(body, spans) == spans


@settings(max_examples=300, deadline=None)
@given(body_and_spans())
def test_spans_runs_round_trip(case: tuple[str, list[Span]]) -> None:
    body, spans = case
    chars = cf.char_marks(body, spans)
    runs = cf.runs_of(chars)
    assert [r.start for r in runs[1:]] == [r.end for r in runs[:-1]]
    assert (runs[0].start, runs[-1].end) == (0, len(body))
    rebuilt = [cf.NONE] * len(body)
    for run in runs:
        rebuilt[run.start : run.end] = [run.marks] * (run.end - run.start)
    assert cf.spans_of(rebuilt) == cf.canonical(body, spans)
    # Every non-break character keeps exactly the marks its spans gave it.
    for i, c in enumerate(body):
        if c != "\n":
            covering = {s.mark for s in spans if s.start <= i < s.end}
            assert {m for m in Mark if chars[i].has(m)} == covering


@settings(max_examples=200, deadline=None)
@given(body_and_spans())
def test_condense_keeps_the_marks_of_every_word(case: tuple[str, list[Span]]) -> None:
    body, spans = case
    chars = cf.char_marks(body, spans)
    text, after = cf.condense(body, chars)
    assert "\n" not in text
    kept = [(c, m) for c, m in zip(body, chars, strict=True) if not c.isspace()]
    assert [(c, m) for c, m in zip(text, after, strict=True) if not c.isspace()] == kept


def test_break_between_marked_words_joins_spans() -> None:
    body = "one\ntwo"
    split = [Span(0, 3, Mark.UNDERLINE), Span(4, 7, Mark.UNDERLINE)]
    assert cf.canonical(body, split) == [Span(0, 7, Mark.UNDERLINE)]
    assert cf.condense(body, cf.char_marks(body, split)) == ("one two", [cf.Marks(True)] * 7)


def test_toggle_recolours_a_highlight_of_another_colour() -> None:
    body = "words"
    chars = cf.char_marks(body, [Span(0, 5, Mark.HIGHLIGHT, "yellow")])
    assert cf.toggle_mark(body, chars, 0, 5, Mark.HIGHLIGHT, "cyan")[0].highlight == "cyan"
    assert cf.toggle_mark(body, chars, 0, 5, Mark.HIGHLIGHT, "yellow")[0] == cf.NONE


@given(st.text(max_size=40))
def test_utf16_positions_map_back(text: str) -> None:
    u16 = cf.Utf16(text)
    for i in range(len(text) + 1):
        assert u16.py(u16.qt(i)) == i
    assert u16.qt(len(text)) == len(text.encode("utf-16-le")) // 2


def test_highlight_text_stays_readable() -> None:
    assert cf.text_on(cf.highlight_rgb("yellow")) == "#000000"
    assert cf.text_on(cf.highlight_rgb("cyan")) == "#000000"
    assert cf.text_on(cf.highlight_rgb("darkBlue")) == "#ffffff"
