"""What `qa doctor` does to a store beyond reading and writing articles: read every stored item
even when Chroma cannot read its vector index, check the sqlite database, find index folders no
collection uses, read and raise the vector search list, and rebuild the collections from stored
texts (filled under REBUILD_SUFFIX, then swapped in, so a killed repair loses nothing).

The doctor decides what to check and repair (qa/doctor/); this module knows how Chroma keeps it.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from qa.errors import StoreError
from qa.store.collections import HNSW_CONFIGURATION, PAGE, REBUILD_SUFFIX, StoreCollections, pages
from qa.store.local import LocalDatabase
from qa.store.records import split_text, with_text
from qa.store.safety import StoreSafety

StoredItem = tuple[str, str, dict[str, Any]]  # (id, text, metadata without the text)


def drop_collection(client: Any, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # not there: nothing to drop
        pass


class StoreMaintenance:
    def __init__(self, collections: StoreCollections, safety: StoreSafety):
        self._collections = collections
        self._safety = safety

    @property
    def embedded(self) -> bool:
        return self._safety.embedded

    def exclusive(self) -> AbstractContextManager[None]:
        """The store's write lock (other qa processes wait) for the length of a repair."""
        return self._safety.locked(exclusive=True)

    # ----- reading what is stored, even when Chroma cannot read its index --------------------
    def raw_chunks(self) -> Iterator[StoredItem]:
        return self._read(self._collections.name)

    def raw_articles(self) -> Iterator[StoredItem]:
        return self._read(self._collections.articles_name)

    def _read(self, name: str) -> Iterator[StoredItem]:
        """Embedded stores are read straight from sqlite: Chroma fails on every call once an index
        file is damaged, but the texts are all there."""
        if self._safety.local is None:
            collection = self._collections.client.get_collection(name, embedding_function=None)
            for page in pages(collection, ["documents", "metadatas"], PAGE):
                for item_id, document, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                    yield item_id, *split_text(document, meta)
            return
        con = self._read_only()
        try:
            rows = con.execute(
                "SELECT e.embedding_id, m.key, m.string_value, m.int_value, m.float_value, m.bool_value "
                "FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                "JOIN collections c ON s.collection = c.id "
                "LEFT JOIN embedding_metadata m ON m.id = e.id "
                "WHERE c.name = ? AND s.scope = 'METADATA' ORDER BY e.id",
                (name,),
            ).fetchall()
        finally:
            con.close()
        items: dict[str, tuple[list[str], dict[str, Any]]] = {}
        for item_id, key, text, number, real, flag in rows:
            document, meta = items.setdefault(item_id, ([""], {}))
            if key == "chroma:document":
                document[0] = text or ""
            elif key is not None:
                meta[key] = (
                    text if text is not None else number if number is not None else real if real is not None
                    else bool(flag)
                )
        for item_id, (document, meta) in items.items():
            yield item_id, *split_text(document[0], meta)

    def _local(self) -> LocalDatabase:
        if self._safety.local is None:
            raise StoreError(f"the store at {self._collections.where} is on a server: it has no local files")
        return self._safety.local

    def _read_only(self) -> sqlite3.Connection:
        local = self._local()
        return sqlite3.connect(f"file:{local.sqlite_file}?mode=ro", uri=True, timeout=local.lock.timeout)

    def quick_check(self) -> list[str]:
        """sqlite's own integrity check of an embedded store (["ok"] when sound); sqlite3.Error
        when the database cannot be checked."""
        con = self._read_only()
        try:
            return [row[0] for row in con.execute("PRAGMA quick_check").fetchall()]
        finally:
            con.close()

    def stray_index_folders(self) -> list[Path]:
        """Vector index folders of an embedded store that no collection uses (left by rebuilds)."""
        con = self._read_only()
        try:
            rows = con.execute(
                "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id WHERE s.scope = 'VECTOR'"
            ).fetchall()
        finally:
            con.close()
        known = {row[0] for row in rows}
        root = self._local().chroma_folder
        return sorted(p for p in root.iterdir() if p.is_dir() and _looks_like_uuid(p.name) and p.name not in known)

    # ----- the vector search list ----------------------------------------------------------------
    def search_list(self) -> int | None:
        """How many candidates the vector index searches per query (its HNSW ef), as Chroma reports it."""
        collection = self._collections.client.get_collection(self._collections.name, embedding_function=None)
        config = getattr(collection, "configuration", None)
        value = ((config or {}).get("hnsw") or {}).get("ef_search") if isinstance(config, dict) else None
        return int(value) if value is not None else None

    def set_search_list(self, ef_search: int) -> None:
        """A setting only: the chunks and their vectors stay as they are."""
        self._collections.chunks.modify(configuration={"hnsw": {"ef_search": ef_search}})

    # ----- rebuilding the collections --------------------------------------------------------
    def start_rebuild(self) -> Rebuild:
        return Rebuild(self._collections, self._safety)

    def finish_interrupted_rebuild(self) -> list[str]:
        """A repair killed during the swap: rename the rebuilt collection it left; drop half-built
        ones. The names of the collections whose swap was finished.

        Killed between dropping the old collection and renaming the rebuilt one, the store holds
        only the rebuilt copy, and opening the store since (this doctor run included) made an empty
        collection under the old name. That empty one goes, and the full copy takes its name."""
        finished = []
        client = self._collections.client
        names = self._collections.names()
        for name in (self._collections.name, self._collections.articles_name):
            if name + REBUILD_SUFFIX not in names:
                continue
            rebuilt = client.get_collection(name + REBUILD_SUFFIX, embedding_function=None)
            if name in names and client.get_collection(name, embedding_function=None).count() == 0 < rebuilt.count():
                drop_collection(client, name)
                names.discard(name)
            if name in names:  # the old collection is whole: the rebuilt one was still being filled
                drop_collection(client, name + REBUILD_SUFFIX)
            else:
                rebuilt.modify(name=name)
                finished.append(name)
        if finished:
            self._safety.reattach()
        return finished

    # ----- seams for tests that simulate damage a crash or an older qa leaves ----------------
    @property
    def chunk_collection(self) -> Any:
        """The raw Chroma collection of chunks (writes to it bypass every guard of the store)."""
        return self._collections.chunks

    @property
    def article_collection(self) -> Any:
        return self._collections.articles

    def collection_metadata(self) -> dict[str, Any]:
        return self._collections.metadata()

    def bump_stamp(self) -> None:
        """Tell every reader (this process and others) that the store changed."""
        self._safety.bump_stamp()


