"""An author's qualifications, only where the page states them.

Debaters cite "Jane Doe, professor of law at Yale" because judges weigh who says it. Three
places on a web page state it: the structured data (JSON-LD Person: jobTitle, worksFor,
description), the byline ("By Jane Doe, a senior fellow at X") and an author bio anywhere on
the page ("Jane Doe is a professor of law at Y."). Nothing is guessed: an author whose page
says nothing about them gets no qualification, and the cite shows it is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_QUALIFICATION_CHARS = 240
_ROLE = re.compile(
    r"\b(?:professor|fellow|director|editor|reporter|correspondent|researcher|analyst|scholar"
    r"|lecturer|chair(?:man|woman)?|president|founder|economist|scientist|journalist|writer"
    r"|columnist|contributor|expert|advis[oe]r|officer|secretary|ambassador|senator"
    r"|representative|attorney|lawyer|judge|ceo|dean|chief|historian|physician|engineer"
    r"|strategist|consultant|commentator|minister|policy|phd|ph\.d|member|head of|staff)\b",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
_ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "jr", "sr", "st", "inc", "ltd", "co", "corp", "univ", "prof",
    "no", "vs", "etc", "dept", "gov", "sen", "rep", "gen", "col", "lt", "mt", "ph.d", "u.s",
    "u.k", "e.g", "i.e",
}  # fmt: skip
# A bio's relative clause (", where she teaches...") is more than the qualification.
_SENTENCE_END = re.compile(r"\.(?=\s|$)|[\n|;]|,\s+(?:where|who|which|whose)\s")
_BYLINE_END = re.compile(r"\.(?=\s|$)|[\n|;]|,\s+and\s+[A-Z]|\s+and\s+[A-Z]\w+\s+[A-Z]")


@dataclass(frozen=True)
class LdPerson:
    """A Person in the page's JSON-LD."""

    name: str
    job_title: str = ""
    affiliation: str = ""
    description: str = ""


def ld_people(blocks: list[Any]) -> list[LdPerson]:
    """Every Person object with a name in the JSON-LD blocks (authors first, as listed)."""
    found: dict[str, LdPerson] = {}
    for obj in _walk(blocks):
        if not _is_type(obj, "Person"):
            continue
        name = _text(obj.get("name"))
        if not name:
            continue
        person = LdPerson(
            name=name,
            job_title=_text(obj.get("jobTitle")),
            affiliation=_org_name(obj.get("worksFor") or obj.get("affiliation")),
            description=_text(obj.get("description")),
        )
        old = found.get(name.casefold())
        if old is None or _richness(person) > _richness(old):
            found[name.casefold()] = person
    return list(found.values())


def ld_author_names(blocks: list[Any]) -> list[str]:
    """Names of the article's authors as the JSON-LD lists them (Person or plain strings)."""
    names: list[str] = []
    for obj in _walk(blocks):
        authors = obj.get("author")
        for author in authors if isinstance(authors, list) else [authors]:
            name = _text(author.get("name")) if isinstance(author, dict) else _text(author)
            is_org = isinstance(author, dict) and _is_type(author, "Organization")
            if name and not is_org and name not in names:
                names.append(name)
    return names


def qualifications(authors: list[str], people: list[LdPerson], page_text: str) -> str:
    """The stated qualifications of `authors`, one author: "professor of law at Y"; several:
    "Jane Doe: professor...; John Roe: fellow..."; "" when the page states none."""
    found = [(name, qualification_of(name, people, page_text)) for name in authors]
    stated = [(name, q) for name, q in found if q]
    if not stated:
        return ""
    if len(authors) == 1:
        return stated[0][1]
    return "; ".join(f"{name}: {q}" for name, q in stated)


def qualification_of(name: str, people: list[LdPerson], page_text: str) -> str:
    person = next((p for p in people if same_person(p.name, name)), None)
    if person is not None and person.job_title:
        title = person.job_title
        if person.affiliation and person.affiliation.casefold() not in title.casefold():
            title = f"{title}, {person.affiliation}"
        return _clip(title)
    stated = byline_qualification(name, page_text) or bio_qualification(name, page_text)
    if stated:
        return stated
    if person is not None and person.description:
        return bio_qualification(person.name, person.description) or _first_sentence(
            person.description
        )
    return ""


def byline_qualification(name: str, text: str) -> str:
    """ "By Jane Doe, a senior fellow at X" -> "senior fellow at X"."""
    pattern = re.compile(rf"\bBy\s+{_name_pattern(name)}\s*,\s+", re.IGNORECASE)
    for m in pattern.finditer(text):
        phrase = _until(text, m.end(), _BYLINE_END)
        if phrase and (_ARTICLE.match(phrase) or _ROLE.search(phrase)):
            return _clip(_ARTICLE.sub("", phrase))
    return ""


def bio_qualification(name: str, text: str) -> str:
    """ "Jane Doe is a professor of law at Y." -> "professor of law at Y"."""
    pattern = re.compile(
        rf"{_name_pattern(name)},?\s+(?:is|was|serves as|has served as)\s+(?=(?:a|an|the)\s)"
    )
    for m in pattern.finditer(text):
        phrase = _until(text, m.end(), _SENTENCE_END)
        if phrase:
            return _clip(_ARTICLE.sub("", phrase))
    return ""


def looks_like_qualification(value: str) -> bool:
    """True for byline pieces that extractors take for a name ("A Senior Fellow")."""
    return bool(_ARTICLE.match(value.strip())) or bool(_ROLE.search(value))


def same_person(a: str, b: str) -> bool:
    """ "Jane Doe" = "jane  doe" = "Jane Q. Doe"; not "John Doe"."""
    x, y = _tokens(a), _tokens(b)
    if not x or not y:
        return False
    return x == y or (x[-1] == y[-1] and x[0][0] == y[0][0])


def _until(text: str, start: int, end: re.Pattern[str]) -> str:
    """The phrase from `start` to the next sentence end that is not an abbreviation's dot;
    "" when it runs on too long to be one qualification."""
    pos = start
    while True:
        m = end.search(text, pos)
        stop = m.start() if m else len(text)
        if stop - start > MAX_QUALIFICATION_CHARS:
            return ""
        if m is None or m.group() != "." or not _after_abbreviation(text, stop):
            return " ".join(text[start:stop].split()).rstrip(",")
        pos = stop + 1


def _after_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
    token = word.group(1).lower() if word else ""
    return len(token) == 1 or token in _ABBREVIATIONS or bool(re.fullmatch(r"(?:\w\.)+\w", token))


def _name_pattern(name: str) -> str:
    return r"\s+".join(re.escape(part) for part in name.split())


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s.,]+", name.casefold()) if t]


def _first_sentence(text: str) -> str:
    return _until(" ".join(text.split()), 0, _SENTENCE_END)


def _clip(text: str) -> str:
    text = " ".join(text.split()).strip(" ,;")
    return text if len(text) <= MAX_QUALIFICATION_CHARS else ""


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _is_type(obj: dict[str, Any], name: str) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1] == name for k in kinds)


def _org_name(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(value.split()) if isinstance(value, str) else ""


def _richness(person: LdPerson) -> int:
    return sum(bool(v) for v in (person.job_title, person.affiliation, person.description))
