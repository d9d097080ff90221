"""Verbatim .docx files (the debate community's Word format) as cards and outline."""

from evidence.verbatim.reader import is_verbatim, read_verbatim

__all__ = ["is_verbatim", "read_verbatim"]
