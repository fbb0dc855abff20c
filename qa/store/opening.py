"""Opening the store the settings name: the one way the assistant and `qa doctor` do it."""

from __future__ import annotations

from pathlib import Path

from qa.settings import Settings
from qa.store.chroma import ArticleStore


def open_store(settings: Settings, embed_model: str, dim: int, *, for_repair: bool = False) -> ArticleStore:
    """The Chroma server named by QA_CHROMA_URL, else the embedded store in QA_STORE.

    `for_repair` (`qa doctor`): no self-check on open (the doctor runs it itself, in full), and a
    store that a stopped repair left half-swapped opens instead of failing."""
    if settings.chroma_url.strip():
        token = settings.chroma_token.get_secret_value() if settings.chroma_token else None
        return ArticleStore.open_remote(
            settings.chroma_url, settings.collection, embed_model, dim, token, settings.store_timeout,
            for_repair=for_repair,
        )
    return ArticleStore.open_local(
        Path(settings.store), settings.collection, embed_model, dim, settings.store_timeout, verify=not for_repair
    )
