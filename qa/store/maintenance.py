"""What `qa doctor` does to a store beyond reading and writing articles: read every stored item
even when Chroma cannot read its vector index, find index folders no collection uses, read and
raise the vector search list, and rebuild the collections from stored texts (filled under
REBUILD_SUFFIX, then swapped in, so a killed repair loses nothing and can be run again).

The doctor decides what to check and repair (qa/doctor/); this module knows how Chroma keeps it.
"""

from __future__ import annotations

import os
import signal
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
# A test seam: `qa doctor --repair` SIGKILLs itself at the named step of a rebuild (see
# `kill_point`), so tests can stop a repair exactly where a power cut could.
KILL_AT = "QA_TEST_KILL_AT"


def kill_point(step: str) -> None:
    """Die here, as a power cut would, when the environment names this step."""
    if os.environ.get(KILL_AT) == step:
        os.kill(os.getpid(), signal.SIGKILL)


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
        """A repair killed before or during the swap: the names of the collections whose swap is
        now finished. Never reads the old collections through Chroma (their index may be the
        damage being repaired: loading it can fail or crash).

        - Killed between dropping a collection and renaming its rebuilt copy: opening the store
          for the doctor already renamed the copy (`StoreCollections.open`).
        - Killed before the swap: the old collection is still the store; the rebuilt copy (maybe
          half filled) goes, and the repair starts over.
        - A stopped repair of an older qa, whose doctor then made an empty collection under the
          old name: that empty one goes, and the full copy takes its name."""
        finished = list(self._collections.finished_swaps)
        self._collections.finished_swaps.clear()
        client = self._collections.client
        names = self._collections.names()
        renamed = False
        for name in (self._collections.name, self._collections.articles_name):
            if name + REBUILD_SUFFIX not in names:
                continue
            if self.stored_count(name) == 0 < self.stored_count(name + REBUILD_SUFFIX):
                drop_collection(client, name)
                client.get_collection(name + REBUILD_SUFFIX, embedding_function=None).modify(name=name)
                finished.append(name)
                renamed = True
            else:
                drop_collection(client, name + REBUILD_SUFFIX)
        if renamed:
            self._safety.reattach()
        return finished

    def stored_count(self, name: str) -> int:
        """How many items the named collection holds: counted in sqlite for an embedded store
        (Chroma's `count()` loads the collection's vector index first)."""
        if self._safety.local is None:
            return int(self._collections.client.get_collection(name, embedding_function=None).count())
        con = self._read_only()
        try:
            (count,) = con.execute(
                "SELECT COUNT(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                "JOIN collections c ON s.collection = c.id WHERE c.name = ? AND s.scope = 'METADATA'",
                (name,),
            ).fetchone()
        finally:
            con.close()
        return int(count)

    def note_index_good(self) -> None:
        """The index files as they are now are good (a repair just rebuilt or checked them)."""
        if self._safety.local is not None:
            self._safety.local.note_verified()

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
        kill_point("rebuild-created")

    def add_chunks(self, ids: Sequence[str], texts: Sequence[str], metas: Sequence[dict], vectors: Sequence) -> None:
        self._add(self._collections.name, ids, texts, metas, vectors)

    def add_articles(self, ids: Sequence[str], texts: Sequence[str], metas: Sequence[dict], vectors: Sequence) -> None:
        self._add(self._collections.articles_name, ids, texts, metas, vectors)

    def _add(self, name: str, ids: Sequence[str], texts: Sequence[str], metas: Sequence[dict], vectors: Sequence) -> None:
        self._targets[name].add(
            ids=list(ids), metadatas=[with_text(m, t) for m, t in zip(metas, texts)], embeddings=list(vectors)
        )
        kill_point(f"rebuild-adding-{name}")  # after each batch added

    def swap_in(self) -> None:
        """From here on the rebuilt collections are the store (each old one is dropped just before
        its copy takes its name: a kill in between is finished when the doctor next opens the
        store, see `StoreCollections.open`)."""
        for name in self._targets:
            drop_collection(self._client, name)
            kill_point(f"swap-dropped-{name}")
            self._client.get_collection(name + REBUILD_SUFFIX, embedding_function=None).modify(name=name)
            kill_point(f"swap-renamed-{name}")
        if self._safety.local is not None:  # this process's Chroma just wrote the new index files
            self._safety.local.note_verified()
        self._safety.reload()
        kill_point("swapped")


def _looks_like_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
        return True
    except ValueError:
        return False
