"""Errors raised for bad input. Each carries a short, user-facing reason."""

from __future__ import annotations

import errno
import stat


class EvidenceError(Exception):
    """Base class: a problem with one input that the user can act on."""


class UnsupportedFile(EvidenceError):
    """The content is of a type we do not import (decided from bytes, not the extension)."""


class CorruptFile(EvidenceError):
    """The file claims a known type but cannot be parsed (truncated, damaged, not what it says)."""


class EncryptedFile(EvidenceError):
    """The file is password-protected."""


class EmptyFile(EvidenceError):
    """The file holds no text to import (zero bytes, scanned images only, blank pages)."""


class FileTooLarge(EvidenceError):
    """The file is over the configured size limit, or expands beyond it (zip bombs)."""


class UnreadablePath(EvidenceError):
    """The path cannot be read (missing, permission denied, a device)."""


class ModelFileError(EvidenceError):
    """A model file is missing, truncated, or not the model it should be."""


class NetworkDisabled(EvidenceError):
    """Web access is off: the action would have needed the network, and nothing was sent."""


class WebError(EvidenceError):
    """A web address could not be fetched or is not evidence (bad URL, refused, timed out)."""


def os_reason(exc: BaseException) -> str:
    """Why a path could not be read, in the user's words (the same wherever it is said)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or folder"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "this is a folder, not a file"
    # pathlib raises RuntimeError for a symbolic link loop while resolving a path
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return "symbolic link loop"
    if getattr(exc, "errno", None) == errno.ENAMETOOLONG:
        return "the file name is too long"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or f"cannot read it ({type(exc).__name__})"


_NOT_FILES = [
    (stat.S_ISDIR, "this is a folder, not a file"),
    (stat.S_ISFIFO, "not a regular file (a named pipe)"),
    (stat.S_ISCHR, "not a regular file (a character device)"),
    (stat.S_ISBLK, "not a regular file (a block device)"),
    (stat.S_ISSOCK, "not a regular file (a socket)"),
]


def not_a_file_reason(mode: int) -> str:
    """Why a path of this st_mode is not imported ("" for a regular file): reading a pipe or
    a device such as /dev/zero would never end."""
    if stat.S_ISREG(mode):
        return ""
    for test, reason in _NOT_FILES:
        if test(mode):
            return reason
    return "not a regular file"
