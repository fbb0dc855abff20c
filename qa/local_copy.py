"""A local, read-optimised copy of what questions need from the store: the live chunks (text,
position, vector) and their articles (text, metadata), saved beside the BM25 index.

Answering one question used to ask Chroma for chunk texts, chunk vectors and article texts (each
`get` 1-3 ms with chromadb 1.5.9, several per question); this copy serves them from memory-mapped
files instead. It cannot hold wrong data: chunk ids carry their article's version
(qa/store.py), so a chunk never changes under its id, and the copy is rebuilt with the BM25
index whenever the store's version stamp changes.

Files: texts.bin (UTF-8 chunk texts, then article texts) with text_offsets.npy, vectors.npy
(float32, one row per chunk), chunks.npy (start, end, index, article row per chunk) and
articles.json (id, version and metadata per article).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from qa.types import Article

ARTICLE_FIELDS = ("title", "source", "url", "published", "path")


@dataclass(frozen=True)
class ChunkEntry:
    """One chunk as retrieval needs it."""

    article_id: str
    start: int
    end: int
    index: int
    text: str
    vector: np.ndarray  # float32


@dataclass(frozen=True)
class ArticleEntry:
    article: Article
    version: str


class LocalCopy:
    def __init__(
        self,
        chunk_ids: Sequence[str],
        chunks: np.ndarray,
        articles: list[list[Any]],
        blob: Any,
        offsets: np.ndarray,
        vectors: np.ndarray,
    ):
        self.chunk_ids = list(chunk_ids)
        self._chunks = chunks  # (start, end, index, article row) per chunk
        self._articles = articles  # [id, version, title, source, url, published, path] per article
        self._blob = blob  # bytes or a read-only memory map
        self._offsets = offsets
        self._vectors = vectors
        self._article_row = {row[0]: i for i, row in enumerate(articles)}

    def __len__(self) -> int:
        return len(self.chunk_ids)

    # ----- reading ----------------------------------------------------------------------
    def _text(self, i: int) -> str:
        return bytes(self._blob[int(self._offsets[i]) : int(self._offsets[i + 1])]).decode("utf-8")

    def chunk(self, i: int) -> ChunkEntry:
        start, end, index, owner = (int(v) for v in self._chunks[i])
        return ChunkEntry(self._articles[owner][0], start, end, index, self._text(i), self._vectors[i])

    def article_meta(self, i: int) -> dict[str, str]:
        """Title, source, url, published of chunk i's article."""
        row = self._articles[int(self._chunks[i][3])]
        return dict(zip(ARTICLE_FIELDS, row[2:]))

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        return np.asarray(self._vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float32)

    def article(self, article_id: str) -> ArticleEntry | None:
        row = self._article_row.get(article_id)
        if row is None:
            return None
        aid, version, title, source, url, published, path = self._articles[row]
        text = self._text(len(self.chunk_ids) + row)
        article = Article(id=aid, title=title, text=text, source=source, url=url, published=published, path=path)
        return ArticleEntry(article, version)

    # ----- building and saving ----------------------------------------------------------
    @classmethod
    def build(
        cls, chunk_ids: Sequence[str], chunks: Sequence[ChunkEntry], articles: Sequence[ArticleEntry], dim: int
    ) -> LocalCopy:
        rows = {entry.article.id: i for i, entry in enumerate(articles)}
        texts = [c.text.encode("utf-8") for c in chunks] + [a.article.text.encode("utf-8") for a in articles]
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(t) for t in texts]) if texts else []
        vectors = np.zeros((len(chunks), dim), dtype=np.float32)
        for i, c in enumerate(chunks):
            vectors[i] = c.vector
        table = np.array([[c.start, c.end, c.index, rows[c.article_id]] for c in chunks], dtype=np.int64)
        return cls(
            chunk_ids,
            table.reshape(len(chunks), 4),
            [[a.article.id, a.version, *(getattr(a.article, f) for f in ARTICLE_FIELDS)] for a in articles],
            b"".join(texts),
            offsets,
            vectors,
        )

    def save(self, folder: Path, stamp: str) -> None:
        (folder / "texts.bin").write_bytes(bytes(self._blob))
        np.save(folder / "text_offsets.npy", self._offsets)
        np.save(folder / "vectors.npy", np.asarray(self._vectors, dtype=np.float32))
        np.save(folder / "chunks.npy", self._chunks)
        layout = {"stamp": stamp, "chunks": len(self.chunk_ids), "articles": self._articles}
        (folder / "articles.json").write_text(json.dumps(layout), encoding="utf-8")

    @classmethod
    def open(cls, folder: Path, chunk_ids: Sequence[str], stamp: str) -> LocalCopy | None:
        """The saved copy of these chunks at this stamp, memory-mapped; None when it is missing
        or was saved for another stamp."""
        try:
            layout = json.loads((folder / "articles.json").read_text(encoding="utf-8"))
            if layout["stamp"] != stamp or layout["chunks"] != len(chunk_ids):
                return None
            offsets = np.load(folder / "text_offsets.npy")
            chunks = np.load(folder / "chunks.npy")
            vectors = np.load(folder / "vectors.npy", mmap_mode="r")
            size = (folder / "texts.bin").stat().st_size
            blob = np.memmap(folder / "texts.bin", dtype=np.uint8, mode="r") if size else b""
            articles = layout["articles"]
            if len(offsets) != len(chunk_ids) + len(articles) + 1 or int(offsets[-1]) != size:
                return None
            if len(vectors) != len(chunk_ids) or len(chunks) != len(chunk_ids):
                return None
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return cls(chunk_ids, chunks, articles, blob, offsets, vectors)
