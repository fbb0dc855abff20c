"""The Chroma side of a store: the client and the store's two collections (its chunks, and one
record per article), checked on opening against the embedding model the store was built with.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from qa.errors import EmbeddingMismatchError, StoreError
from qa.store.records import stale_chunks_where, version_in

SCHEMA = "1"
# The search list (HNSW ef) of the vector index: well above the depth retrieval asks for (20-50),
# so that on the store sizes this tool serves the index returns the true nearest chunks and the
# same ones every run (at Chroma's default of 100, 4 of 2,805 SQuAD questions got other
# candidates run to run).
SEARCH_LIST = 400
HNSW_CONFIGURATION = {"hnsw": {"space": "cosine", "ef_search": SEARCH_LIST}}
# `qa doctor --repair` fills rebuilt collections under this suffix, then swaps them in.
REBUILD_SUFFIX = "__rebuild"
PAGE = 1000  # items per Chroma `get` when reading a whole collection


def pages(collection: Any, include: list[str], size: int = PAGE) -> Iterator[dict[str, Any]]:
    """Every item of a collection, one `get` of `size` items at a time."""
    offset = 0
    while True:
        page = collection.get(include=include, limit=size, offset=offset)
        yield page
        if len(page["ids"]) < size:
            return
        offset += size


class StoreCollections:
    def __init__(
        self, client: Any, name: str, embed_model: str, embed_dim: int, where: str, for_repair: bool = False
    ):
        self.client = client
        self.name = name
        self.articles_name = f"{name}_articles"
        self.embed_model = embed_model
        self.embed_dim = embed_dim
        self.where = where
        self.for_repair = for_repair  # `qa doctor` may open a store a stopped repair left half-swapped
        self.finished_swaps: list[str] = []  # collections whose stopped swap opening finished
        self.chunks = self.open(name)
        self.articles = self.open(self.articles_name)

    def open(self, name: str) -> Any:
        """The collection, created when missing; an error when it was built with another model."""
        wanted = {"qa_schema": SCHEMA, "qa_embed_model": self.embed_model, "qa_embed_dim": self.embed_dim}
        collection = self._existing(name)
        if collection is None and name + REBUILD_SUFFIX in self.names():
            if not self.for_repair:
                raise StoreError(
                    f"the store at {self.where} is halfway through a `qa doctor --repair` that was "
                    f"stopped (collection '{name}' was being swapped for its rebuilt copy); run "
                    "`qa doctor --repair` again to finish it (no article is lost)"
                )
            collection = self._finish_swap(name)
        if collection is None:
            return self.client.create_collection(
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

    def _existing(self, name: str) -> Any | None:
        try:
            return self.client.get_collection(name, embedding_function=None)
        except StoreError:  # a damaged database (qa/store/damage.py), not a missing collection
            raise
        except Exception:  # Chroma raises NotFoundError (or ValueError in older releases)
            return None

    def _finish_swap(self, name: str) -> Any:
        """A repair stopped between dropping a collection and renaming its rebuilt copy: the copy
        was complete (a swap starts only then), so it takes the name. Creating an empty collection
        here instead would let other commands use an empty store."""
        rebuilt = self.client.get_collection(name + REBUILD_SUFFIX, embedding_function=None)
        rebuilt.modify(name=name)
        self.finished_swaps.append(name)
        return self.client.get_collection(name, embedding_function=None)

    def reopen(self, client: Any | None = None) -> None:
        """Open both collections again (on a new client when given): after a reconnect, or after
        `qa doctor --repair` swapped rebuilt collections in under the same names."""
        if client is not None:
            self.client = client
        self.chunks = self.open(self.name)
        self.articles = self.open(self.articles_name)

    def names(self) -> set[str]:
        """Every collection on the client (Chroma returns names or collection objects by release)."""
        return {c.name if hasattr(c, "name") else str(c) for c in self.client.list_collections()}

    # ----- the chunk collection's metadata: version stamp and write journal -------------------
    def metadata(self) -> dict[str, Any]:
        """A fresh copy (not the cached one: another process may have changed it)."""
        return dict(self.client.get_collection(self.name, embedding_function=None).metadata or {})

    def stamp(self) -> str:
        """The version stamp: changes on every write, so other readers know to refresh."""
        return str(self.metadata().get("qa_stamp", ""))

    def drop_stale_chunks(self, article_id: str) -> int:
        """Delete the chunks of `article_id` that are not live; how many."""
        page = self.articles.get(ids=[article_id], include=["metadatas"])
        version = version_in(page["metadatas"][0]) if page["ids"] else None
        stale = self.chunks.get(where=stale_chunks_where(article_id, version), include=[])["ids"]
        if stale:
            self.chunks.delete(ids=stale)
        return len(stale)
