"""The embedded store's folder: Chroma's files, the lock that guards them, how to connect, and
the marks qa keeps beside them (which processes use the store, which index files passed the
self-check). Server mode has none of this.
"""

from __future__ import annotations

import atexit
import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.store.damage import connect_checked
from qa.store.guard import StoreLock, probe_sqlite
from qa.store.hnsw_files import SAVED_MARK

VERIFIED_NAME = ".qa-verified.json"


@dataclass(frozen=True)
class LocalDatabase:
    folder: Path
    lock: StoreLock

    @property
    def chroma_folder(self) -> Path:
        return self.folder / "chroma"

    @property
    def sqlite_file(self) -> Path:
        return self.chroma_folder / "chroma.sqlite3"

    def connect(self) -> Any:
        """A Chroma client whose failures that a damaged database explains say so (qa/store/damage.py)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return connect_checked(
            lambda: chromadb.PersistentClient(
                path=str(self.chroma_folder), settings=ChromaSettings(anonymized_telemetry=False)
            ),
            self.sqlite_file,
            self.folder,
        )

    def probe(self) -> None:
        """A StoreError within the lock's timeout if another process holds the database (Chroma
        would wait forever then, reads too). Cheap: one sqlite lock attempt."""
        probe_sqlite(self.sqlite_file, self.lock.timeout, self.folder)

    def forget_cached_client(self) -> None:
        """Chroma shares one client per path within a process and never rereads the vector index
        from disk: drop it so the next client loads what other processes wrote. Stores still using
        the old one keep it (it is not stopped) until they reload themselves."""
        forget_chroma_client(str(self.chroma_folder))

    # ----- marks beside the database ----------------------------------------------------------
    def index_signature(self) -> dict[str, list[int]]:
        """Size, modification time, change time and inode of every saved vector index file (the
        folders inside chroma/; the sqlite database changes on every open). Any write to a file
        moves its change time, which no tool can set back (restoring the modification time moves
        it too), so damage that keeps size and modification time still shows; a copied store
        shows as changed once. One stat per file: about 0.3 ms for a store's 10 files.

        Only folders holding a saved index count (SAVED_MARK): below its sync threshold Chroma
        keeps the index in its log, rewrites empty files in every process that loads it, and
        never reads them back."""
        signature: dict[str, list[int]] = {}
        try:
            with os.scandir(self.chroma_folder) as top:
                folders = sorted(e.name for e in top if e.is_dir() and os.path.exists(os.path.join(e.path, SAVED_MARK)))
            for folder in folders:
                with os.scandir(self.chroma_folder / folder) as files:
                    for entry in files:
                        if entry.is_file():
                            st = entry.stat()
                            signature[f"{folder}/{entry.name}"] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        except OSError:
            return {}
        return signature

    def verified_signature(self) -> dict[str, list[int]] | None:
        try:
            return json.loads((self.folder / VERIFIED_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def index_unchanged(self) -> bool:
        """True when the vector index files are exactly as qa last knew them good (after a check,
        or after a write of its own that started from good files)."""
        return self.index_signature() == self.verified_signature()

    def note_verified(self) -> None:
        """Remember the index files as good: the next open skips every check while they are
        unchanged (the check cost 0.5 s of a 100k-chunk store's cold start, and a check in a
        child process, needed when they changed, about 2 s)."""
        target = self.folder / VERIFIED_NAME
        try:
            scratch = target.with_name(f"{VERIFIED_NAME}.{os.getpid()}")
            scratch.write_text(json.dumps(self.index_signature()), encoding="utf-8")
            os.replace(scratch, target)  # whole or not at all: a reader never sees half a record
        except OSError:  # a read-only store: check on every open
            pass

    def forget_verified(self) -> None:
        """The index files are no longer known good (a check found them damaged)."""
        try:
            (self.folder / VERIFIED_NAME).unlink(missing_ok=True)
        except OSError:
            pass

    def vector_folders(self, collections: Sequence[str]) -> list[Path]:
        """The index folders of the named collections, read from sqlite (Chroma is not asked: it
        would load the index)."""
        con = sqlite3.connect(f"file:{self.sqlite_file}?mode=ro", uri=True, timeout=self.lock.timeout)
        try:
            marks = ",".join("?" * len(collections))
            rows = con.execute(
                "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
                f"WHERE s.scope = 'VECTOR' AND c.name IN ({marks})", tuple(collections),
            ).fetchall()
        finally:
            con.close()
        return [self.chroma_folder / str(row[0]) for row in rows]

    def note_user(self) -> bool:
        """Mark the store as used by this process (the mark goes at a normal exit); True when a
        mark of a process that is gone without removing it is found, i.e. one was killed."""
        crashed = False
        for mark in self.folder.glob(".qa-user-*"):
            try:
                pid = int(mark.name.rsplit("-", 1)[1])
                os.kill(pid, 0)
            except (ValueError, ProcessLookupError):
                crashed = True
                mark.unlink(missing_ok=True)
            except OSError:  # alive, owned by another user
                pass
        mine = self.folder / f".qa-user-{os.getpid()}"
        if not mine.exists():
            try:
                mine.touch()
                atexit.register(mine.unlink, missing_ok=True)
            except OSError:  # a read-only store: no mark, no crash detection for this process
                pass
        return crashed


def forget_chroma_client(identifier: str) -> None:
    """Drop Chroma's cached client for a path. Chroma has no public call for this: it keeps the
    cache in class attributes of SharedSystemClient (chromadb 1.5.9); this is the only place qa
    touches them."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(identifier, None)
    SharedSystemClient._identifier_to_refcount.pop(identifier, None)
