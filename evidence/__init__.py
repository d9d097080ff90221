"""The Qt-free evidence domain: sources, passages, import parsers, the store and search.

Nothing in this package imports Qt or `agents`; the embedder reaches it as a plain object
that satisfies `evidence.index.embedding.Embedder`.
"""
