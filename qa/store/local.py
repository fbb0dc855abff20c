"""The embedded store's folder: Chroma's files, the lock that guards them, how to connect, and
the marks qa keeps beside them (which processes use the store, which index files passed the
self-check). Server mode has none of this.
"""

from __future__ import annotations

import atexit
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.store.guard import StoreLock, probe_sqlite

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
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return chromadb.PersistentClient(
            path=str(self.chroma_folder), settings=ChromaSettings(anonymized_telemetry=False)
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
        """Size and modification time of every vector index file (the folders inside chroma/; the
        sqlite database changes on every open). Deleting or damaging a file changes it."""
        root = self.chroma_folder
        try:
            stats = {str(p.relative_to(root)): p.stat() for p in sorted(root.glob("*/*")) if p.is_file()}
            return {name: [st.st_size, st.st_mtime_ns] for name, st in stats.items()}
        except OSError:
            return {}

    def verified_signature(self) -> dict[str, list[int]] | None:
        try:
            return json.loads((self.folder / VERIFIED_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def note_verified(self) -> None:
        """Remember the index files that just passed the self-check: the next open skips the check
        while they are unchanged (it cost 0.5 s of a 100k-chunk store's cold start)."""
        try:
            (self.folder / VERIFIED_NAME).write_text(json.dumps(self.index_signature()), encoding="utf-8")
        except OSError:  # a read-only store: check on every open
            pass

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
