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
from qa.ingest.duplicates import DuplicateIndex, fingerprint
from qa.ingest.embed_worker import BatchEmbedder, split_terms
from qa.ingest.formats import default_ids
from qa.ingest.ids import candidates, choose, is_url, source_key
from qa.ingest.loading import load_file, walk
from qa.ingest.sources import Loaded
from qa.retrieval.local_copy import ChunkEntry
from qa.store.chroma import ArticleStore
from qa.store.records import PreparedArticle, chunk_id, index_text
from qa.types import Article, FileResult, IngestReport

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

DEFAULT_BATCH_CHUNKS = 2048
WORKER_MIN_CHUNKS = 512  # smaller batches are embedded in-process: not worth starting a worker
LOOKAHEAD_FILES = 64  # files read ahead so their stored records are looked up in one call

# What the embedder returns for a batch: float32 vectors (a row per chunk) and each chunk's index
# terms joined into one string (qa/ingest/embed_worker.py): both far smaller than Python lists.
_Embedded = tuple[np.ndarray, list[str]]
TELL_CHUNKS = 1024  # chunks handed to `on_written` at once: their terms are split into lists only then


def article_version(article: Article, chunk_size: int, chunk_overlap: int) -> str:
    """Changes when anything stored about the article would change."""
    fields = [article.text, article.title, article.source, article.url, article.published, chunk_size, chunk_overlap]
    if article.author:  # only when there is one: articles stored before bylines were kept stay unchanged
        fields.append(article.author)
    return hashlib.sha256(json.dumps(fields).encode("utf-8")).hexdigest()[:16]


