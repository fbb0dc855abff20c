"""Opening the store the settings name: the one way the assistant and `qa doctor` do it."""

from __future__ import annotations

import shlex
from pathlib import Path

from qa.errors import StoreMissingError
from qa.settings import Settings
from qa.store.chroma import ArticleStore
from qa.store.guard import StoreLock
from qa.store.local import LocalDatabase


def open_store(
    settings: Settings, embed_model: str, dim: int, *, for_repair: bool = False, create: bool = True
) -> ArticleStore:
    """The Chroma server named by QA_CHROMA_URL, else the embedded store in QA_STORE.

    `for_repair` (`qa doctor`): no self-check on open (the doctor runs it itself, in full), and a
    store that a stopped repair left half-swapped opens instead of failing. `create=False`: an
    embedded store that does not exist yet is a `StoreMissingError` (nothing is created)."""
    if settings.chroma_url.strip():
        token = settings.chroma_token.get_secret_value() if settings.chroma_token else None
        return ArticleStore.open_remote(
            settings.chroma_url, settings.collection, embed_model, dim, token, settings.store_timeout,
            for_repair=for_repair,
        )
    if not create:
        require_store(settings)
    return ArticleStore.open_local(
        Path(settings.store), settings.collection, embed_model, dim, settings.store_timeout, verify=not for_repair
    )


def require_store(settings: Settings) -> None:
    """A `StoreMissingError` when the embedded store the settings name has no database yet: a
    command that only reads would otherwise create an empty one (and answer from nothing). Only
    looks at the disk. A server has no local path: it is reached (its collection made) on open."""
    if settings.chroma_url.strip():
        return
    folder = Path(settings.store).expanduser()
    if LocalDatabase(folder, StoreLock(folder, settings.store_timeout)).sqlite_file.is_file():
        return
    raise StoreMissingError(
        f"no article store at {folder}; create it with `qa --store {shlex.quote(str(folder))} ingest FILES`, "
        "or point --store / QA_STORE at an existing store"
    )
