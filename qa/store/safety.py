"""The store's crash safety and sharing between processes: a component each ArticleStore owns.

Embedded stores only (server mode has no lock file or index files here: `local` is None, and
every guard below lets the call through):
- writes hold an inter-process lock and note the articles they write in the collection metadata
  (`qa_pending`), so the next process to open the store finishes a write a kill interrupted;
- before writing or searching, the vector index is reloaded when another process wrote since
  (the version stamp changed): Chroma's in-memory index never sees other processes' vectors;
- index files are never loaded when they changed since qa last knew them good (`check_files`
  runs first), and a write that started from good files notes the files it leaves as good.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext

from qa.store.collections import StoreCollections
from qa.store.local import LocalDatabase


class StoreSafety:
    def __init__(
        self,
        collections: StoreCollections,
        local: LocalDatabase | None,
        read_stamp: Callable[[], str],
        on_reload: Callable[[], None],
    ):
        """`read_stamp`: the store's stamp read (it notes the stamp it saw); `on_reload`: what the
        store must forget when the collections are opened again (its cached texts)."""
        self.collections = collections
        self.local = local
        self._read_stamp = read_stamp
        self._on_reload = on_reload
        self._synced_stamp: str | None = None  # the stamp the loaded vector index is current with
        # Raises when index files that changed since qa last knew them good are damaged (the store
        # sets it to its self-check's file check); a reload runs it before Chroma loads them.
        self.check_files: Callable[[], None] = lambda: None

    @property
    def embedded(self) -> bool:
        return self.local is not None

    def locked(self, exclusive: bool) -> AbstractContextManager[None]:
        if self.local is None:
            return nullcontext()
        return self.local.lock.exclusive() if exclusive else self.local.lock.shared()

    def ensure_available(self) -> None:
        """A StoreError within the timeout if another process holds the database: any Chroma call
        would wait forever then (reads too)."""
        if self.local is not None:
            self.local.probe()

    # ----- keeping the loaded vector index current ------------------------------------------
    def mark_synced(self, stamp: str) -> None:
        """The collections were just opened at `stamp`."""
        self._synced_stamp = stamp

    def invalidate(self) -> None:
        """Make the next `sync` load a fresh client whatever the stamp says."""
        self._synced_stamp = None

    def sync(self, stamp: str | None = None) -> None:
        """Reload Chroma's in-memory vector index if another process wrote since we last looked
        (call with the lock held): its index never sees their vectors, and writing through it
        would save it over theirs. `stamp`: the one the caller read just now."""
        if self.local is None:
            return
        stamp = stamp or self._read_stamp()
        if stamp == self._synced_stamp:
            return
        self.ensure_available()
        self.check_files()
        self.local.forget_cached_client()
        self.collections.reopen(self.local.connect())
        self._on_reload()
        self._synced_stamp = stamp

    def reattach(self) -> None:
        """Open the collections again on the same client (a repair renamed them)."""
        self.collections.reopen()
        self._on_reload()

    def reload(self) -> None:
        """Open the collections again after a repair swapped them: embedded stores on a fresh
        client (the cached one holds the old index), server stores on the same one."""
        if self.local is None:
            self.reattach()
            return
        self.invalidate()
        self.sync()

    # ----- writing ------------------------------------------------------------------------------
    @contextmanager
    def writing(self, article_ids: Sequence[str]) -> Iterator[None]:
        """Hold the write lock, note which articles are being written (so a killed write can be
        finished by the next process), and clear the note with the new stamp at the end."""
        with self.locked(exclusive=True), self._noting_files():
            self.sync()
            if self.local is not None:
                self.ensure_available()  # a foreign process holding the database would hang Chroma's write
                self._recover_pending()
                meta = self.collections.metadata()
                meta["qa_pending"] = json.dumps(sorted(set(article_ids)))
                self.collections.chunks.modify(metadata=meta)
            yield
            self.bump_stamp()

    @contextmanager
    def _noting_files(self) -> Iterator[None]:
        """Around a write under the lock: when the index files were known good before it, the
        files this process's Chroma leaves are good too; note them, so the next open (and other
        processes' reloads) need not check them (one stat per file)."""
        trusted = self.local is not None and self.local.index_unchanged()
        try:
            yield
        finally:
            if trusted and self.local is not None:
                self.local.note_verified()

    def bump_stamp(self) -> None:
        """A new version stamp (so other readers refresh) and an empty write journal."""
        meta = self.collections.metadata()
        meta["qa_stamp"] = uuid.uuid4().hex
        meta["qa_pending"] = ""  # the write finished: nothing to recover
        self.collections.chunks.modify(metadata=meta)
        self._synced_stamp = meta["qa_stamp"]

    def recover(self) -> list[str]:
        """Finish a write that a killed process left half done; the ids of the articles tidied."""
        if self.local is None:  # server mode: other clients may be writing; `qa doctor` tidies
            return []
        with self.locked(exclusive=True):
            self.sync()
            with self._noting_files():
                return self._recover_pending()

    def _recover_pending(self) -> list[str]:
        pending = json.loads(self.collections.metadata().get("qa_pending") or "[]")
        for article_id in pending:
            self.collections.drop_stale_chunks(article_id)
        if pending:
            self.bump_stamp()
        return list(pending)
