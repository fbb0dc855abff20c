"""`qa doctor --repair`: fix what qa/doctor/checks.py's checks find.

Repair removes orphans, re-embeds every chunk from its stored text into rebuilt collections
(swapped in only when complete, so a killed repair loses nothing and can be run again),
re-chunks articles that lost chunks from their stored text, drops BM25 (rebuilt on the next
question), and raises a short vector search list in place.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

from qa.doctor.checks import (
    _WANTED_EF,
    StoredArticle,
    StoredChunk,
    _check_index,
    _ef_search,
    _incomplete,
    _split,
    _stray_index_folders,
    is_embedded,
    stored_articles,
    stored_chunks,
)
from qa.settings import Settings
from qa.store.chroma import HNSW_CONFIGURATION, REBUILD_SUFFIX, ArticleStore, with_text


def repair(store: ArticleStore, embedder, settings: Settings, bm25_folder: Path) -> list[str]:
    """Fix what `examine` finds; what was done, one line per action."""
    done: list[str] = []
    with store._locked(exclusive=True):
        done += _finish_interrupted_rebuild(store)
        articles, chunks = stored_articles(store), stored_chunks(store)
        live, orphans = _split(articles, chunks)
        index_ok = _check_index(store, live).ok
        if orphans or not index_ok:
            _rebuild(store, embedder, articles, live)
            done.append(
                f"rebuilt the vector index: re-embedded {len(live)} chunks of {len(articles)} articles"
                f" from their stored texts; dropped {len(orphans)} orphan chunks"
            )
        incomplete = _incomplete(articles, live)
        if incomplete:
            _rechunk(store, embedder, settings, [articles[a] for a in incomplete])
            done.append(f"re-chunked {len(incomplete)} articles from their stored texts")
        if is_embedded(store):
            for folder in _stray_index_folders(store):
                shutil.rmtree(folder, ignore_errors=True)
                done.append(f"removed unused index folder {folder.name}")
        if done:
            shutil.rmtree(bm25_folder, ignore_errors=True)  # rebuilt on the next question
            done.append("dropped the BM25 index (rebuilt on the next question)")
        have = _ef_search(store)  # a setting only: the chunks and the BM25 index stay as they are
        if have is not None and have < _WANTED_EF:
            store._chunks.modify(configuration={"hnsw": {"ef_search": _WANTED_EF}})
            done.append(f"raised the vector index's search list from {have} to {_WANTED_EF} candidates per query")
    return done


def _rebuild(store: ArticleStore, embedder, articles: dict[str, StoredArticle], live: list[StoredChunk]) -> None:
    """Fill fresh collections from the stored texts, then swap them in (old ones deleted last
    but one step: a kill before the swap leaves the old ones in place)."""
    from qa.retrieval.lexical import index_text
    from qa.store.records import mean_vector

    client, batch = store._client, max(1, store._client.get_max_batch_size())
    targets = {store.name: None, f"{store.name}_articles": None}
    for name in targets:
        meta = dict(client.get_collection(name, embedding_function=None).metadata or {})
        meta.update(qa_stamp=uuid.uuid4().hex, qa_pending="")
        _drop(client, name + REBUILD_SUFFIX)
        targets[name] = client.create_collection(
            name + REBUILD_SUFFIX, metadata=meta, configuration=HNSW_CONFIGURATION,
            embedding_function=None,
        )
    vectors: dict[str, list[list[float]]] = {}
    for first in range(0, len(live), batch):
        part = live[first : first + batch]
        embedded = embedder.get_text_embedding_batch(
            [index_text(str(c.meta.get("title", "")), c.text) for c in part]
        )
        for chunk, vector in zip(part, embedded):
            vectors.setdefault(str(chunk.meta["article_id"]), []).append(vector)
        targets[store.name].add(
            ids=[c.id for c in part], metadatas=[with_text(c.meta, c.text) for c in part], embeddings=embedded,
        )
    records = list(articles.values())
    placeholder = [1.0] + [0.0] * (store.embed_dim - 1)  # an article without chunks: re-chunked next
    for first in range(0, len(records), batch):
        part = records[first : first + batch]
        targets[f"{store.name}_articles"].add(
            ids=[a.id for a in part], metadatas=[with_text(a.meta, a.text) for a in part],
            embeddings=[mean_vector(vectors[a.id]) if a.id in vectors else placeholder for a in part],
        )
    for name in targets:  # the swap: from here on the rebuilt collections are the store
        _drop(client, name)
        client.get_collection(name + REBUILD_SUFFIX, embedding_function=None).modify(name=name)
    store._synced_stamp = None
    store._sync() if store._reconnect is not None else _reattach(store)


def _finish_interrupted_rebuild(store: ArticleStore) -> list[str]:
    """A repair killed during the swap: rename the rebuilt collection it left; drop half-built ones.

    Killed between dropping the old collection and renaming the rebuilt one, the store holds
    only the rebuilt copy, and opening the store since (this doctor run included) made an empty
    collection under the old name. That empty one goes, and the full copy takes its name."""
    done = []
    client = store._client
    names = store.collection_names()
    for name in (store.name, f"{store.name}_articles"):
        if name + REBUILD_SUFFIX not in names:
            continue
        rebuilt = client.get_collection(name + REBUILD_SUFFIX, embedding_function=None)
        if name in names and client.get_collection(name, embedding_function=None).count() == 0 < rebuilt.count():
            _drop(client, name)
            names.discard(name)
        if name in names:  # the old collection is whole: the rebuilt one was still being filled
            _drop(client, name + REBUILD_SUFFIX)
        else:
            rebuilt.modify(name=name)
            done.append(f"finished an interrupted rebuild of {name}")
    if done:
        _reattach(store)
    return done


def _reattach(store: ArticleStore) -> None:
    store._chunks = store._open_collection(store.name)
    store._articles = store._open_collection(f"{store.name}_articles")
    store._text_cache.cache_clear()


def _drop(client: Any, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # not there: nothing to drop
        pass


def _rechunk(store: ArticleStore, embedder, settings: Settings, articles: list[StoredArticle]) -> None:
    from qa.ingest.chunking import stored_chunks as article_chunks
    from qa.ingest.pipeline import article_version
    from qa.retrieval.lexical import index_text
    from qa.store.chroma import PreparedArticle
    from qa.types import Article

    prepared = []
    for stored in articles:
        m = stored.meta
        article = Article(
            id=stored.id, title=str(m.get("title", "")), text=stored.text, source=str(m.get("source", "")),
            url=str(m.get("url", "")), published=str(m.get("published", "")), path=str(m.get("path", "")),
        )
        chunks = article_chunks(article.id, article.text, settings.chunk_size, settings.chunk_overlap)
        vectors = embedder.get_text_embedding_batch([index_text(article.title, c.text) for c in chunks])
        version = article_version(article, settings.chunk_size, settings.chunk_overlap)
        if version == stored.version:  # same key as the damaged record: make the rewrite a new version
            version = uuid.uuid4().hex[:16]
        prepared.append(PreparedArticle(article, chunks, vectors, version))
    store.write(prepared)
