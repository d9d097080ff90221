"""Recognising the cite paragraph(s) after a tag, and splitting short cite from full cite.

The rule (VERBATIM.md): a cite paragraph has a run in a Cite-role style, or starts with
`[ ( < *`, or contains a URL, and sits between the tag and the body. Real files also carry
cites pasted with direct formatting only ("Dong Sun LEE ... ’19 ..." in plain text with a
few bold words) that the rule misses; reading those cards as analytics would throw away the
body's underlining and highlighting, so a fallback takes the first paragraph as the cite by
position when it has a digit (a year) and the paragraphs after it are underlined: analytics
are the debater's own words and are not underlined. Such cards carry a warning.
"""

from __future__ import annotations

from evidence.verbatim.blocks import Para, Segment

_URLS = ("http://", "https://")
_CITE_OPENERS = "[(<*"
_FULL_CITE_OPENERS = "[(<"  # "*" also opens "* * *" separators in bodies: not for line two
_SHORT_LINE_MAX = 80  # a short-cite line ("Matanich 96") is a name and a year
_SHORT_LINE_SLACK = 3  # unstyled characters allowed on it, e.g. a trailing comma

BY_POSITION = "cite recognised by its position: it has no Cite style, bracket or URL"


def has_cite_run(p: Para) -> bool:
    return any(s.fmt.cite and s.text.strip() for s in p.segments if not s.marker)


def _has_url(text: str) -> bool:
    return any(u in text for u in _URLS)


def looks_like_cite(p: Para) -> bool:
    """VERBATIM.md's cite rule, for a paragraph that follows a tag."""
    if p.table:
        return False
    text = p.text.lstrip()
    return has_cite_run(p) or (text[:1] in _CITE_OPENERS and text != "") or _has_url(text)


def _is_short_cite_line(p: Para) -> bool:
    text = p.text.strip()
    if not has_cite_run(p) or len(text) > _SHORT_LINE_MAX or _has_url(text):
        return False
    unstyled = "".join(s.text for s in p.segments if not s.fmt.cite or s.marker)
    return len(unstyled.strip()) <= _SHORT_LINE_SLACK


def _is_full_cite_line(p: Para) -> bool:
    text = p.text.lstrip()
    return not p.table and ((text[:1] in _FULL_CITE_OPENERS and text != "") or _has_url(text))


def find_cite(paras: list[Para], *, by_position: bool = True) -> tuple[int, bool]:
    """How many of these non-empty paragraphs after a tag are its cite (0, 1 or 2), and
    whether the count rests on the position fallback."""
    if not paras:
        return 0, False
    first = paras[0]
    # A bracket or URL alone is weak evidence: it is a cite only with a body after it.
    if looks_like_cite(first) and (has_cite_run(first) or len(paras) > 1):
        two_lines = len(paras) > 1 and _is_short_cite_line(first)
        return (2 if two_lines and _is_full_cite_line(paras[1]) else 1), False
    if (
        by_position
        and len(paras) > 1
        and not first.table
        and _has_digit(first.text)
        and any(s.fmt.underline and s.text.strip() for q in paras[1:] for s in q.segments)
    ):
        return 1, True
    return 0, False


def split_cite(cites: list[Para]) -> tuple[str, str]:
    """(short cite, full cite). The short cite is the text in the Cite-role style, its
    pieces joined by one space ("Leeds et al. ... 2000" -> "Leeds et al. 2000"); without any,
    the bold words of a directly formatted cite up to the first one with a digit (the year).
    The full cite is the rest when the short cite opens the paragraph ("Sabrosky ’88 [Alan
    Ned; ...]"), else the whole paragraph ("Johanna Matanich 96, ARTICLE..."), so no word
    of it is lost. Further cite lines are joined with "\\n"."""
    first = cites[0]
    whole = first.text
    groups = _groups(first.segments, cite=True)
    if not groups:
        groups = _groups(first.segments, cite=False)
        year = next((i for i, (a, b) in enumerate(groups) if _has_digit(whole[a:b])), 0)
        groups = groups[: year + 1]
    short = " ".join(" ".join(whole[a:b] for a, b in groups).split())
    if len(groups) == 1 and not whole[: groups[0][0]].strip():
        rest = whole[groups[0][1] :].strip()
    else:
        rest = whole.strip()
    if short and not rest and not has_cite_run(first):
        short, rest = "", whole.strip()  # all bold: nothing singles a short cite out
    lines = [rest, *(p.text.strip() for p in cites[1:])]
    return short, "\n".join(line for line in lines if line)


def _groups(segments: list[Segment], *, cite: bool) -> list[tuple[int, int]]:
    """Character ranges of the cite-role (else bold) runs in the paragraph's text; runs
    with only spaces between them form one range."""
    whole = "".join(seg.text for seg in segments)
    out: list[tuple[int, int]] = []
    pos = 0
    for seg in segments:
        end = pos + len(seg.text)
        flag = seg.fmt.cite if cite else seg.fmt.bold
        if flag and not seg.marker and seg.text.strip():
            if out and not whole[out[-1][1] : pos].strip():
                out[-1] = (out[-1][0], end)
            else:
                out.append((pos, end))
        pos = end
    return out


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)
