"""Ingest: files -> articles -> chunks -> embeddings -> store, one file at a time.

A file's articles are written together or not at all; a file that fails is reported and the
next one is read. Unchanged articles (same text, metadata and chunking) are not rewritten.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from qa.chunking import chunk_text
from qa.errors import ArticleError
from qa.lexical import index_text
from qa.loading import load_file, walk
from qa.store import ArticleStore, PreparedArticle
from qa.types import Article, FileResult, IngestReport


def article_version(article: Article, chunk_size: int, chunk_overlap: int) -> str:
    """Changes when anything stored about the article would change."""
    fields = [article.text, article.title, article.source, article.url, article.published, chunk_size, chunk_overlap]
    return hashlib.sha256(json.dumps(fields).encode("utf-8")).hexdigest()[:16]


class Ingestor:
    def __init__(self, store: ArticleStore, embedder, chunk_size: int, chunk_overlap: int):
        self.store = store
        self.embedder = embedder
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap

    def ingest(
        self, paths: Iterable[str | Path], on_file: Callable[[FileResult], None] | None = None
    ) -> IngestReport:
        started = time.perf_counter()
        results = []
        for path in walk(paths):
            result = self.ingest_file(path)
            results.append(result)
            if on_file is not None:
                on_file(result)
        return IngestReport(files=tuple(results), seconds=time.perf_counter() - started)

    def ingest_articles(self, articles: list[Article], batch: int = 64) -> IngestReport:
        """Store in-memory articles, `batch` at a time (each batch all or nothing)."""
        started = time.perf_counter()
        results = []
        for first in range(0, len(articles), batch):
            group = articles[first : first + batch]
            label = f"articles {first + 1}-{first + len(group)}"
            try:
                results.append(self._store_articles(Path(label), group))
            except Exception as exc:
                results.append(FileResult(label, "failed", reason=f"{type(exc).__name__}: {exc}"))
        return IngestReport(files=tuple(results), seconds=time.perf_counter() - started)

    def ingest_file(self, path: Path) -> FileResult:
        try:
            articles = load_file(path)
            return self._store_articles(path, articles)
        except ArticleError as exc:
            return FileResult(str(path), "failed", reason=str(exc))
        except Exception as exc:  # one bad file never stops the others
            return FileResult(str(path), "failed", reason=f"unexpected error: {type(exc).__name__}: {exc}")

    def _store_articles(self, path: Path, articles: list[Article]) -> FileResult:
        ids = tuple(a.id for a in articles)
        prepared, replaced, notes = [], 0, []
        for article in articles:
            version = article_version(article, self.chunk_size, self.chunk_overlap)
            existing = self.store.record(article.id)
            if existing is not None:
                info, old_version = existing
                if old_version == version:
                    continue
                replaced += 1
                if info.path and info.path != article.path:
                    notes.append(f"replaces article '{article.id}' from {info.path}")
            chunks = chunk_text(article.id, article.text, self.chunk_size, self.chunk_overlap)
            vectors = self.embedder.get_text_embedding_batch(
                [index_text(article.title, c.text) for c in chunks]
            )
            prepared.append(PreparedArticle(article, chunks, vectors, version))
        if not prepared:
            return FileResult(str(path), "unchanged", ids)
        self.store.write(prepared)
        status = "updated" if replaced else "added"
        chunks = sum(len(p.chunks) for p in prepared)
        return FileResult(str(path), status, ids, chunks, reason="; ".join(notes))
