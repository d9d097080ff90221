"""Errors raised for bad input. Each carries a short, user-facing reason."""

from __future__ import annotations


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
