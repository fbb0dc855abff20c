"""A damaged sqlite database (random bytes in chroma.sqlite3, a truncated copy) as one clear
error instead of whatever Chroma raises: measured with chromadb 1.5.9, such a file gives
`InternalError: ... (code: 11) database disk image is malformed`, `InvalidArgumentError: ...
Failed to pull logs from the log store`, or a Rust panic (`PanicException`, which is not even an
`Exception`), depending on which page is hit, from whichever call reads it first.

qa cannot repair the database (the articles and their chunks live in it), so the message says to
restore the store folder from a backup or to ingest the articles again into a new store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.errors import QAError, StoreError

# What sqlite says of a damaged file (codes 11 SQLITE_CORRUPT and 26 SQLITE_NOTADB).
_DAMAGE_WORDS = ("malformed", "not a database", "code: 11)", "code: 26)", "code: 11,", "code: 26,")
# Failures that are answers, not symptoms: no database check for these.
_ORDINARY = ("NotFoundError", "UniqueConstraintError")


def damaged_database_message(folder: Path | str, detail: str) -> str:
    return (
        f"the database of the store at {folder} (chroma/chroma.sqlite3) is damaged ({detail}); "
        "qa cannot repair it: restore the store folder from a backup, or ingest the articles again "
        "into a new store (`qa --store NEW_FOLDER ingest FILES`)"
    )


def database_problem(database: Path, timeout: float = 30.0) -> str:
    """sqlite's own integrity check of the file: "" when sound, else its first complaint. It reads
    the whole file (seconds for a large store), so it runs for `qa doctor` and after a failure."""
    try:
        con = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=timeout)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = [str(row[0]) for row in con.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return ""  # in use, not damaged
        return str(exc)
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        con.close()
    return "" if rows == ["ok"] else "; ".join(rows[:3])


def _looks_damaged(exc: BaseException) -> bool:
    return any(word in str(exc) for word in _DAMAGE_WORDS)


class DamageAware:
    """A Chroma client or collection of an embedded store: a failure of any of its calls that a
    damaged database explains becomes one `StoreError` saying so (the database is checked only
    after a failure, so calls cost nothing more)."""

    def __init__(self, target: Any, database: Path, folder: Path):
        self._target = target
        self._database = database
        self._folder = folder

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = value(*args, **kwargs)
            except (KeyboardInterrupt, SystemExit, GeneratorExit, QAError):
                raise
            except BaseException as exc:  # a Rust panic in Chroma is a BaseException
                self._explain(exc)
                raise
            return DamageAware(result, self._database, self._folder) if _is_collection(result) else result

        return call

    def _explain(self, exc: BaseException) -> None:
        if type(exc).__name__ in _ORDINARY:
            return
        problem = database_problem(self._database)
        if not problem and _looks_damaged(exc):
            problem = str(exc).splitlines()[0][:200]
        if problem:
            raise StoreError(damaged_database_message(self._folder, problem)) from None

    def __repr__(self) -> str:
        return f"DamageAware({self._target!r})"


def connect_checked(connect: Callable[[], Any], database: Path, folder: Path) -> Any:
    """`connect()` (a new Chroma client), with its failures and those of every later call that a
    damaged database explains reported as such."""
    try:
        client = connect()
    except (KeyboardInterrupt, SystemExit, GeneratorExit, QAError):
        raise
    except BaseException as exc:
        DamageAware(None, database, folder)._explain(exc)
        raise
    return DamageAware(client, database, folder)


_COLLECTION: list[type] = []  # Chroma's Collection class, imported on first use


def _is_collection(value: Any) -> bool:
    if not _COLLECTION:
        from chromadb.api.models.Collection import Collection

        _COLLECTION.append(Collection)
    return isinstance(value, _COLLECTION[0])
