"""A squad's shared library on a Chroma server: connect, share, search, pull (Qt-free).

`server` (the checked connection), `records` (local rows as team records), `share`
(resumable, deduplicated by content hash), `search` (nearest shared passages with who shared
them), `pull` (a shared source into the local library, for offline use).
"""
