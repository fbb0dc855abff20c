"""The records the store keeps, and how they map to Chroma: ids, metadata, texts, filters.

Chunk ids carry their article's version (`article#version#index`), so a chunk never changes
under its id. Texts (of chunks and of articles) live in metadata under TEXT_KEY, not as Chroma
documents (see qa/store/chroma.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qa.types import Article, ArticleInfo, Chunk, Filters

TEXT_KEY = "qa_text"


def with_text(meta: dict[str, Any], text: str) -> dict[str, Any]:
    return {**meta, TEXT_KEY: text}


def split_text(document: str | None, meta: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """(text, metadata without the text) of a stored item, whichever way it was written."""
    meta = dict(meta or {})
    text = meta.pop(TEXT_KEY, None)
    return (str(text) if text is not None else document or ""), meta


@dataclass(frozen=True)
class PreparedArticle:
    """An article ready to store: its chunks, their vectors and a version key."""

    article: Article
    chunks: list[Chunk]
    vectors: list[list[float]]
    version: str


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    score: float


def day_number(iso_date: str) -> int:
    """'2025-07-08' -> 20250708 (0 when unknown), so Chroma can filter dates numerically."""
    return int(iso_date.replace("-", "")) if iso_date else 0


def chunk_id(article_id: str, version: str, index: int) -> str:
    return f"{article_id}#{version}#{index}"


def article_of(chunk_id_: str) -> str:
    """The article id inside a chunk id (article ids may hold '#'; version and index never do)."""
    return chunk_id_.rsplit("#", 2)[0]


def version_of(chunk_id_: str) -> str:
    parts = chunk_id_.rsplit("#", 2)
    return parts[1] if len(parts) == 3 else ""


def chroma_where(filters: Filters | None) -> dict[str, Any] | None:
    """Filters as a Chroma `where` clause (None when there are none)."""
    if filters is None or filters.empty:
        return None
    parts: list[dict[str, Any]] = []
    if filters.article_ids:
        parts.append({"article_id": {"$in": list(filters.article_ids)}})
    if filters.published_from or filters.published_to:
        parts.append({"published_day": {"$gt": 0}})  # undated articles never match a date range
    if filters.published_from:
        parts.append({"published_day": {"$gte": day_number(filters.published_from)}})
    if filters.published_to:
        parts.append({"published_day": {"$lte": day_number(filters.published_to)}})
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _described(a: Article) -> dict[str, Any]:
    """What chunks and article records both keep of an article."""
    return {"title": a.title, "source": a.source, "url": a.url, "published": a.published}


def chunk_meta(item: PreparedArticle) -> dict[str, Any]:
    a = item.article
    return {"article_id": a.id, "version": item.version, **_described(a), "published_day": day_number(a.published)}


def article_meta(item: PreparedArticle) -> dict[str, Any]:
    a = item.article
    return {**_described(a), "path": a.path, "hash": a.hash, "version": item.version,
            "chunks": len(item.chunks), "chars": len(a.text)}


def _strings(meta: dict[str, Any], *keys: str) -> dict[str, str]:
    return {key: str(meta.get(key, "")) for key in keys}


def article_from(article_id: str, text: str, meta: dict[str, Any]) -> Article:
    return Article(id=article_id, text=text, **_strings(meta, "title", "source", "url", "published", "path"))


def info_from(article_id: str, meta: dict[str, Any]) -> ArticleInfo:
    return ArticleInfo(
        id=article_id, chunks=int(meta.get("chunks", 0)), chars=int(meta.get("chars", 0)),
        **_strings(meta, "title", "source", "url", "published", "hash", "path"),
    )


def mean_vector(vectors: list[list[float]]) -> list[float]:
    import numpy as np

    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).tolist()

