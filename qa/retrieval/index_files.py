"""The folder where retrieval keeps its index beside the store (one per collection): the BM25
arrays, the term numbering, every chunk's token ids, and the local copy, all saved at one store
stamp. Saves go into a temporary folder that is swapped in whole, so readers never see half an
index; a lock file lets several processes on one machine share the folder.

Answers quote the local copy's texts, so a damaged file there would give wrong answers that look
verified. Every save records a checksum of each file (CHECKSUMS_FILE) and the files' status
(size, modification and change time, inode); a load trusts files whose status is unchanged (a
write moves the change time, which no tool can set back) and checks the checksums of the others.
A mismatch makes the load fail, and the index is rebuilt from the store.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.retrieval.bm25 import BM25
from qa.retrieval.lexical import VOCABULARY_FILE
from qa.retrieval.local_copy import LocalCopy
from qa.settings import Settings

MANIFEST_FILE = "chunks.json"  # the store stamp, and the chunk ids (with article ids and days) in row order
TOKENS_FILE = "tokens.npz"
CHECKSUMS_FILE = "checksums.json"  # every other file's checksum, and its status when last checked


def index_folder(settings: Settings) -> Path:
    """Where the index of the configured collection lives (beside an embedded store)."""
    return Path(settings.store).expanduser() / "bm25" / settings.collection


@contextmanager
def locked(folder: Path, exclusive: bool) -> Iterator[None]:
    """Several processes on one machine can share the folder (e.g. app processes using one
    Chroma server): saves are exclusive, loads shared, so no one reads a swapped-out index."""
    try:
        import fcntl

        folder.parent.mkdir(parents=True, exist_ok=True)
        handle = open(folder.parent / f".{folder.name}.lock", "a+")
    except (ImportError, OSError):  # no flock (Windows) or a read-only folder: no sharing
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield


def _checksum(path: Path) -> str:
    """CRC-32 (zlib): it catches accidental damage, and is the fastest checksum at hand here
    (measured: about 3x blake2b)."""
    crc = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return f"{crc:08x}"


def _status(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _record_checksums(folder: Path) -> None:
    files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name != CHECKSUMS_FILE)
    record = {"checksums": {n: _checksum(folder / n) for n in files}, "seen": {n: _status(folder / n) for n in files}}
    (folder / CHECKSUMS_FILE).write_text(json.dumps(record), encoding="utf-8")


def has_checksums(folder: Path) -> bool:
    """False for a folder saved by a qa before checksums (it is rebuilt on its next load)."""
    return (folder / CHECKSUMS_FILE).is_file()


def damage(folder: Path, full: bool = False) -> str:
    """What is wrong with the saved files ("" when nothing): a file missing, or one whose
    checksum differs from the one recorded when it was saved. Files whose status is unchanged
    since they were last checked are trusted (one stat each) unless `full`."""
    try:
        record = json.loads((folder / CHECKSUMS_FILE).read_text(encoding="utf-8"))
        sums, seen = record["checksums"], record["seen"]
        if not full and all(_status(folder / name) == status for name, status in seen.items()):
            return ""
        for name, expected in sums.items():
            if _checksum(folder / name) != expected:
                return f"{name} changed since it was saved (its checksum differs)"
    except FileNotFoundError as exc:
        return f"{Path(str(exc.filename)).name} is missing"
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return f"its checksums cannot be read ({exc})"
    try:  # sound: trust the files as they are now (a copied folder is read once, not every time)
        scratch = folder / f".{CHECKSUMS_FILE}.{os.getpid()}"
        scratch.write_text(json.dumps({**record, "seen": {n: _status(folder / n) for n in sums}}), encoding="utf-8")
        os.replace(scratch, folder / CHECKSUMS_FILE)
    except OSError:  # read-only: checked again next time
        pass
    return ""


def read_manifest(folder: Path) -> dict[str, Any]:
    """The saved index's stamp and chunk ids (OSError or ValueError when there is none)."""
    return json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class SavedIndex:
    ids: list[str]
    article_ids: list[str]
    days: list[int]
    bm25: BM25 | None
    copy: LocalCopy
    words: list[str]  # the term numbering its token ids use


def load(folder: Path, stamp: str) -> SavedIndex | None:
    """The index saved at `stamp`, memory-mapped; None when it is missing, incomplete or older."""
    with locked(folder, exclusive=False):
        try:
            meta = read_manifest(folder)
            if meta.get("stamp") != stamp or damage(folder):
                return None
            bm25 = BM25.load(folder, len(meta["ids"])) if meta["ids"] else None
            copy = LocalCopy.open(folder, meta["ids"], stamp)
            words = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
            if copy is None or (bm25 is not None and len(bm25.starts) != len(words) + 1):
                return None
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            return None
    return SavedIndex(meta["ids"], meta["article_ids"], meta["days"], bm25, copy, words)


def load_tokens(folder: Path) -> tuple[list[str], LocalCopy, list[str], np.ndarray, np.ndarray] | None:
    """(chunk ids, local copy, term numbering, every chunk's token ids one after another, tokens
    per chunk) of the saved index, whatever its stamp; None when it is missing or incomplete."""
    try:
        with locked(folder, exclusive=False):  # files of one save, never of two
            meta = read_manifest(folder)
            if damage(folder):  # its texts and vectors would be reused: never damaged ones
                return None
            ids = meta["ids"]
            copy = LocalCopy.open(folder, ids, meta["stamp"])
            words = json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8"))
            with np.load(folder / TOKENS_FILE) as saved:
                flat, lengths = saved["tokens"], saved["lengths"]
        if copy is None or len(lengths) != len(ids) or (len(flat) and int(flat.max()) >= len(words)):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return ids, copy, words, flat, lengths


def save(
    folder: Path, stamp: str, bm25: BM25 | None, ids: list, article_ids: list, days: list, words: list[str],
    flat: np.ndarray, lengths: np.ndarray, copy: LocalCopy,
) -> LocalCopy | None:
    """Write into a temporary folder, then swap it in. Returns the saved copy, memory-mapped
    (None when the folder is read-only: the index is kept in memory only)."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=folder.parent))
    except OSError:
        return None
    try:
        if bm25 is not None:
            bm25.save(tmp)
        copy.save(tmp, stamp)
        (tmp / VOCABULARY_FILE).write_text(json.dumps(words), encoding="utf-8")
        np.savez(tmp / TOKENS_FILE, tokens=flat, lengths=lengths.astype(np.int32))
        payload = {"stamp": stamp, "ids": ids, "article_ids": article_ids, "days": days}
        (tmp / MANIFEST_FILE).write_text(json.dumps(payload), encoding="utf-8")
        _record_checksums(tmp)  # (moving the folder keeps its files' status)
        with locked(folder, exclusive=True):
            old = folder.with_name(folder.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if folder.exists():
                os.replace(folder, old)
            os.replace(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return LocalCopy.open(folder, ids, stamp)