class Rebuild:
    """Fresh copies of the store's collections, filled by the caller and then swapped in: until
    `swap_in` the old collections stay the store."""

    def __init__(self, collections: StoreCollections, safety: StoreSafety):
        self._collections = collections
        self._safety = safety
        self._client = client = collections.client
        self.batch_size = max(1, client.get_max_batch_size())
        self._targets: dict[str, Any] = {}
        for name in (collections.name, collections.articles_name):
            meta = dict(client.get_collection(name, embedding_function=None).metadata or {})
            meta.update(qa_stamp=uuid.uuid4().hex, qa_pending="")
            drop_collection(client, name + REBUILD_SUFFIX)
            self._targets[name] = client.create_collection(
                name + REBUILD_SUFFIX, metadata=meta, configuration=HNSW_CONFIGURATION,
                embedding_function=None,
            )

    def add_chunks(self, ids: Sequence[str], texts: Sequence[str], metas: Sequence[dict], vectors: Sequence) -> None:
        self._add(self._collections.name, ids, texts, metas, vectors)

    def add_articles(self, ids: Sequence[str], texts: Sequence[str], metas: Sequence[dict], vectors: Sequence) -> None:
        self._add(self._collections.articles_name, ids, texts, metas, vectors)

    def _add(self, name: str, ids: Sequence[str], texts: Sequence[str], metas: Sequence[dict], vectors: Sequence) -> None:
        self._targets[name].add(
            ids=list(ids), metadatas=[with_text(m, t) for m, t in zip(metas, texts)], embeddings=list(vectors)
        )

    def swap_in(self) -> None:
        """From here on the rebuilt collections are the store (each old one is dropped just before
        its copy takes its name: a kill in between is finished by `finish_interrupted_rebuild`)."""
        for name in self._targets:
            drop_collection(self._client, name)
            self._client.get_collection(name + REBUILD_SUFFIX, embedding_function=None).modify(name=name)
        self._safety.reload()


def _looks_like_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
        return True
    except ValueError:
        return False
