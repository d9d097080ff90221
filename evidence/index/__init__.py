"""The library's index: the SQLite store with FTS5, passages, Chroma vectors, hybrid search."""
