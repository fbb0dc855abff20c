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

from qa.chunking import stored_chunks
from qa.errors import ArticleError
from qa.lexical import index_text
from qa.loading import load_file, walk
from qa.store import ArticleStore, PreparedArticle, chunk_id
from qa.tokens import terms
from qa.types import Article, FileResult, IngestReport

DEFAULT_BATCH_CHUNKS = 2048
LOOKAHEAD_FILES = 64  # files read ahead so their stored records are looked up in one call


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
        embedder,
        chunk_size: int,
        chunk_overlap: int,
        batch_chunks: int = DEFAULT_BATCH_CHUNKS,
        lookahead_files: int = LOOKAHEAD_FILES,
        on_written: Callable[[dict[str, list[str]]], None] | None = None,
    ):
        self.store = store
        self.embedder = embedder
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.batch_chunks = max(1, batch_chunks)
        self.lookahead_files = max(1, lookahead_files)
        self.on_written = on_written  # receives {chunk id: BM25 terms} of every write

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
        started = time.perf_counter()
        results: list[FileResult] = []
        # Results wait here until every earlier file's result is known, to keep file order.
        waiting: list[FileResult | _PendingFile] = []
        batch = _Batch()
        known: dict[str, tuple | None] = {}  # stored records of the articles read ahead

        def emit(result: FileResult) -> None:
            results.append(result)
            if on_file is not None:
                on_file(result)

        def flush() -> None:
            nonlocal batch
            finished = self._write_batch(batch)
            for article_id in batch.article_ids:
                known.pop(article_id, None)  # just written: ask the store again if it comes back
            for entry in waiting:
                emit(finished[id(entry)] if isinstance(entry, _PendingFile) else entry)
            waiting.clear()
            batch = _Batch()

        for group in _groups(sources, self.lookahead_files):
            loaded = [(label, load, _load(load)) for label, load in group]
            ids = [a.id for _, _, articles in loaded if isinstance(articles, list) for a in articles]
            known.update(self.store.records_of(ids) if ids else {})
            for label, load, articles in loaded:
                outcome = self._prepare_file(label, articles, batch.article_ids, known)
                if isinstance(outcome, _PendingFile) and outcome.ids and batch.article_ids & set(outcome.ids):
                    flush()  # the same article twice in one write would be ambiguous: write the first
                    outcome = self._prepare_file(label, _load(load), batch.article_ids, known)
                if isinstance(outcome, _PendingFile):
                    batch.add(outcome)
                if not waiting and not isinstance(outcome, _PendingFile):
                    emit(outcome)  # nothing pending before it: report at once
                else:
                    waiting.append(outcome)
                if batch.chunks >= self.batch_chunks:
                    flush()
            known.clear()
        flush()
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

    def _write_batch(self, batch: _Batch) -> dict[int, FileResult]:
        """Embed and write a batch at once; on failure, file by file so only bad files fail."""
        if len(batch.files) > 1:
            try:
                self._embed_and_write(batch.files)
                return {id(f): f.result() for f in batch.files}
            except Exception:
                pass  # the store rolled the batch back; find the culprit file by file
        finished = {}
        for pending in batch.files:
            try:
                self._embed_and_write([pending])
                finished[id(pending)] = pending.result()
            except Exception as exc:
                reason = f"unexpected error: {type(exc).__name__}: {exc}"
                finished[id(pending)] = FileResult(pending.label, "failed", reason=reason)
        return finished

    def _embed_and_write(self, files: list[_PendingFile]) -> None:
        items = [item for f in files for item in f.items]
        texts = [index_text(i.article.title, c.text) for i in items for c in i.chunks]
        vectors = self.embedder.get_text_embedding_batch(texts) if texts else []
        if len(vectors) != len(texts):
            raise RuntimeError(f"the embedder returned {len(vectors)} vectors for {len(texts)} chunks")
        ready, first = [], 0
        for item in items:
            n = len(item.chunks)
            ready.append(PreparedArticle(item.article, item.chunks, vectors[first : first + n], item.version))
            first += n
        self.store.write(ready)
        if self.on_written is not None:
            ids = [chunk_id(i.article.id, i.version, c.index) for i in items for c in i.chunks]
            self.on_written(dict(zip(ids, map(terms, texts))))


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
