"""The article store: chunks with their embeddings in Chroma (through llama-index's
ChromaVectorStore) and full article texts in a companion collection.

Writes are ordered so that a failure never leaves a half-written article visible: new chunks go
in under new ids first, then the article record (the commit point) is upserted, then the old
version's chunks are deleted. Readers ignore chunks whose version no article record names.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from qa.errors import EmbeddingMismatchError, StoreError
from qa.store_guard import StoreLock, probe_sqlite
from qa.types import Article, ArticleInfo, Chunk, Filters

SCHEMA = "1"
_PAGE = 1000


@dataclass(frozen=True)
class PreparedArticle:
    """An article ready to store: its chunks, their vectors and a version key."""

    article: Article
    chunks: list[Chunk]
    vectors: list[list[float]]
    version: str


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    score: float


def day_number(iso_date: str) -> int:
    """'2025-07-08' -> 20250708 (0 when unknown), so Chroma can filter dates numerically."""
    return int(iso_date.replace("-", "")) if iso_date else 0


def chunk_id(article_id: str, version: str, index: int) -> str:
    return f"{article_id}#{version}#{index}"


class ArticleStore:
    # Embedded stores only (see _open_guarded): the inter-process lock and how to reconnect.
    _guard: StoreLock | None = None
    _reconnect: Callable[[], Any] | None = None
    _synced_stamp: str | None = None
    recovered_on_open: list[str] = []  # articles whose half-done write opening finished

    def __init__(self, client: Any, name: str, embed_model: str, embed_dim: int, where: str):
        self._client = client
        self.name = name
        self.where = where
        self.embed_model = embed_model
        self.embed_dim = embed_dim
        self._chunks = self._open_collection(name)
        self._articles = self._open_collection(f"{name}_articles")
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self._vectors = ChromaVectorStore(chroma_collection=self._chunks)
        self._text_cache = lru_cache(maxsize=256)(self._load_text)

    # ----- opening -------------------------------------------------------------------------
    @classmethod
    def open_local(
        cls, folder: Path, name: str, embed_model: str, embed_dim: int, timeout: float = 30.0,
        verify: bool = True,
    ) -> ArticleStore:
        """The embedded store in `folder`; StoreError after `timeout` s if another process holds
        it, or (`verify`) when its vector index fails the self-check."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        folder = Path(folder).expanduser()

        def connect() -> Any:
            return chromadb.PersistentClient(
                path=str(folder / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
            )

        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {folder}: {exc.strerror or exc}; "
                "set QA_STORE to a writable folder"
            ) from None
        return cls._open_guarded(folder, connect, name, embed_model, embed_dim, timeout, verify)

    @classmethod
    def open_remote(
        cls, url: str, name: str, embed_model: str, embed_dim: int,
        token: str | None = None, connect_timeout: float = 30.0,
    ) -> ArticleStore:
        """The store on a Chroma server (`chroma run`), shared with other app processes."""
        from qa.remote_store import ServerAddress, connect

        address = ServerAddress.parse(url)
        client = connect(address, token, connect_timeout)
        return cls(client, name, embed_model, embed_dim, where=address.url)

    def _open_collection(self, name: str) -> Any:
        wanted = {"qa_schema": SCHEMA, "qa_embed_model": self.embed_model, "qa_embed_dim": self.embed_dim}
        try:
            collection = self._client.get_collection(name, embedding_function=None)
        except Exception:  # Chroma raises NotFoundError (or ValueError in older releases)
            return self._client.create_collection(
                name,
                metadata={**wanted, "qa_stamp": uuid.uuid4().hex},
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        meta = collection.metadata or {}
        if meta.get("qa_embed_model") != self.embed_model or meta.get("qa_embed_dim") != self.embed_dim:
            raise EmbeddingMismatchError(
                f"the store at {self.where} (collection '{self.name}') was built with embedding "
                f"model '{meta.get('qa_embed_model')}' ({meta.get('qa_embed_dim')} dimensions), but "
                f"the configured model is '{self.embed_model}' ({self.embed_dim} dimensions); "
                f"set QA_EMBED back to '{meta.get('qa_embed_model')}', or use another store "
                "(QA_STORE) or collection (QA_COLLECTION) and ingest the articles again"
            )
        return collection

    # ----- version stamp: changes on every write, so other readers know to refresh --------
    def stamp(self) -> str:
        meta = self._client.get_collection(self.name, embedding_function=None).metadata or {}
        stamp = str(meta.get("qa_stamp", ""))
        if stamp != getattr(self, "_seen_stamp", None):  # someone wrote: cached texts may be stale
            self._text_cache.cache_clear()
            self._seen_stamp = stamp
        return stamp

    def _bump_stamp(self) -> None:
        meta = self._fresh_meta()  # not the cached copy: another process may have changed it
        meta["qa_stamp"] = uuid.uuid4().hex
        meta["qa_pending"] = ""  # the write finished: nothing to recover
        self._chunks.modify(metadata=meta)
        self._synced_stamp = meta["qa_stamp"]

    # ----- crash safety and sharing between processes (embedded stores) ------------------
    @classmethod
    def _open_guarded(
        cls, folder: Path, connect: Callable[[], Any], name: str, embed_model: str, embed_dim: int,
        timeout: float, verify: bool,
    ) -> ArticleStore:
        """Open under the store's lock, never waiting more than `timeout` s for another process,
        then finish any write a killed process left half done."""
        guard = StoreLock(folder, timeout)
        with guard.exclusive():  # also keeps two processes from creating a new store at once
            probe_sqlite(folder / "chroma" / "chroma.sqlite3", timeout, folder)

            _forget_cached_client(folder)  # a cached client may hold an index older than the disk
            try:
                store = cls(connect(), name, embed_model, embed_dim, where=str(folder))
            except OSError as exc:
                raise StoreError(
                    f"cannot open the store at {folder}: {exc.strerror or exc}; "
                    "set QA_STORE to a writable folder"
                ) from None
            store._guard, store._reconnect = guard, connect
            store._synced_stamp = store.stamp()
            if verify:  # `qa doctor` opens without it: it checks and recovers itself
                store.verify_index()
                store.recovered_on_open = store.recover()
                if store.recovered_on_open:  # a kill inside Chroma's write can break its index files
                    store.verify_index(full=True)
        return store

    def verify_index(self, full: bool = False) -> None:
        """StoreError (saying how to rebuild) when the self-check finds a damaged index: the cheap
        one (three chunks), or `full` (every chunk, or an even sample of 2,000)."""
        problems = self.index_problems()
        if full and not problems:
            lost = self.lost_vectors()
            problems = [f"{len(lost)} chunks are not found by their own vectors (e.g. {lost[0]})"] if lost else []
        if problems:
            raise StoreError(
                f"the vector index of the store at {self.where} (collection '{self.name}') is damaged "
                f"or missing: {problems[0]}; run `qa doctor --repair` to rebuild it from the stored "
                "chunk texts (no article is lost)"
            )

    def index_problems(self, sample: int = 3) -> list[str]:
        """Self-check: `sample` stored chunks (first, middle, last) must come back first when the
        index is searched with their own vectors. Missing or damaged HNSW files otherwise give
        wrong results silently (or Chroma errors on every call)."""
        try:
            self._articles.count()
            total = self._chunks.count()
            if total == 0:
                return []
            step = max(1, (total - 1) // max(1, sample - 1))
            offsets = sorted({min(total - 1, i * step) for i in range(sample)})
            return [p for offset in offsets if (p := self._self_check_at(offset, total))]
        except Exception as exc:  # Chroma raises InternalError for index files it cannot read
            return [f"Chroma cannot read it ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"]

    def lost_vectors(self, limit: int = 2000) -> list[str]:
        """Chunks (an even sample of at most `limit`) that a search with their own vector misses."""
        ids = [cid for cid, _, _ in self.iter_chunks()]
        sample = ids[:: max(1, len(ids) // limit)]
        lost: list[str] = []
        for first in range(0, len(sample), 500):
            part = sample[first : first + 500]
            vectors = self.vectors_by_id(part)
            lost += [cid for cid in part if cid not in vectors]
            for cid, vector in vectors.items():
                hits = self.dense_query(vector, 10)
                if cid not in [h.chunk_id for h in hits] and not (hits and hits[0].score > 0.9999):
                    lost.append(cid)  # (an identical twin coming first is fine)
        return lost

    def _self_check_at(self, offset: int, total: int) -> str:
        page = self._chunks.get(limit=1, offset=offset, include=["embeddings"])
        if not page["ids"]:
            return f"chunk {offset} of {total} cannot be read"
        cid, vector = page["ids"][0], page["embeddings"][0]
        found = self._chunks.query(
            query_embeddings=[vector], n_results=min(3, total), include=["distances"]
        )
        ids, distances = found["ids"][0], found["distances"][0]
        if cid in ids or (distances and distances[0] < 1e-4):  # an identical twin may come first
            return ""
        return f"chunk {cid} does not come back for its own vector"

    def _locked(self, exclusive: bool) -> Any:
        if self._guard is None:
            return nullcontext()
        return self._guard.exclusive() if exclusive else self._guard.shared()

    def ensure_available(self) -> None:
        """A StoreError within the timeout if another process holds the database: any Chroma call
        would wait forever then (reads too). Cheap: one sqlite lock attempt."""
        if self._guard is not None:
            folder = Path(self.where)
            probe_sqlite(folder / "chroma" / "chroma.sqlite3", self._guard.timeout, folder)

    def _fresh_meta(self) -> dict[str, Any]:
        return dict(self._client.get_collection(self.name, embedding_function=None).metadata or {})

    def _sync(self) -> None:
        """Reload Chroma's in-memory vector index if another process wrote since we last looked
        (call with the lock held): its index never sees their vectors, and writing through it
        would save it over theirs."""
        if self._reconnect is None:
            return
        stamp = self.stamp()
        if stamp == self._synced_stamp:
            return
        self.ensure_available()
        _forget_cached_client(Path(self.where))
        self._client = self._reconnect()
        self._chunks = self._open_collection(self.name)
        self._articles = self._open_collection(f"{self.name}_articles")
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self._vectors = ChromaVectorStore(chroma_collection=self._chunks)
        self._text_cache.cache_clear()
        self._synced_stamp = stamp

    @contextmanager
    def _writing(self, article_ids: Sequence[str]) -> Iterator[None]:
        """Hold the write lock, note which articles are being written (so a killed write can be
        finished by the next process), and clear the note with the new stamp at the end."""
        with self._locked(exclusive=True):
            self._sync()
            if self._guard is not None:
                self.ensure_available()  # a foreign process holding the database would hang Chroma's write
                self._recover_pending()
                meta = self._fresh_meta()
                meta["qa_pending"] = json.dumps(sorted(set(article_ids)))
                self._chunks.modify(metadata=meta)
            yield
            self._bump_stamp()

    def recover(self) -> list[str]:
        """Finish a write that a killed process left half done; the ids of the articles tidied."""
        if self._guard is None:  # server mode: other clients may be writing; `qa doctor` tidies
            return []
        with self._locked(exclusive=True):
            self._sync()
            return self._recover_pending()

    def _recover_pending(self) -> list[str]:
        pending = json.loads(self._fresh_meta().get("qa_pending") or "[]")
        for article_id in pending:
            self.drop_stale_chunks(article_id)
        if pending:
            self._bump_stamp()
        return list(pending)

    def drop_stale_chunks(self, article_id: str) -> int:
        """Delete the chunks of `article_id` that no article record names; how many."""
        found = self.record(article_id)
        where: dict[str, Any] = {"article_id": article_id}
        if found is not None:
            where = {"$and": [where, {"version": {"$ne": found[1]}}]}
        stale = self._chunks.get(where=where, include=[])["ids"]
        if stale:
            self._chunks.delete(ids=stale)
        return len(stale)

    # ----- reading --------------------------------------------------------------------------
    def records(self) -> dict[str, tuple[ArticleInfo, str]]:
        """Every stored article: id -> (info, version)."""
        out: dict[str, tuple[ArticleInfo, str]] = {}
        offset = 0
        while True:
            page = self._articles.get(include=["metadatas"], limit=_PAGE, offset=offset)
            for article_id, meta in zip(page["ids"], page["metadatas"]):
                out[article_id] = (_info(article_id, meta), str(meta.get("version", "")))
            if len(page["ids"]) < _PAGE:
                return out
            offset += _PAGE

    def record(self, article_id: str) -> tuple[ArticleInfo, str] | None:
        page = self._articles.get(ids=[article_id], include=["metadatas"])
        if not page["ids"]:
            return None
        return _info(article_id, page["metadatas"][0]), str(page["metadatas"][0].get("version", ""))

    def article(self, article_id: str) -> Article | None:
        """The stored article with the exact text citations index into."""
        return self._text_cache(article_id)

    def _load_text(self, article_id: str) -> Article | None:
        page = self._articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not page["ids"]:
            return None
        meta = page["metadatas"][0]
        return Article(
            id=article_id,
            title=str(meta.get("title", "")),
            text=page["documents"][0],
            source=str(meta.get("source", "")),
            url=str(meta.get("url", "")),
            published=str(meta.get("published", "")),
            path=str(meta.get("path", "")),
        )

    def count_chunks(self) -> int:
        return self._chunks.count()

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(chunk id, text, metadata) of every stored chunk, page by page."""
        offset = 0
        while True:
            page = self._chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            yield from zip(page["ids"], page["documents"], page["metadatas"])
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not ids:
            return {}
        page = self._chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: (d, m) for i, d, m in zip(page["ids"], page["documents"], page["metadatas"])}

    def vectors_by_id(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        page = self._chunks.get(ids=list(ids), include=["embeddings"])
        return {i: list(v) for i, v in zip(page["ids"], page["embeddings"])}

    def dense_query(self, vector: list[float], k: int, filters: Filters | None = None) -> list[DenseHit]:
        from llama_index.core.vector_stores.types import VectorStoreQuery

        if self.count_chunks() == 0:
            return []
        query = VectorStoreQuery(
            query_embedding=vector, similarity_top_k=k, filters=_metadata_filters(filters)
        )
        with self._locked(exclusive=False):
            self._sync()  # see vectors other processes added since we loaded the index
            result = self._vectors.query(query)
        return [DenseHit(i, float(s)) for i, s in zip(result.ids or [], result.similarities or [])]

    # ----- writing --------------------------------------------------------------------------
    def write(self, items: Sequence[PreparedArticle]) -> None:
        """Store articles together: all of them become visible, or none does."""
        with self._writing([item.article.id for item in items]):
            self._write_items(items)

    def _write_items(self, items: Sequence[PreparedArticle]) -> None:
        from llama_index.core.schema import TextNode

        previous = {item.article.id: self.record(item.article.id) for item in items}
        new_ids: list[str] = []
        try:
            nodes = []
            for item in items:
                meta = _chunk_meta(item)
                for chunk, vector in zip(item.chunks, item.vectors):
                    cid = chunk_id(item.article.id, item.version, chunk.index)
                    new_ids.append(cid)
                    nodes.append(
                        TextNode(
                            id_=cid,
                            text=chunk.text,
                            embedding=vector,
                            metadata={**meta, "index": chunk.index, "start": chunk.start, "end": chunk.end},
                        )
                    )
            batch = max(1, self._client.get_max_batch_size())
            for first in range(0, len(nodes), batch):
                self._vectors.add(nodes[first : first + batch])
            self._articles.upsert(  # the commit point: readers now see the new versions
                ids=[item.article.id for item in items],
                documents=[item.article.text for item in items],
                metadatas=[_article_meta(item) for item in items],
                embeddings=[_mean_vector(item.vectors) for item in items],
            )
        except BaseException:
            self._rollback(new_ids, previous)
            raise
        for item in items:
            self._chunks.delete(
                where={"$and": [{"article_id": item.article.id}, {"version": {"$ne": item.version}}]}
            )
            self._text_cache.cache_clear()

    def _rollback(self, new_ids: list[str], previous: dict[str, Any]) -> None:
        try:
            if new_ids:
                self._chunks.delete(ids=new_ids)
            for article_id, old in previous.items():
                if old is None:
                    self._articles.delete(ids=[article_id])
        except Exception:  # the original error matters more; stale chunks are ignored by readers
            pass

    def remove(self, article_id: str) -> bool:
        if self.record(article_id) is None:
            return False
        with self._writing([article_id]):
            self._articles.delete(ids=[article_id])  # first: its chunks stop counting at once
            self._chunks.delete(where={"article_id": article_id})
            self._text_cache.cache_clear()
        return True


def _forget_cached_client(folder: Path) -> None:
    """Chroma shares one client per path within a process and never rereads the vector index
    from disk: drop it so the next client loads what other processes wrote. Stores still using
    the old one keep it (it is not stopped) until they reload themselves."""
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = str(folder / "chroma")
    SharedSystemClient._identifier_to_system.pop(identifier, None)
    SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def _metadata_filters(filters: Filters | None) -> Any:
    from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

    if filters is None or filters.empty:
        return None
    parts = []
    if filters.article_ids:
        parts.append(MetadataFilter(key="article_id", value=list(filters.article_ids), operator=FilterOperator.IN))
    if filters.published_from or filters.published_to:
        parts.append(MetadataFilter(key="published_day", value=0, operator=FilterOperator.GT))
    if filters.published_from:
        parts.append(MetadataFilter(key="published_day", value=day_number(filters.published_from), operator=FilterOperator.GTE))
    if filters.published_to:
        parts.append(MetadataFilter(key="published_day", value=day_number(filters.published_to), operator=FilterOperator.LTE))
    return MetadataFilters(filters=parts)


def _chunk_meta(item: PreparedArticle) -> dict[str, Any]:
    a = item.article
    return {
        "article_id": a.id,
        "version": item.version,
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "published": a.published,
        "published_day": day_number(a.published),
    }


def _article_meta(item: PreparedArticle) -> dict[str, Any]:
    a = item.article
    return {
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "published": a.published,
        "path": a.path,
        "hash": a.hash,
        "version": item.version,
        "chunks": len(item.chunks),
        "chars": len(a.text),
    }


def _info(article_id: str, meta: dict[str, Any]) -> ArticleInfo:
    return ArticleInfo(
        id=article_id,
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        url=str(meta.get("url", "")),
        published=str(meta.get("published", "")),
        hash=str(meta.get("hash", "")),
        chunks=int(meta.get("chunks", 0)),
        chars=int(meta.get("chars", 0)),
        path=str(meta.get("path", "")),
    )


def _mean_vector(vectors: list[list[float]]) -> list[float]:
    import numpy as np

    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).tolist()

