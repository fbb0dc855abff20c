"""Ingest: files -> articles -> chunks -> embeddings -> store, in batches that span files.

Files are read one at a time from a streaming walk and collected into a batch of about
`batch_chunks` chunks; a batch is embedded in one call and written to the store in one
all-or-nothing write. If that write fails, each file of the batch is written on its own, so a
bad file fails alone and the others are still committed. A file's articles are always written
together or not at all. Unchanged articles (same text, metadata and chunking) are not rewritten.
At most one batch of articles, plus the files read ahead (`lookahead_files`, whose stored
records are looked up in one call), is held in memory.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.errors import ArticleError
from qa.ingest.chunking import stored_chunks
from qa.ingest.embed_worker import BatchEmbedder
from qa.ingest.loading import load_file, walk
from qa.retrieval.local_copy import ChunkEntry
from qa.store.chroma import ArticleStore
from qa.store.records import PreparedArticle, chunk_id, index_text
from qa.text.tokens import terms
from qa.types import Article, FileResult, IngestReport

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

DEFAULT_BATCH_CHUNKS = 2048
WORKER_MIN_CHUNKS = 512  # smaller batches are embedded in-process: not worth starting a worker
LOOKAHEAD_FILES = 64  # files read ahead so their stored records are looked up in one call

# What the embedder returns for a batch: one vector and one list of index terms per chunk.
_Embedded = tuple[list[list[float]], list[list[str]]]


def article_version(article: Article, chunk_size: int, chunk_overlap: int) -> str:
    """Changes when anything stored about the article would change."""
    fields = [article.text, article.title, article.source, article.url, article.published, chunk_size, chunk_overlap]
    return hashlib.sha256(json.dumps(fields).encode("utf-8")).hexdigest()[:16]


@dataclass
class _PendingFile:
    """One file's articles that need writing (already chunked; vectors come with the batch)."""

    label: str
    ids: tuple[str, ...]
    items: list[PreparedArticle]
    replaced: int
    notes: list[str]

    @property
    def chunks(self) -> int:
        return sum(len(p.chunks) for p in self.items)

    def result(self) -> FileResult:
        status = "updated" if self.replaced else "added"
        return FileResult(self.label, status, self.ids, self.chunks, reason="; ".join(self.notes))


@dataclass
class _Batch:
    files: list[_PendingFile] = field(default_factory=list)
    chunks: int = 0
    article_ids: set[str] = field(default_factory=set)

    def add(self, pending: _PendingFile) -> None:
        self.files.append(pending)
        self.chunks += pending.chunks
        self.article_ids.update(p.article.id for p in pending.items)