@dataclass
class _PendingFile:
    """One file's articles that need writing (already chunked; vectors come with the batch)."""

    label: str
    ids: tuple[str, ...]
    items: list[PreparedArticle]
    outcomes: tuple[str, ...]  # per id: "added", "updated" or "unchanged"
    notes: list[str]

    @property
    def chunks(self) -> int:
        return sum(len(p.chunks) for p in self.items)

    def result(self) -> FileResult:
        status = "updated" if "updated" in self.outcomes else "added"
        return FileResult(self.label, status, self.ids, self.chunks, "; ".join(self.notes), self.outcomes)


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
        max_file_bytes: int | None = None,
        keep_duplicates: bool = False,
        refuse_private_urls: bool = False,
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
        self.max_file_bytes = max_file_bytes  # larger files (and pages) fail before they are read
        self.keep_duplicates = keep_duplicates  # else a near copy of a stored article is not stored
        self.refuse_private_urls = refuse_private_urls  # no pages from loopback or private addresses
        self._duplicates: DuplicateIndex | None = None  # built from the store when first needed

    def ingest(
        self, paths: Iterable[str | Path], on_file: Callable[[FileResult], None] | None = None,
        on_found: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Read files as the walk yields them, and web pages (http/https addresses; a feed gives
        its entries' pages) as they arrive; results come in the order sources were read.
        `on_found(n)`: n more sources than the inputs (a feed's entries)."""
        inputs = list(paths)
        urls = [p for p in inputs if isinstance(p, str) and is_url(p)]
        reader = None
        if urls:
            from qa.ingest.fetch import FetchOptions
            from qa.ingest.web import WebReader  # httpx and feedparser load only for addresses

            options = FetchOptions(max_bytes=self.max_file_bytes or FetchOptions.max_bytes,
                                   refuse_private=self.refuse_private_urls)
            reader = WebReader(options)
            reader.start(urls)

        def sources():
            for item in inputs:
                if reader is not None and isinstance(item, str) and is_url(item):
                    yield from reader.sources(item, on_found)
                    continue
                for path in walk([item]):
                    yield str(path), lambda path=path: self._load_path(path)

        try:
            return self._run(sources(), on_file)
        finally:
            if reader is not None:
                reader.close()

    def _load_path(self, path: Path) -> Loaded:
        source = source_key(str(path))
        articles = load_file(path, self.max_file_bytes)
        return Loaded([replace(a, path=source) for a in articles], default_ids(path, len(articles)), source)

    def ingest_articles(self, articles: list[Article], batch: int = 64) -> IngestReport:
        """Store in-memory articles, `batch` at a time (each group all or nothing)."""

        def sources():
            for first in range(0, len(articles), batch):
                group = articles[first : first + batch]
                yield f"articles {first + 1}-{first + len(group)}", lambda group=group: Loaded(group)

        return self._run(sources(), None)

    def ingest_file(self, path: Path) -> FileResult:
        return self._run([(str(path), lambda: self._load_path(path))], None).files[0]

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
        claimed: dict[str, tuple[str, str]] = {}  # id -> (source, version) of this run's articles
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
                ids = [i for _, _, got in loaded if isinstance(got, Loaded) for i in _candidate_ids(got)]
                known.update(self.store.records_of(ids) if ids else {})
                for label, load, got in loaded:
                    busy = batch.article_ids | (embedding.article_ids if embedding else set())
                    outcome = self._prepare_file(label, got, busy, known, claimed)
                    if isinstance(outcome, _PendingFile) and outcome.ids and busy & set(outcome.ids):
                        flush()  # the same article twice in one write would be ambiguous:
                        write_embedded()  # write the first, then look at the second again
                        outcome = self._prepare_file(label, _load(load), set(), known, claimed)
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
        self, label: str, loaded: Loaded | FileResult, pending_ids: set[str],
        known: dict[str, tuple | None], claimed: dict[str, tuple[str, str]],
    ) -> FileResult | _PendingFile:
        """Chunk one loaded source; a FileResult when there is nothing to write or it failed."""
        if isinstance(loaded, FileResult):
            return replace(loaded, path=label)
        try:
            chosen = self._choose_ids(loaded, known, claimed)
            if isinstance(chosen, FileResult):
                return replace(chosen, path=label)
            articles, notes = chosen
            ids = tuple(a.id for a in articles)
            if pending_ids & set(ids):
                return _PendingFile(label, ids, [], (), [])  # caller flushes and asks again
            items, outcomes = [], []
            for article in articles:
                version = article_version(article, self.chunk_size, self.chunk_overlap)
                existing = self._record(article.id, known)
                if existing is not None and existing[1] == version:
                    claimed[article.id] = (loaded.source, version)
                    outcomes.append("unchanged")
                    continue
                if existing is None and loaded.source and not self.keep_duplicates:
                    copy_of = self._duplicate_of(article, set(ids))
                    if copy_of:
                        outcomes.append("duplicate")
                        notes.append(copy_of)
                        continue
                claimed[article.id] = (loaded.source, version)
                if existing is not None and self._duplicates is not None:
                    self._duplicates.add(article.id, fingerprint(article.text))  # its new text
                outcomes.append("added" if existing is None else "updated")
                chunks = stored_chunks(article.id, article.text, self.chunk_size, self.chunk_overlap)
                items.append(PreparedArticle(article, chunks, [], version))
            if not items:
                status = "duplicate" if "duplicate" in outcomes else "unchanged"
                return FileResult(label, status, ids, reason="; ".join(notes) if status == "duplicate" else "",
                                  outcomes=tuple(outcomes))
            return _PendingFile(label, ids, items, tuple(outcomes), notes)
        except Exception as exc:  # one bad file never stops the others
            return FileResult(label, "failed", reason=f"unexpected error: {type(exc).__name__}: {exc}")

    def _duplicate_of(self, article: Article, own_ids: set[str]) -> str:
        """"duplicate of ID ..." when a stored (or just read) article has nearly the same text."""
        if self._duplicates is None:
            self._duplicates = DuplicateIndex()
            for stored, _ in self.store.stored_articles():
                self._duplicates.add(stored.id, fingerprint(stored.text))
        text_print = fingerprint(article.text)
        match = self._duplicates.closest(text_print, frozenset(own_ids))
        if match is not None:
            return (f"duplicate of {match.article_id} ({match.similarity:.0%} of its text alike); "
                    "not stored (--keep-duplicates stores it)")
        self._duplicates.add(article.id, text_print)  # a later source in this run may copy it
        return ""

    def _record(self, article_id: str, known: dict[str, tuple | None]) -> tuple | None:
        return known[article_id] if article_id in known else self.store.record(article_id)

    def _choose_ids(
        self, loaded: Loaded, known: dict[str, tuple | None], claimed: dict[str, tuple[str, str]]
    ) -> tuple[list[Article], list[str]] | FileResult:
        """The source's articles under the ids they are stored as (qa/ingest/ids.py), with the
        notes for the result line; a failed FileResult when an id it gives belongs to another source."""

        def owner_of(article_id: str) -> str | None:
            if article_id in claimed:
                return claimed[article_id][0]
            record = self._record(article_id, known)
            return record[0].path if record is not None else None

        articles, notes = [], []
        for position, article in enumerate(loaded.articles):
            choice = choose(article.id, loaded.source, loaded.derived(position), owner_of)
            if choice.clash:
                holder = claimed.get(choice.article_id) or self._record(choice.article_id, known)
                same = holder is not None and holder[1] == article_version(article, self.chunk_size, self.chunk_overlap)
                if not same:
                    return FileResult("", "failed", reason=(
                        f"id '{choice.article_id}' already belongs to the article from {choice.clash}; "
                        "give this article another id, or remove that one first"))
            if choice.note:
                notes.append(choice.note)
            articles.append(replace(article, id=choice.article_id))
        return articles, notes

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
            return {id(batch.files[0]): self._failed(batch.files[0], error)}
        finished = {}
        for pending in batch.files:  # find the culprit
            try:
                self._embed_and_write([pending])
                finished[id(pending)] = pending.result()
            except Exception as exc:
                finished[id(pending)] = self._failed(pending, exc)
        return finished

    def _failed(self, pending: _PendingFile, exc: Exception) -> FileResult:
        if self._duplicates is not None:  # not stored after all: nothing can be a copy of it
            for item in pending.items:
                self._duplicates.remove(item.article.id)
        return FileResult(pending.label, "failed", reason=f"unexpected error: {type(exc).__name__}: {exc}")

    def _embed_and_write(self, files: list[_PendingFile]) -> None:
        texts = [index_text(i.article.title, c.text) for f in files for i in f.items for c in i.chunks]
        embedder = BatchEmbedder(self.embedder, use_worker=False)
        embedder.submit(texts, in_worker=False)
        self._write(files, *embedder.result())

    def _write(self, files: list[_PendingFile], vectors: np.ndarray, joined: list[str]) -> None:
        items = [item for f in files for item in f.items]
        count = sum(len(i.chunks) for i in items)
        if len(vectors) != count:
            raise RuntimeError(f"the embedder returned {len(vectors)} vectors for {count} chunks")
        ready, first = [], 0
        for item in items:
            n = len(item.chunks)
            ready.append(PreparedArticle(item.article, item.chunks, list(vectors[first : first + n]), item.version))
            first += n
        self.store.write(ready)
        if self.on_written is None:
            return
        written: dict[str, tuple[list[str], ChunkEntry]] = {}
        n = 0
        for item in ready:
            for chunk, vector in zip(item.chunks, item.vectors):
                entry = ChunkEntry(item.article.id, chunk.start, chunk.end, chunk.index, chunk.text,
                                   np.asarray(vector, dtype=np.float32))  # a view: no copy
                written[chunk_id(item.article.id, item.version, chunk.index)] = (split_terms(joined[n]), entry)
                n += 1
                if len(written) >= TELL_CHUNKS:
                    self.on_written(written)
                    written = {}
        if written:
            self.on_written(written)


def _embedded(embedder: BatchEmbedder) -> _Embedded | Exception:
    """The embedder's answer for the batch in flight, or the error it raised."""
    try:
        return embedder.result()
    except Exception as exc:
        return exc


def _candidate_ids(loaded: Loaded) -> list[str]:
    """Every id the source's articles may be stored under (their records are fetched together)."""
    return [i for n, a in enumerate(loaded.articles) for i in candidates(a.id, loaded.source, loaded.derived(n))]


def _load(load) -> Loaded | FileResult:
    """A source's articles, or its failed FileResult (one bad file never stops the others)."""
    try:
        return load()
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
