"""The records the store keeps, and how they map to Chroma: ids, metadata, texts, which chunks
are live, and the text that is embedded for a chunk.

Chunk ids carry their article's version (`article#version#index`), so a chunk never changes
under its id. Texts (of chunks and of articles) live in metadata under TEXT_KEY, not as Chroma
documents (see qa/store/chroma.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from qa.types import Article, ArticleInfo, Chunk

TEXT_KEY = "qa_text"
# What an article record (and the local copy of it) keeps besides the id and the text.
ARTICLE_FIELDS = ("title", "source", "url", "published", "path", "author")


def index_text(title: str, text: str) -> str:
    """What lexical and dense retrieval see of a chunk: its article's title, then the text.
    Ingest embeds it, BM25 indexes it, and `qa doctor --repair` re-embeds it: one definition."""
    return f"{title}\n{text}" if title else text


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


# ----- which chunks are live: the one rule, in Python and as a Chroma `where` clause -----------
def is_live(article_id: str, version: Any, record_versions: Mapping[str, str]) -> bool:
    """A chunk counts only when its article's record names its version: chunks of a replaced
    version, or added by a write killed before its commit point, are left-overs readers ignore."""
    owner = record_versions.get(article_id)
    return owner is not None and owner == version


def stale_chunks_where(article_id: str, record_version: str | None) -> dict[str, Any]:
    """The chunks of `article_id` that are not live, as a Chroma `where` clause (`record_version`:
    the version its record names; None when it has no record, so none of its chunks is live)."""
    where: dict[str, Any] = {"article_id": article_id}
    return where if record_version is None else {"$and": [where, {"version": {"$ne": record_version}}]}


# ----- metadata -----------------------------------------------------------------------------
def _described(a: Article) -> dict[str, Any]:
    """What chunks and article records both keep of an article."""
    return {"title": a.title, "source": a.source, "url": a.url, "published": a.published, "author": a.author}


def chunk_meta(item: PreparedArticle) -> dict[str, Any]:
    a = item.article
    return {"article_id": a.id, "version": item.version, **_described(a), "published_day": day_number(a.published)}


def article_meta(item: PreparedArticle) -> dict[str, Any]:
    a = item.article
    return {**_described(a), "path": a.path, "hash": a.hash, "version": item.version,
            "chunks": len(item.chunks), "chars": len(a.text)}


def _strings(meta: Mapping[str, Any], *keys: str) -> dict[str, str]:
    return {key: str(meta.get(key, "")) for key in keys}


def version_in(meta: Mapping[str, Any]) -> str:
    """The version an article record names."""
    return str(meta.get("version", ""))


def article_from(article_id: str, text: str, meta: Mapping[str, Any]) -> Article:
    """The Article a stored record (or any mapping of ARTICLE_FIELDS) describes."""
    return Article(id=article_id, text=text, **_strings(meta, *ARTICLE_FIELDS))


def info_from(article_id: str, meta: Mapping[str, Any]) -> ArticleInfo:
    return ArticleInfo(
        id=article_id, chunks=int(meta.get("chunks", 0)), chars=int(meta.get("chars", 0)),
        **_strings(meta, "title", "source", "url", "published", "hash", "path", "author"),
    )


def mean_vector(vectors: list[list[float]]) -> list[float]:
    """An article record's vector: the normalised mean of its chunks' vectors."""
    import numpy as np

    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm if norm else mean).tolist()
