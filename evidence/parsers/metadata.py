"""Metadata clean-up shared by the parsers.

Embedded metadata is often wrong: it names the template the author started from ("Instructions
for ACL-2013 Proceedings", "Verbatim Mac") or the account that saved the file ("Windows User").
Showing that as a source's title or author is worse than showing nothing, so parsers filter it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

# Template and tool titles: the first group is matched as a prefix, the second as the whole.
_JUNK_TITLE = re.compile(
    r"""^(?:
        (?:instructions?\ for | author\ guidelines | formatting\ instructions
          | microsoft\ (?:word|powerpoint)\ - | verbatim\b | paper\ template)
      | (?:untitled\S* | document\s*\d* | doc\d+ | word\ document | title | template | slide\ \d+
          | powerpoint\ presentation | presentation\s*\d* | new\ document | no\ title | none
          | null | default | \W* )$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_FILE_NAME = re.compile(r"\.(?:docx?|pdf|tex|dvi|ps|rtf|txt|html?|odt|pages|indd|qxd)$", re.I)

_JUNK_AUTHORS = {
    "windows user", "administrator", "admin", "user", "owner", "author", "unknown", "anonymous",
    "microsoft office user", "microsoft account", "office user", "preferred customer",
    "valued customer", "authorised user", "authorized user", "registered user", "default",
    "standard", "system", "root", "pc", "hp", "dell", "lenovo", "acer", "asus", "your name",
    "name", "test", "python-docx", "utente", "usuario", "benutzer", "utilisateur", "none",
    "null", "n/a",
}  # fmt: skip

_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def is_junk_title(title: str, file_name: str = "") -> bool:
    """True for template names, saved-as file names and other titles that say nothing."""
    t = title.strip()
    if len(t) < 3 or _JUNK_TITLE.match(t) or _FILE_NAME.search(t):
        return True
    stem = file_name.rsplit(".", 1)[0].strip().lower()
    return bool(stem) and t.lower() == stem


def is_junk_author(name: str) -> bool:
    """True for account names ("Windows User", "jsmith2") rather than a person's name."""
    n = name.strip()
    if n.lower() in _JUNK_AUTHORS or len(n) < 2:
        return True
    # A login name: one lowercase token, or letters mixed with digits.
    return bool(re.fullmatch(r"[a-z0-9._-]+", n)) or bool(re.search(r"\d", n))


def split_authors(value: str) -> list[str]:
    """Split "A; B", "A, B and C" into names, dropping junk. "Smith, John" stays whole."""
    value = value.strip()
    if not value:
        return []
    if ";" in value:
        parts = value.split(";")
    elif re.fullmatch(r"[^,\s]+,\s*[^,\s]+(?:\s+[A-Z]\.?)*", value):
        parts = [value]  # "Last, First" is one name, not two
    else:
        parts = re.split(r",|\band\b|&", value)
    names: list[str] = []
    for part in parts:
        name = " ".join(part.split())
        if name and not is_junk_author(name) and name not in names:
            names.append(name)
    return names


def pdf_date(value: str) -> str:
    """PDF date ("D:20201101061916Z") to ISO "2020-11-01", as precise as it is valid."""
    m = _PDF_DATE.match(value.strip())
    if not m:
        return ""
    year, month, day = m.group(1), m.group(2), m.group(3)
    if not plausible_year(int(year)):
        return ""
    if not month or not 1 <= int(month) <= 12:
        return year
    if day:
        try:
            return date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            pass
    return f"{year}-{month}"


def iso_date(value: datetime | date | None) -> str:
    if value is None or not plausible_year(value.year):
        return ""
    if (value.year, value.month, value.day) == (1980, 1, 1):
        return ""  # the zeroed DOS timestamp some tools write for "unknown"
    return value.strftime("%Y-%m-%d")


def plausible_year(year: int) -> bool:
    return 1900 <= year <= datetime.now().year + 1


def find_year(text: str) -> str:
    """The first plausible four-digit year in `text`, or ""."""
    for m in re.finditer(r"\b(19\d\d|20\d\d)\b", text):
        if plausible_year(int(m.group(1))):
            return m.group(1)
    return ""
