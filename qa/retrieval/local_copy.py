"""A local, read-optimised copy of what questions need from the store: the live chunks (text,
position, vector) and their articles (text, metadata), saved beside the BM25 index.

Answering one question used to ask Chroma for chunk texts, chunk vectors and article texts (each
`get` 1-3 ms with chromadb 1.5.9, several per question); this copy serves them from memory-mapped
files instead. It cannot hold wrong data: chunk ids carry their article's version
(qa/store/records.py), so a chunk never changes under its id, and the copy is rebuilt with the BM25
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

from qa.store.records import ARTICLE_FIELDS, article_from
from qa.types import Article


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
        offsets: np.ndarray | None,
        vectors: Any,
    ):
        self.chunk_ids = list(chunk_ids)
        self._chunks = chunks  # (start, end, index, article row) per chunk
        self._articles = articles  # [id, version, title, source, url, published, path] per article
        self._blob = blob  # a read-only memory map of texts.bin, or (built in memory) the list of texts
        self._offsets = offsets  # byte offsets into texts.bin (None in memory)
        self._vectors = vectors  # (chunks x dim) memory map, or (in memory) the list of vectors
        self._article_row = {row[0]: i for i, row in enumerate(articles)}

    def __len__(self) -> int:
        return len(self.chunk_ids)

    # ----- reading ----------------------------------------------------------------------
    def _text(self, i: int) -> str:
        if self._offsets is None:
            return self._blob[i]
        return bytes(self._blob[int(self._offsets[i]) : int(self._offsets[i + 1])]).decode("utf-8")

    def chunk(self, i: int) -> ChunkEntry:
        start, end, index, owner = (int(v) for v in self._chunks[i])
        return ChunkEntry(self._articles[owner][0], start, end, index, self._text(i), self._vectors[i])

    def article_meta(self, i: int) -> dict[str, str]:
        """Title, source, url, published of chunk i's article."""
        row = self._articles[int(self._chunks[i][3])]
        return dict(zip(ARTICLE_FIELDS, row[2:]))

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        if isinstance(self._vectors, list):
            return np.vstack([self._vectors[i] for i in rows]).astype(np.float32)
        return np.asarray(self._vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float32)

    def article(self, article_id: str) -> ArticleEntry | None:
        row = self._article_row.get(article_id)
        if row is None:
            return None
        aid, version, *fields = self._articles[row]
        text = self._text(len(self.chunk_ids) + row)
        return ArticleEntry(article_from(aid, text, dict(zip(ARTICLE_FIELDS, fields))), version)

    # ----- building and saving ----------------------------------------------------------
    @classmethod
    def build(
        cls, chunk_ids: Sequence[str], chunks: Sequence[ChunkEntry], articles: Sequence[ArticleEntry], dim: int
    ) -> LocalCopy:
        """An in-memory copy holding references to the given texts and vectors (no copies: a
        100,000-chunk store would otherwise hold its texts and vectors twice while saving)."""
        rows = {entry.article.id: i for i, entry in enumerate(articles)}
        table = np.array([[c.start, c.end, c.index, rows[c.article_id]] for c in chunks], dtype=np.int64)
        return cls(
            chunk_ids,
            table.reshape(len(chunks), 4),
            [[a.article.id, a.version, *(getattr(a.article, f) for f in ARTICLE_FIELDS)] for a in articles],
            [c.text for c in chunks] + [a.article.text for a in articles],
            None,
            [np.asarray(c.vector, dtype=np.float32) for c in chunks] if chunks else np.zeros((0, dim), np.float32),
        )

    def save(self, folder: Path, stamp: str) -> None:
        """Write the files, streaming texts and vectors (an in-memory copy is written as is)."""
        count = len(self.chunk_ids) + len(self._articles)
        offsets = np.zeros(count + 1, dtype=np.int64)
        with open(folder / "texts.bin", "wb") as out:
            for i in range(count):
                data = self._text(i).encode("utf-8")
                out.write(data)
                offsets[i + 1] = offsets[i] + len(data)
        np.save(folder / "text_offsets.npy", offsets)
        dim = len(self._vectors[0]) if len(self.chunk_ids) else np.asarray(self._vectors).shape[-1]
        vectors = np.lib.format.open_memmap(folder / "vectors.npy", mode="w+", dtype=np.float32,
                                            shape=(len(self.chunk_ids), dim))
        for first in range(0, len(self.chunk_ids), 4096):
            part = range(first, min(len(self.chunk_ids), first + 4096))
            vectors[first : part.stop] = self.vectors(list(part))
        vectors.flush()
        del vectors
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
