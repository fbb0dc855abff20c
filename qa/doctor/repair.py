"""`qa doctor --repair`: fix what qa/doctor/checks.py's checks find.

Repair removes orphans, re-embeds every chunk from its stored text (read from sqlite, never
through a damaged index) into rebuilt collections (swapped in only when complete, so a killed
repair loses nothing and can be run again, see qa/store/maintenance.py),
re-chunks articles that lost chunks from their stored text, drops BM25 (rebuilt on the next
question; also when its checksums or texts do not match), and raises a short vector search list
in place.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from qa.doctor.inspect import (
    StoredArticle,
    StoredChunk,
    check_index,
    incomplete_articles,
    local_copy_damage,
    split_live,
    stored_articles,
    stored_chunks,
)
from qa.settings import Settings
from qa.store.chroma import ArticleStore
from qa.store.collections import SEARCH_LIST
from qa.store.records import PreparedArticle, article_from, index_text, mean_vector

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding


def repair(
    store: ArticleStore, embedder: BaseEmbedding, settings: Settings, bm25_folder: Path, damage: str = ""
) -> list[str]:
    """Fix what `examine` finds; what was done, one line per action. `damage`: what the index
    file check found (the index is then rebuilt without Chroma ever loading it)."""
    maintenance = store.maintenance
    done: list[str] = []
    with maintenance.exclusive():
        finished = maintenance.finish_interrupted_rebuild()
        done += [f"finished an interrupted rebuild of {name}" for name in finished]
        if finished:  # other collections are the store now: check their files
            damage = store.index_files_damage()
        articles, chunks = stored_articles(store), stored_chunks(store)
        live, orphans = split_live(articles, chunks)
        index_ok = check_index(store, live, damage).ok
        if orphans or not index_ok:
            _rebuild(store, embedder, articles, live)
            done.append(
                f"rebuilt the vector index: re-embedded {len(live)} chunks of {len(articles)} articles"
                f" from their stored texts; dropped {len(orphans)} orphan chunks"
            )
        incomplete = incomplete_articles(articles, live)
        if incomplete:
            _rechunk(store, embedder, settings, [articles[a] for a in incomplete])
            done.append(f"re-chunked {len(incomplete)} articles from their stored texts")
        if maintenance.embedded:
            for folder in maintenance.stray_index_folders():
                shutil.rmtree(folder, ignore_errors=True)
                done.append(f"removed unused index folder {folder.name}")
        copy_damage = local_copy_damage(bm25_folder, articles, live)
        if done or copy_damage:
            shutil.rmtree(bm25_folder, ignore_errors=True)  # rebuilt on the next question
            done.append("dropped the BM25 index (rebuilt on the next question)"
                        + (f": it was damaged ({copy_damage})" if copy_damage else ""))
        have = maintenance.search_list()  # a setting only: the chunks and the BM25 index stay as they are
        if have is not None and have < SEARCH_LIST:
            maintenance.set_search_list(SEARCH_LIST)
            done.append(f"raised the vector index's search list from {have} to {SEARCH_LIST} candidates per query")
        if done:  # the index files now are ones this repair rebuilt or checked
            maintenance.note_index_good()
    return done


def _rebuild(store: ArticleStore, embedder: BaseEmbedding, articles: dict[str, StoredArticle], live: list[StoredChunk]) -> None:
    """Re-embed every live chunk from its stored text into fresh collections, then swap them in."""
    rebuild = store.maintenance.start_rebuild()
    batch = rebuild.batch_size
    vectors: dict[str, list[list[float]]] = {}
    for first in range(0, len(live), batch):
        part = live[first : first + batch]
        embedded = embedder.get_text_embedding_batch(
            [index_text(str(c.meta.get("title", "")), c.text) for c in part]
        )
        for chunk, vector in zip(part, embedded):
            vectors.setdefault(str(chunk.meta["article_id"]), []).append(vector)
        rebuild.add_chunks([c.id for c in part], [c.text for c in part], [c.meta for c in part], embedded)
    records = list(articles.values())
    placeholder = [1.0] + [0.0] * (store.embed_dim - 1)  # an article without chunks: re-chunked next
    for first in range(0, len(records), batch):
        group = records[first : first + batch]
        rebuild.add_articles(
            [a.id for a in group], [a.text for a in group], [a.meta for a in group],
            [mean_vector(vectors[a.id]) if a.id in vectors else placeholder for a in group],
        )
    rebuild.swap_in()


def _rechunk(store: ArticleStore, embedder: BaseEmbedding, settings: Settings, articles: list[StoredArticle]) -> None:
    from qa.ingest.chunking import stored_chunks as article_chunks
    from qa.ingest.pipeline import article_version

    prepared = []
    for stored in articles:
        article = article_from(stored.id, stored.text, stored.meta)
        chunks = article_chunks(article.id, article.text, settings.chunk_size, settings.chunk_overlap)
        vectors = embedder.get_text_embedding_batch([index_text(article.title, c.text) for c in chunks])
        version = article_version(article, settings.chunk_size, settings.chunk_overlap)
        if version == stored.version:  # same key as the damaged record: make the rewrite a new version
            version = uuid.uuid4().hex[:16]
        prepared.append(PreparedArticle(article, chunks, vectors, version))
    store.write(prepared)
