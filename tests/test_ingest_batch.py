"""Batched ingest: batches span files, a failure stays with its file, memory stays bounded."""

from __future__ import annotations

import tracemalloc

import pytest

import qa.ingest.pipeline
from qa.ingest.loading import walk
from qa.ingest.pipeline import Ingestor
from qa.store.chroma import ArticleStore

SENTENCE = "The harbour board voted {n} to {m} on Tuesday to repair the north pier before winter. "


class PoisonEmbedder:
    """The real embedder, except that it fails on any text containing POISON."""

    def __init__(self, inner):
        self.inner = inner
        self.calls: list[int] = []

    def get_text_embedding_batch(self, texts):
        self.calls.append(len(texts))
        if any("POISON" in t for t in texts):
            raise RuntimeError("embedding service rejected the text")
        return self.inner.get_text_embedding_batch(texts)


def write_articles(folder, count, sentences=12, poison=()):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        body = "".join(SENTENCE.format(n=i, m=j) for j in range(sentences))
        if i in poison:
            body += "POISON appears here."
        (folder / f"story-{i:03d}.md").write_text(f"---\nid: story-{i:03d}\n---\n{body}", encoding="utf-8")
    return folder


@pytest.fixture
def store(tmp_path, embedder):
    return ArticleStore.open_local(tmp_path / "store", "news", embedder.model_name, 256)


def spy_writes(store, monkeypatch):
    writes: list[list[str]] = []
    real = store.write

    def write(items):
        writes.append([i.article.id for i in items])
        return real(items)

    monkeypatch.setattr(store, "write", write)
    return writes


def committed(store) -> dict[str, int]:
    return {aid: info.chunks for aid, (info, _) in store.records().items()}


def test_one_batch_spans_many_files_and_results_keep_file_order(store, embedder, tmp_path, monkeypatch):
    folder = write_articles(tmp_path / "in", 6)
    (folder / "story-002b.json").write_text("{not json", encoding="utf-8")  # fails to load
    writes = spy_writes(store, monkeypatch)
    poison = PoisonEmbedder(embedder)
    report = Ingestor(store, poison, 40, 8, batch_chunks=10_000).ingest([folder])
    assert [f.path.rsplit("/", 1)[1] for f in report.files] == [
        "story-000.md", "story-001.md", "story-002.md", "story-002b.json", "story-003.md", "story-004.md", "story-005.md",
    ]
    assert [f.status for f in report.files] == ["added"] * 3 + ["failed"] + ["added"] * 3
    assert writes == [[f"story-{i:03d}" for i in range(6)]]  # one write for all six articles
    assert len(poison.calls) == 1  # and one embedding call
    assert poison.calls[0] == sum(f.chunks for f in report.files) == store.count_chunks()
    assert all(f.chunks > 1 for f in report.files if f.status == "added")


