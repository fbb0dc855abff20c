"""The article store: chunks with their embeddings in Chroma and full article texts in a
companion collection.

Writes are ordered so that a failure never leaves a half-written article visible: new chunks go
in under new ids first, then the article record (the commit point) is upserted, then the old
version's chunks are deleted. Readers ignore chunks whose version no article record names.

Texts (of chunks and of articles) are kept in metadata (`TEXT_KEY`), not as Chroma documents:
Chroma builds a trigram full-text index over every document, which qa never queries (its lexical
search is BM25), and that index was 70% of the time of a raw `add` (10k chunks: 15.0 s with
documents, 6.7 s with the same texts in metadata). Stores written with documents still read.

The store owns its parts: the collections (qa/store/collections.py), crash safety and sharing
(qa/store/safety.py), the index self-check (qa/store/selfcheck.py) and what `qa doctor` needs
(qa/store/maintenance.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from qa.errors import StoreError
from qa.store.collections import PAGE, StoreCollections, pages
from qa.store.filters import chroma_where
from qa.store.guard import StoreLock
from qa.store.local import LocalDatabase
from qa.store.maintenance import StoreMaintenance
from qa.store.records import (
    DenseHit,
    PreparedArticle,
    article_from,
    article_meta,
    chunk_id,
    chunk_meta,
    info_from,
    mean_vector,
    split_text,
    stale_chunks_where,
    version_in,
    with_text,
)
from qa.store.safety import StoreSafety
from qa.store.selfcheck import IndexSelfCheck
from qa.types import Article, ArticleInfo, Filters


class ArticleStore:
    def __init__(
        self, client: Any, name: str, embed_model: str, embed_dim: int, where: str, for_repair: bool = False,
        local: LocalDatabase | None = None,
    ):
        """`local`: the folder, lock and connection of an embedded store (None on a server)."""
        self.name = name
        self.where = where
        self.embed_model = embed_model
        self.embed_dim = embed_dim
        self._collections = StoreCollections(client, name, embed_model, embed_dim, where, for_repair)
        self._text_cache = lru_cache(maxsize=256)(self._load_text)
        self._seen_stamp: str | None = None  # the stamp last read
        self._safety = StoreSafety(self._collections, local, self.stamp, self._text_cache.cache_clear)
        self._self_check = IndexSelfCheck(self._collections, self._safety, self)
        self._safety.check_files = self._refuse_damaged_files
        self.maintenance = StoreMaintenance(self._collections, self._safety)
        self.recovered_on_open: list[str] = []  # articles whose half-done write opening finished

    # ----- opening -------------------------------------------------------------------------
    @classmethod
    def open_local(
        cls, folder: Path, name: str, embed_model: str, embed_dim: int, timeout: float = 30.0,
        verify: bool = True,
    ) -> ArticleStore:
        """The embedded store in `folder`, opened under its lock; StoreError after `timeout` s if
        another process holds it, or (`verify`) when its vector index fails the self-check. A
        write a killed process left half done is finished."""
        folder = Path(folder).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {folder}: {exc.strerror or exc}; "
                "set QA_STORE to a writable folder"
            ) from None
        local = LocalDatabase(folder, StoreLock(folder, timeout))
        with local.lock.exclusive():  # also keeps two processes from creating a new store at once
            local.probe()
            local.forget_cached_client()  # a cached client may hold an index older than the disk
            try:
                store = cls(local.connect(), name, embed_model, embed_dim, where=str(folder),
                            for_repair=not verify, local=local)
            except OSError as exc:
                raise StoreError(
                    f"cannot open the store at {folder}: {exc.strerror or exc}; "
                    "set QA_STORE to a writable folder"
                ) from None
            store._safety.mark_synced(store.stamp())
            crashed = local.note_user()
            if verify:  # `qa doctor` opens without it: it checks and recovers itself
                store._check_on_open(local, crashed)
        return store

    def _check_on_open(self, local: LocalDatabase, crashed: bool) -> None:
        # Index files that changed since qa last knew them good (a kill, a copy, damage) are
        # checked without loading them here first: damaged ones can crash Chroma's native code.
        problem = self._self_check.files_damage()
        if problem:
            raise self._self_check.damaged(problem)
        self.recovered_on_open = self.recover()
        # A process killed while using the store (even in Chroma's own index upkeep during a
        # read) can leave broken index files: then check every chunk.
        if self.recovered_on_open or crashed:
            self.verify_index(full=True)
            local.note_verified()  # only once every check passed: the crash mark is gone by now

    @classmethod
    def open_remote(
        cls, url: str, name: str, embed_model: str, embed_dim: int,
        token: str | None = None, connect_timeout: float = 30.0, for_repair: bool = False,
    ) -> ArticleStore:
        """The store on a Chroma server (`chroma run`), shared with other app processes."""
        from qa.store.remote import ServerAddress, connect

        address = ServerAddress.parse(url)
        client = connect(address, token, connect_timeout)
        return cls(client, name, embed_model, embed_dim, where=address.url, for_repair=for_repair)

    # ----- safety (qa/store/safety.py) and the self-check (qa/store/selfcheck.py) ----------
    def ensure_available(self) -> None:
        """A StoreError within the timeout if another process holds the database."""
        self._safety.ensure_available()

    def recover(self) -> list[str]:
        """Finish a write that a killed process left half done; the ids of the articles tidied."""
        return self._safety.recover()

    def verify_index(self, full: bool = False) -> None:
        self._self_check.verify(full)

    def index_files_damage(self) -> str:
        """What is wrong with an embedded store's index files ("" when nothing), checked without
        loading them in this process when they changed since qa last knew them good."""
        return self._self_check.files_damage()

    def _refuse_damaged_files(self) -> None:
        problem = self._self_check.files_damage()
        if problem:
            raise self._self_check.damaged(problem)

    def index_problems(self, sample: int = 3) -> list[str]:
        return self._self_check.problems(sample)

    def lost_vectors(self, limit: int = 2000) -> list[str]:
        return self._self_check.lost_vectors(limit)

    def stamp(self) -> str:
        """The version stamp: changes on every write (of any process)."""
        stamp = self._collections.stamp()
        if stamp != self._seen_stamp:  # someone wrote: cached texts may be stale
            self._text_cache.cache_clear()
            self._seen_stamp = stamp
        return stamp

    # ----- reading --------------------------------------------------------------------------
    def records(self) -> dict[str, tuple[ArticleInfo, str]]:
        """Every stored article: id -> (info, version)."""
        out: dict[str, tuple[ArticleInfo, str]] = {}
        for page in pages(self._collections.articles, ["metadatas"]):
            for article_id, meta in zip(page["ids"], page["metadatas"]):
                out[article_id] = (info_from(article_id, meta), version_in(meta))
        return out

    def stored_articles(self) -> Iterator[tuple[Article, str]]:
        """Every stored article with its text, and its version, page by page."""
        for page in pages(self._collections.articles, ["metadatas", "documents"]):
            for article_id, document, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                text, meta = split_text(document, meta)
                yield article_from(article_id, text, meta), version_in(meta)

    def records_of(self, article_ids: list[str]) -> dict[str, tuple[ArticleInfo, str] | None]:
        """`record()` for many articles in one call (None for those not stored)."""
        found: dict[str, tuple[ArticleInfo, str] | None] = dict.fromkeys(article_ids)
        page = self._collections.articles.get(ids=list(dict.fromkeys(article_ids)), include=["metadatas"])
        for article_id, meta in zip(page["ids"], page["metadatas"]):
            found[article_id] = (info_from(article_id, meta), version_in(meta))
        return found

    def record(self, article_id: str) -> tuple[ArticleInfo, str] | None:
        page = self._collections.articles.get(ids=[article_id], include=["metadatas"])
        if not page["ids"]:
            return None
        return info_from(article_id, page["metadatas"][0]), version_in(page["metadatas"][0])

    def article(self, article_id: str) -> Article | None:
        """The stored article with the exact text citations index into."""
        return self._text_cache(article_id)

    def _load_text(self, article_id: str) -> Article | None:
        page = self._collections.articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not page["ids"]:
            return None
        return article_from(article_id, *split_text(page["documents"][0], page["metadatas"][0]))

    def count_chunks(self) -> int:
        return self._collections.chunks.count()

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(chunk id, text, metadata) of every stored chunk, page by page."""
        for page in pages(self._collections.chunks, ["documents", "metadatas"]):
            for cid, document, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                yield cid, *split_text(document, meta)

    def chunk_ids(self) -> list[str]:
        """Every stored chunk id (no texts: cheap even for a large store)."""
        out: list[str] = []
        for page in pages(self._collections.chunks, [], size=10 * PAGE):
            out += page["ids"]
        return out

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not ids:
            return {}
        page = self._collections.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: split_text(d, m) for i, d, m in zip(page["ids"], page["documents"], page["metadatas"])}

    def chunks_with_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any], list[float]]]:
        """(text, metadata, vector) of the given chunks."""
        if not ids:
            return {}
        with self._safety.locked(exclusive=False):
            self._safety.sync()  # vectors other processes added live in their index until we reload
            try:
                page = self._collections.chunks.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
            except Exception as exc:
                raise self._self_check.search_failure(exc) from None
        return {
            i: (*split_text(d, m), v)
            for i, d, m, v in zip(page["ids"], page["documents"], page["metadatas"], page["embeddings"])
        }

    def vectors_by_id(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        page = self._collections.chunks.get(ids=list(ids), include=["embeddings"])
        return {i: list(v) for i, v in zip(page["ids"], page["embeddings"])}

    def dense_query(
        self, vector: list[float], k: int, filters: Filters | None = None, checked: bool = False
    ) -> list[DenseHit]:
        """The k nearest chunks and their cosine similarity (ids and distances only). `checked`:
        the caller read the stamp just now and knows the store holds at least k chunks."""
        if k < 1:
            return []
        with self._safety.locked(exclusive=False):
            self._safety.sync(stamp=self._seen_stamp if checked else None)  # see other processes' vectors
            if not checked and self.count_chunks() == 0:
                return []
            try:
                result = self._collections.chunks.query(
                    query_embeddings=[vector], n_results=k, where=chroma_where(filters), include=["distances"]
                )
            except Exception as exc:
                raise self._self_check.search_failure(exc) from None
        ids, distances = result["ids"][0], result["distances"][0]
        return [DenseHit(i, 1.0 - float(d)) for i, d in zip(ids, distances)]

    # ----- writing --------------------------------------------------------------------------
    def write(self, items: Sequence[PreparedArticle]) -> None:
        """Store articles together: all of them become visible, or none does."""
        with self._safety.writing([item.article.id for item in items]):
            self._write_items(items)

    def _write_items(self, items: Sequence[PreparedArticle]) -> None:
        chunks, articles = self._collections.chunks, self._collections.articles
        previous = self.records_of([item.article.id for item in items])
        new_ids: list[str] = []
        metas: list[dict[str, Any]] = []
        vectors: list[Any] = []
        try:
            for item in items:
                meta = chunk_meta(item)
                for chunk, vector in zip(item.chunks, item.vectors):
                    new_ids.append(chunk_id(item.article.id, item.version, chunk.index))
                    metas.append(with_text({**meta, "index": chunk.index, "start": chunk.start, "end": chunk.end}, chunk.text))
                    vectors.append(vector)
            batch = max(1, self._collections.client.get_max_batch_size())
            for first in range(0, len(new_ids), batch):
                chunks.add(
                    ids=new_ids[first : first + batch],
                    metadatas=metas[first : first + batch],
                    embeddings=vectors[first : first + batch],
                )
            articles.upsert(  # the commit point: readers now see the new versions
                ids=[item.article.id for item in items],
                metadatas=[with_text(article_meta(item), item.article.text) for item in items],
                embeddings=[mean_vector(item.vectors) for item in items],
            )
        except BaseException:
            self._rollback(new_ids, previous)
            raise
        for item in items:
            if previous[item.article.id] is None:
                continue  # a new article has no old chunks; skipping the filtered delete keeps ingest linear
            chunks.delete(where=stale_chunks_where(item.article.id, item.version))
        self._text_cache.cache_clear()

    def _rollback(self, new_ids: list[str], previous: dict[str, Any]) -> None:
        try:
            if new_ids:
                self._collections.chunks.delete(ids=new_ids)
            for article_id, old in previous.items():
                if old is None:
                    self._collections.articles.delete(ids=[article_id])
        except Exception:  # the original error matters more; stale chunks are ignored by readers
            pass

    def remove(self, article_id: str) -> bool:
        if self.record(article_id) is None:
            return False
        with self._safety.writing([article_id]):
            self._collections.articles.delete(ids=[article_id])  # first: its chunks stop counting at once
            self._collections.chunks.delete(where=stale_chunks_where(article_id, None))
            self._text_cache.cache_clear()
        return True
