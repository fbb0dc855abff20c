"""The local copy beside the BM25 index: retrieval and citation checks read chunks, vectors and
articles from it, it stays consistent with the store, and rebuilds reuse what it already holds."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SAMPLE

QUESTIONS = [
    "How many hostages would be released?",
    "What did the city council vote on the budget?",
    "When did the probe launch?",
    "Who saved two penalties in the final?",
]


def test_answers_need_no_chroma_reads_of_texts_or_vectors(sample_assistant, monkeypatch):
    assistant = sample_assistant
    assistant.ask(QUESTIONS[0])  # the index and copy are current

    def refuse(*args, **kwargs):
        raise AssertionError("a question read chunks or articles from Chroma")

    monkeypatch.setattr(assistant.store.maintenance.chunk_collection, "get", refuse)
    monkeypatch.setattr(assistant.store.maintenance.article_collection, "get", refuse)
    answers = [assistant.ask(question) for question in QUESTIONS]
    monkeypatch.undo()  # the checks below read the stored articles themselves
    assert any(a.citations for a in answers)
    for answer in answers:
        for chunk in answer.retrieved:  # every retrieved chunk is exact at its offsets
            assert assistant.article(chunk.article_id).text[chunk.start : chunk.end] == chunk.text
        for c in answer.citations:
            assert assistant.article(c.article_id).text[c.start : c.end] == c.quote


def test_copy_matches_the_store_chunk_for_chunk(sample_assistant):
    assistant = sample_assistant
    assistant.lexical.ensure_current(assistant.store)
    stored = {cid: (text, meta) for cid, text, meta in assistant.store.iter_chunks()}
    vectors = assistant.store.vectors_by_id(list(stored))
    assert len(assistant.lexical) == len(stored) > 0
    for cid, (text, meta) in stored.items():
        chunk, article_meta = assistant.lexical.chunk(cid)
        assert (chunk.text, chunk.start, chunk.end, chunk.article_id) == (text, meta["start"], meta["end"], meta["article_id"])
        assert article_meta["title"] == meta["title"]
        assert np.allclose(chunk.vector, vectors[cid], atol=1e-6)
    for info in assistant.articles():
        assert assistant.lexical.article(info.id).article.text == assistant.store.article(info.id).text


def test_a_rebuild_reads_back_only_chunks_it_does_not_hold(open_assistant, tmp_path, monkeypatch):
    first = open_assistant()
    assert first.ingest([SAMPLE / "gaza-ceasefire-talks.md"]).ok
    fetched: list[str] = []
    real = type(first.store).chunks_with_vectors

    def spy(self, ids):
        fetched.extend(ids)
        return real(self, ids)

    monkeypatch.setattr(type(first.store), "chunks_with_vectors", spy)
    # Another process (a second assistant on the same store) adds the rest of the sample corpus.
    second = open_assistant()
    assert second.ingest([SAMPLE]).ok
    assert fetched == []  # its own new chunks came with its ingest, the old ones from the saved copy
    first.ask(QUESTIONS[1])  # the first notices the new stamp and loads what the second saved
    assert fetched == []
    # A copy that is gone (deleted folder) is rebuilt from the store: then every chunk is read back.
    import shutil

    shutil.rmtree(first.lexical.folder)
    third = open_assistant()
    third.ask(QUESTIONS[1])
    assert sorted(fetched) == sorted(third.store.chunk_ids())


def test_scores_agree_whichever_process_built_the_index(open_assistant):
    """Token numbers saved by another process are mapped onto this process's vocabulary."""
    first = open_assistant()
    assert first.ingest([SAMPLE / "castelmere-city-budget.md"]).ok
    first.ask(QUESTIONS[1])
    second = open_assistant()
    assert second.ingest([SAMPLE]).ok  # extends the vocabulary its own way
    third = open_assistant()  # a fresh process loading the saved index
    first.lexical.ensure_current(first.store)
    third.lexical.ensure_current(third.store)
    # Force the first to rebuild from the saved tokens (as after a foreign write it cannot load).
    first.lexical.rebuild(first.store)
    for question in QUESTIONS:
        a, b = first.lexical.index.scores(question), third.lexical.index.scores(question)
        assert first.lexical.index.chunk_ids == third.lexical.index.chunk_ids
        assert np.allclose(a, b), question


@pytest.mark.parametrize("filters", [None, {"published_from": "2025-07-01"}])
def test_retrieved_chunks_are_verbatim_and_filtered(sample_assistant, filters):
    answer = sample_assistant.ask(QUESTIONS[0], filters=filters)
    assert answer.retrieved
    for chunk in answer.retrieved:
        article = sample_assistant.article(chunk.article_id)
        assert article.text[chunk.start : chunk.end] == chunk.text
        if filters:
            assert chunk.published >= "2025-07-01"


def test_saved_files_are_checked_by_checksum_only_when_their_status_changed(sample_assistant, tmp_path):
    """A load trusts files whose status (size, times, inode) is unchanged since their save or last
    check, checks the checksums of the others, and refuses a changed byte (then the copy is
    rebuilt from the store); a copied folder passes once and is trusted afterwards."""
    import os
    import shutil

    from qa.retrieval import index_files

    assistant = sample_assistant
    assistant.lexical.ensure_current(assistant.store)
    saved, stamp = assistant.lexical.folder, assistant.store.stamp()
    copy = tmp_path / "copy" / saved.name
    shutil.copytree(saved, copy)  # new inodes and change times, same bytes
    checked_at = (copy / index_files.CHECKSUMS_FILE).stat().st_mtime_ns
    assert index_files.damage(copy) == "" and index_files.load(copy, stamp) is not None
    assert (copy / index_files.CHECKSUMS_FILE).stat().st_mtime_ns != checked_at  # noted as checked
    texts = copy / "texts.bin"
    st = texts.stat()
    data = bytearray(texts.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, size and modification time kept
    texts.write_bytes(bytes(data))
    os.utime(texts, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "texts.bin" in index_files.damage(copy)
    assert index_files.load(copy, stamp) is None and index_files.load_tokens(copy) is None
    assert index_files.damage(saved) == "" and index_files.damage(saved, full=True) == ""
