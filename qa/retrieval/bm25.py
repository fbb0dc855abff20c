"""BM25 (the Lucene variant: k1 1.5, b 0.75, as bm25s computes it) over token ids, built with
numpy from one flat array of every chunk's token ids.

A term-major sparse matrix of per-(chunk, term) weights is precomputed, so scoring a question
is adding up a few columns. Building it never makes a Python object per token (bm25s's builder
kept every token id as a Python int: about 540 MB at 100,000 chunks), and the saved arrays are
memory-mapped when loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1 = 1.5
B = 0.75
_FILES = ("bm25_weights.npy", "bm25_chunks.npy", "bm25_starts.npy")
_BLOCK = 8192  # chunks per step of the build


@dataclass(frozen=True)
class BM25:
    weights: np.ndarray  # float32, per (term, chunk) pair, grouped by term
    chunks: np.ndarray  # int32 chunk row of each weight
    starts: np.ndarray  # int64, len(vocabulary) + 1: where each term's weights begin
    num_chunks: int

    @classmethod
    def build(cls, flat: np.ndarray, lengths: np.ndarray, vocabulary_size: int) -> BM25:
        """`flat`: every chunk's token ids one after another; `lengths`: tokens per chunk."""
        n = len(lengths)
        lengths = np.asarray(lengths, dtype=np.int64)
        if n == 0 or len(flat) == 0:
            return cls(np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(vocabulary_size + 1, np.int64), n)
        # (term, chunk, tf) triples, a block of chunks at a time so the int64 keys of one
        # block are all that is ever sorted at once.
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        parts = []
        for first in range(0, n, _BLOCK):
            last = min(n, first + _BLOCK)
            size = last - first
            chunk_of = np.repeat(np.arange(size, dtype=np.int64), lengths[first:last])
            keys, tf = np.unique(np.asarray(flat[bounds[first] : bounds[last]], dtype=np.int64) * size + chunk_of,
                                 return_counts=True)
            parts.append(((keys // size).astype(np.int32), (keys % size + first).astype(np.int32), tf.astype(np.int32)))
        terms = np.concatenate([p[0] for p in parts])
        order = np.argsort(terms, kind="stable")  # term-major; chunks stay in order within a term
        terms = terms[order]
        chunks = np.concatenate([p[1] for p in parts])[order]
        tf = np.concatenate([p[2] for p in parts])[order]
        del parts, order
        df = np.bincount(terms, minlength=vocabulary_size)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = (K1 * ((1 - B) + B * lengths / max(1e-9, float(lengths.mean())))).astype(np.float32)
        weights = idf[terms] * tf / (norm[chunks] + tf)
        starts = np.zeros(vocabulary_size + 1, dtype=np.int64)
        np.cumsum(df, out=starts[1:])
        return cls(weights.astype(np.float32), chunks, starts, n)

    def scores(self, token_ids: list[int]) -> np.ndarray:
        """BM25 score of every chunk for a question's token ids (repeats count again)."""
        out = np.zeros(self.num_chunks, dtype=np.float32)
        for t in token_ids:
            if 0 <= t < len(self.starts) - 1:
                a, b = int(self.starts[t]), int(self.starts[t + 1])
                out[self.chunks[a:b]] += self.weights[a:b]  # a term lists each chunk once: no repeats
        return out

    def save(self, folder: Path) -> None:
        for name, array in zip(_FILES, (self.weights, self.chunks, self.starts)):
            np.save(folder / name, array)

    @classmethod
    def load(cls, folder: Path, num_chunks: int) -> BM25:
        weights, chunks, starts = (np.load(folder / name, mmap_mode="r") for name in _FILES)
        if len(weights) != len(chunks) or (len(starts) and int(starts[-1]) != len(weights)):
            raise ValueError("the saved BM25 arrays do not fit together")
        return cls(weights, chunks, starts, num_chunks)

