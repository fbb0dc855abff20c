"""The store's crash safety, self-check and sharing between processes (a mixin of ArticleStore).

Embedded stores only (server mode has no lock file or index files here; its guard is None):
- writes hold an inter-process lock and note the articles they write in the collection metadata
  (`qa_pending`), so the next process to open the store finishes a write a kill interrupted;
- before writing or searching, the vector index is reloaded when another process wrote since
  (the version stamp changed): Chroma's in-memory index never sees other processes' vectors;
- a self-check (stored chunks must come back for their own vectors) finds deleted or damaged
  HNSW files, which otherwise give wrong results silently.
"""

from __future__ import annotations

import atexit
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.errors import StoreError
from qa.store.guard import StoreLock, probe_sqlite

if TYPE_CHECKING:
    from qa.store.chroma import ArticleStore


class StoreSafety:
    # Set by _open_guarded for embedded stores: the inter-process lock and how to reconnect.
    _guard: StoreLock | None = None
    _reconnect: Callable[[], Any] | None = None
    _synced_stamp: str | None = None
    recovered_on_open: list[str] = []  # articles whose half-done write opening finished

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
                store = cls(connect(), name, embed_model, embed_dim, where=str(folder), for_repair=not verify)
            except OSError as exc:
                raise StoreError(
                    f"cannot open the store at {folder}: {exc.strerror or exc}; "
                    "set QA_STORE to a writable folder"
                ) from None
            store._guard, store._reconnect = guard, connect
            store._synced_stamp = store.stamp()
            crashed = _note_user(folder)
            if verify:  # `qa doctor` opens without it: it checks and recovers itself
                checked = crashed or _index_signature(folder) != _verified_signature(folder)
                if checked:
                    store.verify_index()
                store.recovered_on_open = store.recover()
                # A process killed while using the store (even in Chroma's own index upkeep
                # during a read) can leave broken index files: then check every chunk.
                if store.recovered_on_open or crashed:
                    store.verify_index(full=True)
                    checked = True
                if checked:  # only once every check passed: the crash mark is gone by now
                    _note_verified(folder)
        return store

    def verify_index(self, full: bool = False) -> None:
        """StoreError (saying how to rebuild) when the self-check finds a damaged index: the cheap
        one (three chunks), or `full` (every chunk, or an even sample of 2,000)."""
        problems = self.index_problems()
        if full and not problems:
            lost = self.lost_vectors()
            if len(lost) > tolerated_misses(min(self.count_chunks(), 2000)):
                problems = [f"{len(lost)} chunks are not found by their own vectors (e.g. {lost[0]})"]
        if problems:
            raise StoreError(
                f"the vector index of the store at {self.where} (collection '{self.name}') is damaged "
                f"or missing: {problems[0]}; run `qa doctor --repair` to rebuild it from the stored "
                "chunk texts (no article is lost)"
            )

    def index_problems(self, sample: int = 3) -> list[str]:
        """Self-check: `sample` stored chunks (first, middle, last) must come back first when the
        index is searched with their own vectors. Missing or damaged HNSW files otherwise give
        wrong results silently (or Chroma errors on every call). One miss alone proves nothing
        (search is approximate, see `tolerated_misses`), so a miss widens the check to a sample
        of 200 chunks, judged by the same tolerance as the full check."""
        try:
            self._articles.count()
            total = self._chunks.count()
            if total == 0:
                return []
            step = max(1, (total - 1) // max(1, sample - 1))
            offsets = sorted({min(total - 1, i * step) for i in range(sample)})
            problems = [p for offset in offsets if (p := self._self_check_at(offset, total))]
            if problems:
                lost = self.lost_vectors(limit=200)
                if len(lost) <= tolerated_misses(min(total, 200)):
                    return []
                problems.append(f"{len(lost)} of about {min(total, 200)} sampled chunks are missed too")
            return problems
        except Exception as exc:  # Chroma raises InternalError for index files it cannot read
            return [f"Chroma cannot read it ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"]

    def lost_vectors(self, limit: int = 2000) -> list[str]:
        """Chunks (an even sample of at most `limit`) that a search with their own vector misses.

        Measured with chromadb 1.5.9: right after a client loads a store, a search can miss a
        chunk or two that the next client finds, so misses are confirmed with a fresh client."""
        ids = [cid for cid, _, _ in self.iter_chunks()]
        lost = self._missed(ids[:: max(1, len(ids) // limit)])
        if lost and self._reconnect is not None:
            time.sleep(0.5)
            self._synced_stamp = None  # forces _sync to load a fresh client
            lost = self._missed(lost)
        return lost

    def _missed(self, ids: list[str]) -> list[str]:
        lost: list[str] = []
        for first in range(0, len(ids), 500):
            part = ids[first : first + 500]
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

    def _sync(self, stamp: str | None = None) -> None:
        """Reload Chroma's in-memory vector index if another process wrote since we last looked
        (call with the lock held): its index never sees their vectors, and writing through it
        would save it over theirs. `stamp`: the one the caller read just now."""
        if self._reconnect is None:
            return
        stamp = stamp or self.stamp()
        if stamp == self._synced_stamp:
            return
        self.ensure_available()
        _forget_cached_client(Path(self.where))
        self._client = self._reconnect()
        self._chunks = self._open_collection(self.name)
        self._articles = self._open_collection(f"{self.name}_articles")
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


VERIFIED_NAME = ".qa-verified.json"


def _index_signature(folder: Path) -> dict[str, list[int]]:
    """Size and modification time of every vector index file (the folders inside chroma/; the
    sqlite database changes on every open). Deleting or damaging a file changes it."""
    root = folder / "chroma"
    try:
        stats = {str(path.relative_to(root)): path.stat() for path in sorted(root.glob("*/*")) if path.is_file()}
        return {name: [st.st_size, st.st_mtime_ns] for name, st in stats.items()}
    except OSError:
        return {}


def _verified_signature(folder: Path) -> dict[str, list[int]] | None:
    try:
        return json.loads((folder / VERIFIED_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _note_verified(folder: Path) -> None:
    """Remember the index files that just passed the self-check: the next open skips the check
    while they are unchanged (it cost 0.5 s of a 100k-chunk store's cold start)."""
    try:
        (folder / VERIFIED_NAME).write_text(json.dumps(_index_signature(folder)), encoding="utf-8")
    except OSError:  # a read-only store: check on every open
        pass


def _forget_cached_client(folder: Path) -> None:
    """Chroma shares one client per path within a process and never rereads the vector index
    from disk: drop it so the next client loads what other processes wrote. Stores still using
    the old one keep it (it is not stopped) until they reload themselves."""
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = str(folder / "chroma")
    SharedSystemClient._identifier_to_system.pop(identifier, None)
    SharedSystemClient._identifier_to_refcount.pop(identifier, None)


def tolerated_misses(checked: int) -> int:
    """How many of `checked` chunks the self-check may miss before calling the index damaged.

    HNSW search is approximate, and Chroma's index (chromadb 1.5.9) loses reach as articles are
    replaced (deleted vectors stay in its graph): measured here, a freshly built index misses
    about one exact self-match in 700; after rounds of replacing a quarter of 300 articles, 1 to
    7 of about 700 chunks (up to 1.0 %), a different few each time a client loads it, also with
    a search restricted to the chunk's own id. Deleted or damaged index files show up as errors
    or as most chunks missing. `qa doctor --repair` rebuilds a worn index too."""
    return max(1, checked // 50)


def _note_user(folder: Path) -> bool:
    """Mark the store as used by this process (the mark goes at a normal exit); True when a
    mark of a process that is gone without removing it is found, i.e. one was killed."""
    crashed = False
    for mark in folder.glob(".qa-user-*"):
        try:
            pid = int(mark.name.rsplit("-", 1)[1])
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            crashed = True
            mark.unlink(missing_ok=True)
        except OSError:  # alive, owned by another user
            pass
    mine = folder / f".qa-user-{os.getpid()}"
    if not mine.exists():
        try:
            mine.touch()
            atexit.register(mine.unlink, missing_ok=True)
        except OSError:  # a read-only store: no mark, no crash detection for this process
            pass
    return crashed
