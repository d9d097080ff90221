"""The library end to end on real files: real parsers, SQLite, Chroma and llama.cpp."""

from __future__ import annotations

import builtins
import io
import os
import shutil
from pathlib import Path

from evidence.datadir import DataDir
from evidence.errors import ModelFileError
from evidence.importing.events import EmbedUnavailable, FileResult, FileStatus, ImportFinished
from evidence.index.search import SearchFilters
from evidence.library import Library
from evidence.settings import Settings
from tests.conftest import SAMPLES
from tests.consistency import assert_consistent


def _results(events: list[object]) -> dict[str, FileResult]:
    return {Path(e.path).name: e for e in events if isinstance(e, FileResult)}


def test_samples_import_every_file_with_vectors(sample_library: Library) -> None:
    results = _results(sample_library.import_events)
    assert set(results) == {
        "1nc.docx",
        "neg.docx",
        "neg-2.docx",
        "debatesum-paper.pdf",
        "SOURCES.md",
    }
    assert all(r.status == FileStatus.IMPORTED and r.passages > 0 for r in results.values())
    status = sample_library.status()
    assert status.sources == 5 and status.passages > 100
    assert status.embedded == status.passages
    assert_consistent(sample_library)


def test_unclos_query_puts_1nc_first(sample_library: Library) -> None:
    hits = sample_library.search("UNCLOS duty to conserve whales", k=5)
    assert Path(hits[0].origin).name == "1nc.docx"
    assert "UNCLOS" in hits[0].snippet
    marked = {hits[0].snippet[s:e].lower() for s, e in hits[0].marks}
    assert {"unclos", "whales"} <= marked
    assert hits[0].lexical_rank == 1 and hits[0].vector_rank is not None


def test_pdf_hits_carry_their_page(sample_library: Library) -> None:
    hits = sample_library.search("ROUGE scores of extractive summarization models", k=10)
    pdf_hits = [h for h in hits if h.origin.endswith(".pdf")]
    assert pdf_hits and all(h.page is not None and 1 <= h.page <= 7 for h in pdf_hits)


def test_hit_offsets_map_back_to_the_source_text(sample_library: Library) -> None:
    for hit in sample_library.search("deterrence North Korea", k=5):
        text = sample_library.store.source_text(hit.source_id)
        passage = sample_library.store.passages([hit.passage_id])[hit.passage_id]
        assert text[hit.start : hit.end] == passage.text


def test_source_filter_limits_both_sides(sample_library: Library) -> None:
    neg = sample_library.find_sources("neg.docx")
    assert len(neg) == 1
    hits = sample_library.search("whales", k=5, filters=SearchFilters(source_ids=[neg[0].id]))
    assert hits and all(h.source_id == neg[0].id for h in hits)


def test_date_filter_with_no_matching_source_returns_nothing(sample_library: Library) -> None:
    assert sample_library.search("whales", filters=SearchFilters(date_from="2999")) == []


def test_reimporting_unchanged_files_does_nothing(sample_library: Library) -> None:
    before = sample_library.status()
    events = list(sample_library.import_paths([SAMPLES]))
    assert {r.status for r in _results(events).values()} == {FileStatus.UNCHANGED}
    assert sample_library.status() == before