def test_batches_split_by_chunk_count_and_reingest_is_skipped(store, embedder, tmp_path, monkeypatch):
    folder = write_articles(tmp_path / "in", 9)
    writes = spy_writes(store, monkeypatch)
    first = Ingestor(store, embedder, 40, 8, batch_chunks=8).ingest([folder])
    per_article = first.files[0].chunks
    assert per_article >= 3 and first.ok
    assert len(writes) == -(-9 // -(-8 // per_article))  # ceil(9 / articles per batch)
    assert all(len(w) * per_article >= 8 or w is writes[-1] for w in writes)
    writes.clear()
    again = Ingestor(store, embedder, 40, 8, batch_chunks=8).ingest([folder])
    assert again.count("unchanged") == 9 and writes == []


def test_a_failing_file_in_a_batch_fails_alone_and_nothing_is_half_written(store, embedder, tmp_path):
    folder = write_articles(tmp_path / "in", 8, poison={5})
    poison = PoisonEmbedder(embedder)
    report = Ingestor(store, poison, 40, 8, batch_chunks=4 * 10).ingest([folder])
    statuses = {f.path.rsplit("/", 1)[1]: f.status for f in report.files}
    assert statuses.pop("story-005.md") == "failed"
    assert set(statuses.values()) == {"added"}
    assert "embedding service rejected" in report.files[5].reason
    stored = committed(store)
    assert sorted(stored) == [f"story-{i:03d}" for i in range(8) if i != 5]
    assert store.count_chunks() == sum(stored.values())  # no chunk of the failed file, no leftovers


def test_a_store_failure_mid_batch_keeps_earlier_batches_and_leaves_no_half_article(store, embedder, tmp_path, monkeypatch):
    folder = write_articles(tmp_path / "in", 6)
    real_upsert = store.maintenance.article_collection.upsert

    def upsert(ids, **kwargs):  # the commit point fails for one article, after its chunks went in
        if "story-004" in ids:
            raise OSError("disk full")
        return real_upsert(ids=ids, **kwargs)

    monkeypatch.setattr(store.maintenance.article_collection, "upsert", upsert)
    report = Ingestor(store, embedder, 40, 8, batch_chunks=2 * report_chunks(embedder)).ingest([folder])
    assert [f.status for f in report.files] == ["added"] * 4 + ["failed", "added"]
    assert "disk full" in report.files[4].reason
    stored = committed(store)
    assert "story-004" not in stored and len(stored) == 5
    assert store.count_chunks() == sum(stored.values())  # the failed article's new chunks were rolled back
    ids = {cid.split("#")[0] for cid, _, _ in store.iter_chunks()}
    assert "story-004" not in ids


def report_chunks(embedder) -> int:
    """Chunks of one test article at size 40 / overlap 8 (so batches hold about two files)."""
    from qa.ingest.chunking import chunk_text

    body = "".join(SENTENCE.format(n=0, m=j) for j in range(12))
    return len(chunk_text("x", body, 40, 8))


def test_ingest_holds_at_most_a_batch_of_articles(store, embedder, tmp_path, monkeypatch):
    folder = write_articles(tmp_path / "in", 30)
    loaded: list[str] = []
    in_flight: list[int] = []
    real_load, real_write = qa.ingest.pipeline.load_file, store.write
    written = set()

    def load_file(path, max_bytes=None):
        articles = real_load(path, max_bytes)
        loaded.extend(a.id for a in articles)
        in_flight.append(len(set(loaded) - written))
        return articles

    def write(items):
        real_write(items)
        written.update(i.article.id for i in items)

    monkeypatch.setattr(qa.ingest.pipeline, "load_file", load_file)
    monkeypatch.setattr(store, "write", write)
    per_article = report_chunks(embedder)
    report = Ingestor(store, embedder, 40, 8, batch_chunks=3 * per_article, lookahead_files=4).ingest([folder])
    assert report.ok and len(written) == 30
    # never more than two batches of loaded-but-unwritten articles (one being embedded while the
    # next is read) plus the files read ahead
    assert max(in_flight) <= 2 * 3 + 4


@pytest.mark.long
def test_walking_a_huge_folder_holds_names_not_contents(tmp_path, long_run):
    count = 100_000 if long_run else 3_000
    folder = tmp_path / "many"
    folder.mkdir()
    body = "x" * 2000
    for i in range(count):
        (folder / f"{i:06d}.txt").write_text(body)
    (folder / "skip.pdf").write_text(body)
    paths = walk([folder])
    tracemalloc.start()
    first = next(paths)
    seen = 1 + sum(1 for _ in paths)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert first.name == "000000.txt" and seen == count
    assert peak < count * 250 + 1_000_000  # names only: far below the 2 KB each file holds


def test_large_batches_are_embedded_in_a_worker_process_with_the_same_results(tmp_path, embedder, monkeypatch):
    import numpy as np

    import qa.ingest.embed_worker

    folder = write_articles(tmp_path / "in", 12)
    started = []
    real_start = qa.ingest.embed_worker.BatchEmbedder._start

    def start(self):
        worker = real_start(self)
        if worker is not None and worker.pid not in started:
            started.append(worker.pid)
        return worker

    monkeypatch.setattr(qa.ingest.embed_worker.BatchEmbedder, "_start", start)
    outcomes = {}
    for use_worker in (False, True):
        store = ArticleStore.open_local(tmp_path / f"store-{use_worker}", "news", embedder.model_name, 256)
        remembered: dict = {}
        report = Ingestor(
            store, embedder, 40, 8, batch_chunks=10, on_written=remembered.update,
            use_worker=use_worker, worker_min_chunks=1,
        ).ingest([folder])
        assert report.ok and report.count("added") == 12
        ids = sorted(remembered)
        vectors = store.vectors_by_id(ids)
        outcomes[use_worker] = (ids, np.array([vectors[i] for i in ids]), [remembered[i][0] for i in ids])
    assert len(started) == 1  # one worker process for the whole ingest, only when asked for
    (ids_a, vectors_a, terms_a), (ids_b, vectors_b, terms_b) = outcomes[False], outcomes[True]
    assert ids_a == ids_b and len(ids_a) > 12
    assert np.allclose(vectors_a, vectors_b, atol=1e-6)
    assert terms_a == terms_b and all(terms_a)


def test_a_dead_embedding_worker_falls_back_to_embedding_in_process(tmp_path, store, embedder, monkeypatch):
    import qa.ingest.embed_worker

    folder = write_articles(tmp_path / "in", 6)
    real_start = qa.ingest.embed_worker.BatchEmbedder._start
    killed = []

    def start(self):
        worker = real_start(self)
        if worker is not None and not killed:
            worker.kill()  # as if the worker crashed (out of memory, a signal) before answering
            worker.wait()
            killed.append(worker.pid)
        return worker

    monkeypatch.setattr(qa.ingest.embed_worker.BatchEmbedder, "_start", start)
    report = Ingestor(store, embedder, 40, 8, batch_chunks=10, worker_min_chunks=1).ingest([folder])
    assert killed and report.ok and report.count("added") == 6
    assert store.count_chunks() == sum(info.chunks for info, _ in store.records().values())


def test_a_large_article_is_embedded_and_indexed_in_bounded_slices(store, embedder, tmp_path):
    from qa.ingest.embed_worker import EMBED_SLICE
    from qa.ingest.pipeline import TELL_CHUNKS

    folder = tmp_path / "in"
    folder.mkdir()
    body = "".join(SENTENCE.format(n=i, m=i % 7) for i in range(2500))  # one article, ~1,250 chunks
    (folder / "long.txt").write_text(body, encoding="utf-8")
    spy = PoisonEmbedder(embedder)
    told: list[int] = []
    remembered: dict = {}

    def on_written(chunks):
        told.append(len(chunks))
        remembered.update(chunks)

    report = Ingestor(store, spy, 40, 8, on_written=on_written, use_worker=False).ingest([folder])
    chunks = report.files[0].chunks
    assert report.ok and chunks > TELL_CHUNKS and chunks == store.count_chunks()
    assert max(spy.calls) <= EMBED_SLICE and sum(spy.calls) == chunks  # never every chunk at once
    assert max(told) <= TELL_CHUNKS and sum(told) == chunks == len(remembered)
    from qa.store.records import index_text

    title = store.records()["long"][0].title
    whole = embedder.get_text_embedding_batch([index_text(title, e.text) for _, e in list(remembered.values())[:3]])
    for (terms, entry), vector in zip(list(remembered.values())[:3], whole):
        assert terms and entry.vector.dtype.name == "float32"
        assert abs(float(entry.vector @ entry.vector) - 1.0) < 1e-4
        assert max(abs(a - b) for a, b in zip(entry.vector.tolist(), vector)) < 1e-6
