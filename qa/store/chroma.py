"""The article store: chunks with their embeddings in Chroma and full article texts in a
companion collection.

Writes are ordered so that a failure never leaves a half-written article visible: new chunks go
in under new ids first, then the article record (the commit point) is upserted, then the old
version's chunks are deleted. Readers ignore chunks whose version no article record names.

Texts (of chunks and of articles) are kept in metadata (`TEXT_KEY`), not as Chroma documents:
Chroma builds a trigram full-text index over every document, which qa never queries (its lexical
search is BM25), and that index was 70% of the time of a raw `add` (10k chunks: 15.0 s with
documents, 6.7 s with the same texts in metadata). Stores written with documents still read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from qa.errors import EmbeddingMismatchError, StoreError
from qa.store.records import (  # noqa: F401  (re-exported: the rest of qa imports them from here)
    TEXT_KEY,
    DenseHit,
    PreparedArticle,
    article_from,
    article_meta,
    article_of,
    chroma_where,
    chunk_id,
    chunk_meta,
    day_number,
    info_from,
    mean_vector,
    split_text,
    version_of,
    with_text,
)
from qa.store.safety import StoreSafety
from qa.types import Article, ArticleInfo, Filters

SCHEMA = "1"
# Cosine space; a search list (ef) well above the depth retrieval asks for (20-50), so that on the
# store sizes this tool serves the index returns the true nearest chunks and the same ones every
# run (at Chroma's default of 100, 4 of 2,805 SQuAD questions got other candidates run to run).
HNSW_CONFIGURATION = {"hnsw": {"space": "cosine", "ef_search": 400}}
_PAGE = 1000
# `qa doctor --repair` fills rebuilt collections under this suffix, then swaps them in.
REBUILD_SUFFIX = "__rebuild"


class ArticleStore(StoreSafety):
    def __init__(
        self, client: Any, name: str, embed_model: str, embed_dim: int, where: str, for_repair: bool = False
    ):
        self._client = client
        self.name = name
        self.where = where
        self.embed_model = embed_model
        self.embed_dim = embed_dim
        self._for_repair = for_repair  # `qa doctor` may open a store a stopped repair left half-swapped
        self._chunks = self._open_collection(name)
        self._articles = self._open_collection(f"{name}_articles")
        self._text_cache = lru_cache(maxsize=256)(self._load_text)
        self._seen_stamp: str | None = None  # the stamp last read

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
        token: str | None = None, connect_timeout: float = 30.0, for_repair: bool = False,
    ) -> ArticleStore:
        """The store on a Chroma server (`chroma run`), shared with other app processes."""
        from qa.store.remote import ServerAddress, connect

        address = ServerAddress.parse(url)
        client = connect(address, token, connect_timeout)
        return cls(client, name, embed_model, embed_dim, where=address.url, for_repair=for_repair)

    def _open_collection(self, name: str) -> Any:
        wanted = {"qa_schema": SCHEMA, "qa_embed_model": self.embed_model, "qa_embed_dim": self.embed_dim}
        try:
            collection = self._client.get_collection(name, embedding_function=None)
        except Exception:  # Chroma raises NotFoundError (or ValueError in older releases)
            if not self._for_repair and name + REBUILD_SUFFIX in self.collection_names():
                raise StoreError(
                    f"the store at {self.where} is halfway through a `qa doctor --repair` that was "
                    f"stopped (collection '{name}' was being swapped for its rebuilt copy); run "
                    "`qa doctor --repair` again to finish it (no article is lost)"
                ) from None
            return self._client.create_collection(
                name,
                metadata={**wanted, "qa_stamp": uuid.uuid4().hex},
                configuration=HNSW_CONFIGURATION,
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

    def collection_names(self) -> set[str]:
        """Every collection on the client (Chroma returns names or collection objects by release)."""
        return {c.name if hasattr(c, "name") else str(c) for c in self._client.list_collections()}

    # ----- version stamp: changes on every write, so other readers know to refresh --------
    def stamp(self) -> str:
        meta = self._client.get_collection(self.name, embedding_function=None).metadata or {}
        stamp = str(meta.get("qa_stamp", ""))
        if stamp != self._seen_stamp:  # someone wrote: cached texts may be stale
            self._text_cache.cache_clear()
            self._seen_stamp = stamp
        return stamp

    def _bump_stamp(self) -> None:
        meta = self._fresh_meta()  # not the cached copy: another process may have changed it
        meta["qa_stamp"] = uuid.uuid4().hex
        meta["qa_pending"] = ""  # the write finished: nothing to recover
        self._chunks.modify(metadata=meta)
        self._synced_stamp = meta["qa_stamp"]

    # ----- reading --------------------------------------------------------------------------
    def records(self) -> dict[str, tuple[ArticleInfo, str]]:
        """Every stored article: id -> (info, version)."""
        out: dict[str, tuple[ArticleInfo, str]] = {}
        offset = 0
        while True:
            page = self._articles.get(include=["metadatas"], limit=_PAGE, offset=offset)
            for article_id, meta in zip(page["ids"], page["metadatas"]):
                out[article_id] = (info_from(article_id, meta), str(meta.get("version", "")))
            if len(page["ids"]) < _PAGE:
                return out
            offset += _PAGE

    def stored_articles(self) -> Iterator[tuple[Article, str]]:
        """Every stored article with its text, and its version, page by page."""
        offset = 0
        while True:
            page = self._articles.get(include=["metadatas", "documents"], limit=_PAGE, offset=offset)
            for article_id, document, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                text, meta = split_text(document, meta)
                yield article_from(article_id, text, meta), str(meta.get("version", ""))
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    def records_of(self, article_ids: list[str]) -> dict[str, tuple[ArticleInfo, str] | None]:
        """`record()` for many articles in one call (None for those not stored)."""
        found: dict[str, tuple[ArticleInfo, str] | None] = dict.fromkeys(article_ids)
        page = self._articles.get(ids=list(dict.fromkeys(article_ids)), include=["metadatas"])
        for article_id, meta in zip(page["ids"], page["metadatas"]):
            found[article_id] = (info_from(article_id, meta), str(meta.get("version", "")))
        return found

    def record(self, article_id: str) -> tuple[ArticleInfo, str] | None:
        page = self._articles.get(ids=[article_id], include=["metadatas"])
        if not page["ids"]:
            return None
        return info_from(article_id, page["metadatas"][0]), str(page["metadatas"][0].get("version", ""))

    def article(self, article_id: str) -> Article | None:
        """The stored article with the exact text citations index into."""
        return self._text_cache(article_id)

    def _load_text(self, article_id: str) -> Article | None:
        page = self._articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not page["ids"]:
            return None
        return article_from(article_id, *split_text(page["documents"][0], page["metadatas"][0]))

    def count_chunks(self) -> int:
        return self._chunks.count()

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(chunk id, text, metadata) of every stored chunk, page by page."""
        offset = 0
        while True:
            page = self._chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            for cid, document, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                yield cid, *split_text(document, meta)
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    def chunk_ids(self) -> list[str]:
        """Every stored chunk id (no texts: cheap even for a large store)."""
        out: list[str] = []
        offset = 0
        while True:
            page = self._chunks.get(include=[], limit=10 * _PAGE, offset=offset)
            out += page["ids"]
            if len(page["ids"]) < 10 * _PAGE:
                return out
            offset += 10 * _PAGE

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        if not ids:
            return {}
        page = self._chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: split_text(d, m) for i, d, m in zip(page["ids"], page["documents"], page["metadatas"])}

    def chunks_with_vectors(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any], list[float]]]:
        """(text, metadata, vector) of the given chunks."""
        if not ids:
            return {}
        with self._locked(exclusive=False):
            self._sync()  # vectors other processes added live in their index until we reload
            page = self._chunks.get(ids=list(ids), include=["documents", "metadatas", "embeddings"])
        return {
            i: (*split_text(d, m), v)
            for i, d, m, v in zip(page["ids"], page["documents"], page["metadatas"], page["embeddings"])
        }

    def vectors_by_id(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        page = self._chunks.get(ids=list(ids), include=["embeddings"])
        return {i: list(v) for i, v in zip(page["ids"], page["embeddings"])}

    def dense_query(
        self, vector: list[float], k: int, filters: Filters | None = None, checked: bool = False
    ) -> list[DenseHit]:
        """The k nearest chunks and their cosine similarity (ids and distances only). `checked`:
        the caller read the stamp just now and knows the store holds at least k chunks."""
        if k < 1:
            return []
        with self._locked(exclusive=False):
            self._sync(stamp=self._seen_stamp if checked else None)  # see other processes' vectors
            if not checked and self.count_chunks() == 0:
                return []
            result = self._chunks.query(
                query_embeddings=[vector], n_results=k, where=chroma_where(filters), include=["distances"]
            )
        ids, distances = result["ids"][0], result["distances"][0]
        return [DenseHit(i, 1.0 - float(d)) for i, d in zip(ids, distances)]

    # ----- writing --------------------------------------------------------------------------
    def write(self, items: Sequence[PreparedArticle]) -> None:
        """Store articles together: all of them become visible, or none does."""
        with self._writing([item.article.id for item in items]):
            self._write_items(items)

    def _write_items(self, items: Sequence[PreparedArticle]) -> None:
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
            batch = max(1, self._client.get_max_batch_size())
            for first in range(0, len(new_ids), batch):
                self._chunks.add(
                    ids=new_ids[first : first + batch],
                    metadatas=metas[first : first + batch],
                    embeddings=vectors[first : first + batch],
                )
            self._articles.upsert(  # the commit point: readers now see the new versions
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
