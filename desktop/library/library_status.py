"""The index status line under the sources: counts, vectors, the embedding model, and why
vectors are pending when they cannot be computed."""

from __future__ import annotations

from app.library_jobs import LibrarySnapshot
from evidence.importing.events import ImportFinished


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def status_text(snap: LibrarySnapshot) -> tuple[str, bool]:
    """The line to show, and whether it reports a problem (shown in the failure colour)."""
    st = snap.status
    parts = [plural(st.sources, "source"), plural(st.passages, "passage")]
    parts.append(f"vectors: {st.embedded:,} embedded, {st.pending_vectors:,} pending")
    parts.append(f"model: {snap.embedding_model}")
    lines = [" · ".join(parts)]
    problem = False
    if snap.embedder_error:
        problem = bool(st.passages)
        lines.append(
            f"Vectors pending: {snap.embedder_error} (keyword search still works; "
            "fix the embedding model in Settings, then Resume)"
        )
    if st.queued_files:
        lines.append(f"{plural(st.queued_files, 'file')} left from an unfinished import.")
    return "\n".join(lines), problem


def import_summary(done: ImportFinished, counts: str, vector_note: str) -> str:
    """What the import did, in the command line's words ("Done: 3 imported, 1 failed.")."""
    words = [("Cancelled" if done.cancelled else "Done") + f": {counts}."]
    if vector_note:
        words.append(f"Vectors not computed: {vector_note} (keyword search still works).")
    elif done.pending_vectors:
        words.append(f"Passages waiting for vectors: {done.pending_vectors:,}.")
    if done.cancelled:
        words.append("What was done is kept; Resume finishes the rest.")
    return " ".join(words)