def test_changed_file_replaces_old_version_everywhere(
    data_dir: DataDir, embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    lib = Library(data_dir, Settings(), lambda: embedder)
    note = tmp_path / "note.txt"
    note.write_text("Aardvarks dig burrows at night.\n\nThey eat termites.")
    list(lib.import_paths([note]))
    note.write_text("Platypuses lay eggs.\n\nThey hunt underwater with electroreception.")
    events = list(lib.import_paths([note]))
    assert _results(events)["note.txt"].status == FileStatus.REPLACED
    assert lib.search("aardvarks", mode="lexical") == []
    assert lib.search("platypuses", mode="lexical")
    assert lib.status().sources == 1
    assert_consistent(lib)
    lib.close()


def test_only_a_kind_whose_reader_changed_is_read_again(data_dir: DataDir, embedder) -> None:  # type: ignore[no-untyped-def]
    lib = Library(data_dir, Settings(), lambda: embedder)
    pdf, docx = SAMPLES / "pdf" / "debatesum-paper.pdf", SAMPLES / "verbatim" / "1nc.docx"
    list(lib.import_paths([pdf, docx]))
    # A library imported before PDF review copies lost their margin line numbers.
    with lib.store.conn:
        lib.store.conn.execute("UPDATE sources SET reader_version = 2")
    results = _results(list(lib.import_paths([pdf, docx])))
    assert results[pdf.name].status == FileStatus.REPLACED  # read again by today's reader
    assert results[docx.name].status == FileStatus.UNCHANGED  # its reader did not change
    again = _results(list(lib.import_paths([pdf, docx])))
    assert {r.status for r in again.values()} == {FileStatus.UNCHANGED}
    assert lib.status().sources == 2
    assert_consistent(lib)
    lib.close()


def test_remove_takes_a_source_out_of_every_index(data_dir: DataDir, embedder) -> None:  # type: ignore[no-untyped-def]
    lib = Library(data_dir, Settings(), lambda: embedder)
    list(lib.import_paths([SAMPLES / "verbatim" / "1nc.docx"]))
    (source,) = lib.sources()
    assert lib.vectors().count() == source.passages
    assert lib.remove(source.id)
    assert lib.search("UNCLOS whales") == []
    assert lib.vectors().count() == 0
    assert_consistent(lib)
    lib.close()


def test_missing_model_leaves_keyword_search_working(data_dir: DataDir) -> None:
    def broken() -> object:
        raise ModelFileError("embedding model /nowhere/x.gguf not found")

    lib = Library(data_dir, Settings(), broken)  # type: ignore[arg-type]
    events = list(lib.import_paths([SAMPLES / "verbatim" / "1nc.docx"]))
    unavailable = [e for e in events if isinstance(e, EmbedUnavailable)]
    assert unavailable and "not found" in unavailable[0].reason
    finished = events[-1]
    assert isinstance(finished, ImportFinished) and finished.pending_vectors > 0
    hits = lib.search("UNCLOS duty to conserve whales")
    assert hits and hits[0].vector_rank is None and hits[0].lexical_rank == 1
    lib.close()


def test_bad_files_fail_one_by_one_and_the_rest_imports(
    data_dir: DataDir, embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SAMPLES / "verbatim" / "1nc.docx", folder / "good.docx")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    (folder / "photo.docx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    (folder / "notes.txt").write_text("Plain notes about whale conservation.")
    lib = Library(data_dir, Settings(), lambda: embedder)
    results = _results(list(lib.import_paths([folder, tmp_path / "missing-folder"])))
    assert results["good.docx"].status == FileStatus.IMPORTED
    assert results["notes.txt"].status == FileStatus.IMPORTED
    for name in ("empty.pdf", "garbage.pdf", "photo.docx", "missing-folder"):
        assert results[name].status == FileStatus.FAILED, name
        assert results[name].reason, name
    assert "PNG" in results["photo.docx"].reason
    assert lib.status().sources == 2
    assert_consistent(lib)
    lib.close()


def test_semantic_query_with_no_shared_keywords_finds_the_whale_card(
    sample_library: Library,
) -> None:
    # None of these words (nor their stems) occur in the Matanich 96 card about whales and UNCLOS.
    query = "cetacean hunting ban"
    lexical = sample_library.search(query, k=200, mode="lexical")
    assert all("conserve whales" not in h.snippet for h in lexical)
    target_ids = [
        h.passage_id
        for h in sample_library.search("UNCLOS duty to conserve whales", k=1, mode="lexical")
    ]
    assert target_ids and target_ids[0] not in {h.passage_id for h in lexical}

    vector = sample_library.search(query, k=3, mode="vector")
    assert vector[0].passage_id == target_ids[0]
    hybrid = sample_library.search(query, k=5)
    assert target_ids[0] in {h.passage_id for h in hybrid}


def test_out_of_memory_on_one_file_is_reported_and_the_rest_imports(
    data_dir: DataDir, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import evidence.importing.importer as importer

    real_parse = importer.parse_bytes

    def parse(data: bytes, *, file_name: str, max_bytes: int) -> object:
        if file_name == "huge.txt":
            raise MemoryError
        return real_parse(data, file_name=file_name, max_bytes=max_bytes)

    monkeypatch.setattr(importer, "parse_bytes", parse)
    (tmp_path / "huge.txt").write_text("pretend this is enormous")
    (tmp_path / "fine.txt").write_text("an ordinary note")
    lib = Library(data_dir, Settings())
    results = _results(list(lib.import_paths([tmp_path], embed=False)))
    assert results["huge.txt"].status == FileStatus.FAILED
    assert "not enough memory" in results["huge.txt"].reason
    assert results["fine.txt"].status == FileStatus.IMPORTED
    lib.close()


def test_each_file_is_read_once(data_dir: DataDir, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Hashing, sniffing the zip, parsing and the Verbatim check all use one read's bytes.
    target = tmp_path / "1nc.docx"
    target.write_bytes((SAMPLES / "verbatim" / "1nc.docx").read_bytes())
    opens: list[str] = []
    real_open = io.open

    def counting_open(file: object, *args: object, **kwargs: object) -> object:
        if isinstance(file, str | os.PathLike) and os.fspath(file) == str(target):
            opens.append(str(args[0] if args else kwargs.get("mode", "r")))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    real_os_open = os.open

    def counting_os_open(path: object, flags: int, *args: object) -> int:
        # read_bytes opens the path non-blocking (a pipe swapped in must not hang it).
        if isinstance(path, str | os.PathLike) and os.fspath(path) == str(target):
            opens.append("rb" if flags & (os.O_WRONLY | os.O_RDWR) == 0 else "w")
        return real_os_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(io, "open", counting_open)
    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(os, "open", counting_os_open)
    lib = Library(data_dir, Settings())
    result = _results(list(lib.import_paths([target], embed=False)))["1nc.docx"]
    lib.close()
    assert result.status == FileStatus.IMPORTED and result.cards > 0
    assert opens == ["rb"]


def test_a_folder_of_thousands_of_files(data_dir: DataDir, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for n in range(2000):
        sub = folder / f"round{n // 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"card{n:04d}.txt").write_text(f"Card {n}: evidence number {n} about tides.")
    (folder / "~$locked.docx").write_bytes(b"lock")  # Word's lock file: never evidence
    lib = Library(data_dir, Settings())
    events = list(lib.import_paths([folder], embed=False))
    results = _results(events)
    assert len(results) == 2000
    assert all(r.status == FileStatus.IMPORTED for r in results.values())
    assert lib.status().sources == 2000 and lib.store.queued() == []
    hits = lib.search("evidence number 1234", mode="lexical", k=1)
    assert hits and Path(hits[0].origin).name == "card1234.txt"
    lib.close()
