"""The Qt-free evidence domain: sources, cards, import parsers, the index and search, Word
import/export, the web. Nothing here imports Qt, `agents` or `app`; the embedder reaches it
as a plain object that satisfies `evidence.index.embedding.Embedder`.
"""
