"""Web addresses as users type, paste and drop them: checked and normalised without the network.

A user's input is either a local path or a web address. "https://..." is always an address;
"brookings.edu/research/x" is one only when its first part clearly names a host (a common
top-level domain that is not also a file extension), so "notes.md" stays a missing file.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from evidence.errors import WebError

MAX_URL_CHARS = 8192
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
# Schemes people paste by mistake; named so the error says what the address is.
_OTHER_SCHEMES = {
    "ftp", "ftps", "sftp", "file", "javascript", "mailto", "data", "about", "tel", "chrome",
    "edge", "blob", "ws", "wss", "view-source", "news", "irc", "magnet", "smb",
}  # fmt: skip
# Common top-level domains minus those that are also file extensions (.md, .py, .pl, .sh...).
_HOST_TLDS = {
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "io", "co", "us", "uk", "ca",
    "au", "nz", "ie", "de", "fr", "eu", "es", "it", "nl", "be", "ch", "at", "se", "no", "dk",
    "fi", "jp", "cn", "kr", "tw", "hk", "sg", "ru", "br", "mx", "ar", "za", "news", "blog",
    "online", "site", "tv", "me", "ai", "app", "dev", "today", "world", "global", "press",
    "media", "foundation", "institute", "law", "review", "academy", "africa", "asia",
}  # fmt: skip
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_BARE_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})(?::\d{1,5})?(?:[/?#]\S*)?$",
    re.IGNORECASE,
)
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.IGNORECASE)


def looks_like_url(text: str) -> bool:
    """True when `text` is meant as a web address (maybe a bad one) rather than a file path.

    Callers check the file system first: an existing file named like a host is a file.
    """
    text = text.strip()
    m = _SCHEME.match(text)
    scheme = m.group(1).lower() if m else ""
    if m and (text[m.end() :].startswith("//") or scheme in {"http", "https", *_OTHER_SCHEMES}):
        return True
    return _is_bare_host(text)


def normalize_url(text: str) -> str:
    """The http(s) address in `text`, or WebError saying what is wrong with it.

    Adds "https://" to a bare "example.com/page"; refuses other schemes, addresses without a
    host, with a user name or password in them, or with characters no address contains.
    """
    raw = text.strip()
    if not raw:
        raise WebError("the web address is empty")
    if len(raw) > MAX_URL_CHARS:
        raise WebError(f"the web address is {len(raw):,} characters long; that is not a page")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise WebError("the web address contains control characters (a line break?)")
    m = _SCHEME.match(raw)
    if m and not raw[m.end() :][:1].isdigit():  # "example.com:8080/x" is a host and port
        scheme = m.group(1).lower()
        if scheme not in ("http", "https"):
            raise WebError(
                f"{scheme}: addresses cannot be fetched; only http:// and https:// web pages "
                "can be imported"
            )
        if not raw[m.end() :].startswith("//"):
            raise WebError(f"{_short(raw)!r} is not a web address: it needs // after {scheme}:")
    elif _is_bare_host(raw):
        raw = "https://" + raw
    else:
        raise WebError(
            f"{_short(raw)!r} is not a web address (expected something like "
            "https://example.com/article)"
        )
    return _check_parts(raw)


def cite_url(url: str) -> str:
    """`url` without a fragment and without tracking parameters (utm_source, fbclid...)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not _TRACKING.match(k)]
    new_query = urlencode(kept) if len(kept) != len(query) else parts.query
    return urlunsplit((parts.scheme, parts.netloc, parts.path, new_query, ""))


def site_host(url: str) -> str:
    """The host a reader would name the site by: "www.brookings.edu" -> "brookings.edu"."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _check_parts(url: str) -> str:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError when out of range or not a number
    except ValueError as exc:
        raise WebError(f"{_short(url)!r} is not a valid web address ({exc})") from exc
    if parts.username is not None or parts.password is not None:
        raise WebError(
            "addresses with a user name or password in them are not fetched "
            f"({parts.scheme}://…@{parts.hostname or ''})"
        )
    host = parts.hostname or ""
    if not host:
        raise WebError(f"{_short(url)!r} has no host name (expected https://example.com/...)")
    if not _valid_host(host):
        raise WebError(f"{host!r} is not a valid host name")
    return urlunsplit(_keep(parts))


def _keep(parts: SplitResult) -> SplitResult:
    # The scheme and host are case-insensitive: lowercase them so one page has one origin.
    netloc = parts.netloc.lower() if parts.netloc.isascii() else parts.netloc
    return parts._replace(scheme=parts.scheme.lower(), netloc=netloc)


def _valid_host(host: str) -> bool:
    if host.startswith("[") or ":" in host:  # an IPv6 literal; urlsplit has checked brackets
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    return all(_LABEL.match(label) for label in ascii_host.rstrip(".").split("."))


def _is_bare_host(text: str) -> bool:
    m = _BARE_HOST.match(text)
    return m is not None and (text.lower().startswith("www.") or m.group(1).lower() in _HOST_TLDS)


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
