"""Guards for the embedded (on-disk) store: never hang on a locked database, and let several
processes share one store safely.

Measured with chromadb 1.5.9: another process holding the sqlite database in a write transaction
makes `PersistentClient()` wait forever; two processes writing at once lose vectors from the
HNSW index (each process keeps its own in-memory index and saves it over the other's); and a
process that loaded the index before another one wrote never sees the new vectors. So writes
take an exclusive file lock and first reload the index when someone else wrote since (the store
decides that from its version stamp); reloads take a shared lock so they never read a half-saved
index.

A hang inside Chroma cannot be bounded from Python (its Rust code keeps the GIL while it waits,
so even a watchdog thread stops), so the database is probed with sqlite's own busy timeout
before opening and before each write instead.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from qa.errors import StoreError
from qa.store.damage import damaged_database_message

LOCK_NAME = ".qa-store.lock"
_POLL = 0.05


def locked_message(folder: Path, timeout: float) -> str:
    return (
        f"the store at {folder} is locked by another process (waited {timeout:g} s); "
        "wait for that process (another `qa ingest`, `qa serve` or a sqlite tool) to finish or "
        "stop it, or raise QA_STORE_TIMEOUT"
    )


def probe_sqlite(database: Path, timeout: float, folder: Path) -> None:
    """Fail with a StoreError if another process holds the database's write lock for `timeout` s.

    Chroma would wait forever; sqlite's own busy timeout lets us wait a bounded time instead."""
    if not database.exists():
        return
    try:
        con = sqlite3.connect(f"file:{database}?mode=rw", uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error:
        return  # unreadable here: let Chroma report it
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreError(locked_message(folder, timeout)) from None
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        raise StoreError(damaged_database_message(folder, str(exc))) from None
    finally:
        con.close()


class StoreLock:
    """An inter-process lock file beside the Chroma database (flock: released if the holder dies)."""

    def __init__(self, folder: Path, timeout: float):
        self.folder = Path(folder)
        self.timeout = timeout
        self._handle: IO[str] | None = None
        self._depth = 0
        self._mutex = threading.RLock()  # flock is per file handle: threads share ours

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._hold(exclusive=True):
            yield

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._hold(exclusive=False):
            yield

    @contextmanager
    def _hold(self, exclusive: bool) -> Iterator[None]:
        import fcntl

        with self._mutex:
            if self._depth:  # already held by this process (nested call): an upgrade is not needed
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            handle = self._open()
            mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(handle, mode)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreError(locked_message(self.folder, self.timeout)) from None
                    time.sleep(_POLL)
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _open(self) -> IO[str]:
        if self._handle is None:
            try:
                self._handle = open(self.folder / LOCK_NAME, "a+")
            except OSError as exc:
                raise StoreError(
                    f"cannot create the lock file in the store at {self.folder}: "
                    f"{exc.strerror or exc}; set QA_STORE to a writable folder"
                ) from None
        return self._handle