class Ingestor:
    def __init__(
        self,
        store: ArticleStore,
        embedder: BaseEmbedding,
        chunk_size: int,
        chunk_overlap: int,
        batch_chunks: int = DEFAULT_BATCH_CHUNKS,
        lookahead_files: int = LOOKAHEAD_FILES,
        on_written: Callable[[dict[str, tuple[list[str], ChunkEntry]]], None] | None = None,
        use_worker: bool = True,
        worker_min_chunks: int = WORKER_MIN_CHUNKS,
    ):
        self.store = store
        self.embedder = embedder
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.batch_chunks = max(1, batch_chunks)
        self.lookahead_files = max(1, lookahead_files)
        self.on_written = on_written  # receives {chunk id: (BM25 terms, chunk)} of every write
        self.use_worker = use_worker  # embed large batches in a second process (qa/ingest/embed_worker.py)
        self.worker_min_chunks = worker_min_chunks

    def ingest(
        self, paths: Iterable[str | Path], on_file: Callable[[FileResult], None] | None = None
    ) -> IngestReport:
        """Read files as the walk yields them; results are reported in the order files were read."""

        def sources():
            for path in walk(paths):
                yield str(path), lambda path=path: load_file(path)

        return self._run(sources(), on_file)

    def ingest_articles(self, articles: list[Article], batch: int = 64) -> IngestReport:
        """Store in-memory articles, `batch` at a time (each group all or nothing)."""

        def sources():
            for first in range(0, len(articles), batch):
                group = articles[first : first + batch]
                yield f"articles {first + 1}-{first + len(group)}", lambda group=group: group

        return self._run(sources(), None)

    def ingest_file(self, path: Path) -> FileResult:
        return self._run([(str(path), lambda: load_file(path))], None).files[0]

    # ----- the batching loop --------------------------------------------------------------
    def _run(self, sources, on_file: Callable[[FileResult], None] | None) -> IngestReport:
        """Read, chunk and batch files; while batch N+1 is being read and embedded (in the
        embedding worker, for large ingests), batch N is written."""
        started = time.perf_counter()
        results: list[FileResult] = []
        # Results wait here until every earlier file's result is known, to keep file order.
        waiting: list[FileResult | _PendingFile] = []
        finished: dict[int, FileResult] = {}
        batch = _Batch()
        embedding: _Batch | None = None  # handed to the embedder, not yet written
        known: dict[str, tuple | None] = {}  # stored records of the articles read ahead
        embedder = BatchEmbedder(self.embedder, use_worker=self.use_worker)
        flushed = [0]  # batches handed to the embedder so far

        def emit_ready() -> None:
            while waiting and (isinstance(waiting[0], FileResult) or id(waiting[0]) in finished):
                entry = waiting.pop(0)
                result = entry if isinstance(entry, FileResult) else finished.pop(id(entry))
                results.append(result)
                if on_file is not None:
                    on_file(result)

        def write_embedded() -> None:
            nonlocal embedding
            if embedding is not None:
                done, embedding = embedding, None
                finished.update(self._write_batch(done, _embedded(embedder)))
                for article_id in done.article_ids:
                    known.pop(article_id, None)  # just written: ask the store again if it comes back
            emit_ready()

        def flush() -> None:
            """Hand the batch to the embedder, then write the one before it meanwhile."""
            nonlocal batch, embedding
            ready = (embedding, _embedded(embedder)) if embedding is not None else None
            if batch.files:
                texts = [index_text(i.article.title, c.text) for f in batch.files for i in f.items for c in i.chunks]
                # The first batch has nothing to overlap with: a worker pays off from the second on.
                embedder.submit(texts, in_worker=flushed[0] > 0 and len(texts) >= self.worker_min_chunks)
                flushed[0] += 1
            if ready is not None:
                done, previous = ready
                embedding = None
                finished.update(self._write_batch(done, previous))
                for article_id in done.article_ids:
                    known.pop(article_id, None)
            if batch.files:
                embedding, batch = batch, _Batch()
            emit_ready()

        try:
            for group in _groups(sources, self.lookahead_files):
                loaded = [(label, load, _load(load)) for label, load in group]
                ids = [a.id for _, _, articles in loaded if isinstance(articles, list) for a in articles]
                known.update(self.store.records_of(ids) if ids else {})
                for label, load, articles in loaded:
                    busy = batch.article_ids | (embedding.article_ids if embedding else set())
                    outcome = self._prepare_file(label, articles, busy, known)
                    if isinstance(outcome, _PendingFile) and outcome.ids and busy & set(outcome.ids):
                        flush()  # the same article twice in one write would be ambiguous:
                        write_embedded()  # write the first, then look at the second again
                        outcome = self._prepare_file(label, _load(load), set(), known)
                    if isinstance(outcome, _PendingFile):
                        batch.add(outcome)
                    waiting.append(outcome)
                    emit_ready()  # a result with nothing pending before it is reported at once
                    if flushed[0] and batch.chunks >= self.worker_min_chunks and self.use_worker:
                        embedder.warm_up()  # a second large batch: let the worker load meanwhile
                    if batch.chunks >= self.batch_chunks:
                        flush()
                known.clear()
            flush()
            write_embedded()
        finally:
            embedder.close()
        return IngestReport(files=tuple(results), seconds=time.perf_counter() - started)

    def _prepare_file(
        self, label: str, articles: list[Article] | FileResult, pending_ids: set[str], known: dict[str, tuple | None]
    ) -> FileResult | _PendingFile:
        """Chunk one loaded file; a FileResult when there is nothing to write or it failed."""
        if isinstance(articles, FileResult):
            return replace(articles, path=label)
        try:
            ids = tuple(a.id for a in articles)
            if pending_ids & set(ids):
                return _PendingFile(label, ids, [], 0, [])  # caller flushes and asks again
            items, replaced, notes = [], 0, []
            for article in articles:
                version = article_version(article, self.chunk_size, self.chunk_overlap)
                existing = known[article.id] if article.id in known else self.store.record(article.id)
                if existing is not None:
                    info, old_version = existing
                    if old_version == version:
                        continue
                    replaced += 1
                    if info.path and info.path != article.path:
                        notes.append(f"replaces article '{article.id}' from {info.path}")
                chunks = stored_chunks(article.id, article.text, self.chunk_size, self.chunk_overlap)
                items.append(PreparedArticle(article, chunks, [], version))
            if not items:
                return FileResult(label, "unchanged", ids)
            return _PendingFile(label, ids, items, replaced, notes)
        except Exception as exc:  # one bad file never stops the others
            return FileResult(label, "failed", reason=f"unexpected error: {type(exc).__name__}: {exc}")

    def _write_batch(self, batch: _Batch, embedded: _Embedded | Exception) -> dict[int, FileResult]:
        """Write an embedded batch at once; on failure, file by file so only bad files fail
        (re-embedding each file when the batch's embedding itself failed)."""
        error: Exception
        if isinstance(embedded, Exception):
            error = embedded
        else:
            try:
                self._write(batch.files, *embedded)
                return {id(f): f.result() for f in batch.files}
            except Exception as exc:  # the store rolled the batch back
                error = exc
        if len(batch.files) == 1:
            return {id(batch.files[0]): _failed(batch.files[0], error)}
        finished = {}
        for pending in batch.files:  # find the culprit
            try:
                self._embed_and_write([pending])
                finished[id(pending)] = pending.result()
            except Exception as exc:
                finished[id(pending)] = _failed(pending, exc)
        return finished

    def _embed_and_write(self, files: list[_PendingFile]) -> None:
        texts = [index_text(i.article.title, c.text) for f in files for i in f.items for c in i.chunks]
        vectors = self.embedder.get_text_embedding_batch(texts) if texts else []
        self._write(files, vectors, [terms(t) for t in texts])

    def _write(self, files: list[_PendingFile], vectors: list, chunk_terms: list[list[str]]) -> None:
        items = [item for f in files for item in f.items]
        count = sum(len(i.chunks) for i in items)
        if len(vectors) != count:
            raise RuntimeError(f"the embedder returned {len(vectors)} vectors for {count} chunks")
        ready, first = [], 0
        for item in items:
            n = len(item.chunks)
            ready.append(PreparedArticle(item.article, item.chunks, vectors[first : first + n], item.version))
            first += n
        self.store.write(ready)
        if self.on_written is not None:
            written, n = {}, 0
            for item in ready:
                for chunk, vector in zip(item.chunks, item.vectors):
                    entry = ChunkEntry(item.article.id, chunk.start, chunk.end, chunk.index, chunk.text,
                                       np.asarray(vector, dtype=np.float32))
                    written[chunk_id(item.article.id, item.version, chunk.index)] = (chunk_terms[n], entry)
                    n += 1
            self.on_written(written)


def _failed(pending: _PendingFile, exc: Exception) -> FileResult:
    return FileResult(pending.label, "failed", reason=f"unexpected error: {type(exc).__name__}: {exc}")


def _embedded(embedder: BatchEmbedder) -> _Embedded | Exception:
    """The embedder's answer for the batch in flight, or the error it raised."""
    try:
        return embedder.result()
    except Exception as exc:
        return exc


def _load(load) -> list[Article] | FileResult:
    """A file's articles, or its failed FileResult (one bad file never stops the others)."""
    try:
        return list(load())
    except ArticleError as exc:
        return FileResult("", "failed", reason=str(exc))
    except Exception as exc:
        return FileResult("", "failed", reason=f"unexpected error: {type(exc).__name__}: {exc}")


def _groups(items: Iterable, size: int) -> Iterable[list]:
    group: list = []
    for item in items:
        group.append(item)
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group
