"""BM25 over the live chunks at one store stamp: the index arrays (qa/retrieval/bm25.py), the
term numbering its token ids use, and what filters look at (each chunk's article and day).

StoreSnapshot (qa/retrieval/snapshot.py) builds it, saves it and keeps it current.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa.retrieval.bm25 import BM25
from qa.store.filters import conditions
from qa.text.tokens import terms
from qa.types import Filters

VOCABULARY_FILE = "vocab.json"

# How each filter operator (qa/store/filters.py) reads as a numpy mask over a column of chunks.
_MASKS: dict[str, Callable[[np.ndarray, Any], np.ndarray]] = {
    "$in": lambda column, value: np.isin(column, value),
    "$gt": lambda column, value: column > value,
    "$gte": lambda column, value: column >= value,
    "$lte": lambda column, value: column <= value,
}


class TermIds:
    """Term -> token id. It only grows, so token ids kept from an earlier index stay valid."""

    def __init__(self, words: list[str] | None = None):
        self.words = words if words is not None else []
        self.index = {token: i for i, token in enumerate(self.words)}

    @classmethod
    def read(cls, folder: Path) -> TermIds:
        """The numbering saved in `folder` (empty when there is none)."""
        try:
            return cls(json.loads((folder / VOCABULARY_FILE).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return cls()

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, chunk_terms: Sequence[str]) -> np.ndarray:
        """Token ids of the terms, numbering new ones."""
        out = np.empty(len(chunk_terms), dtype=np.int32)
        for n, token in enumerate(chunk_terms):
            i = self.index.get(token)
            if i is None:
                i = self.index[token] = len(self.words)
                self.words.append(token)
            out[n] = i
        return out


class LexicalIndex:
    def __init__(
        self, chunk_ids: Sequence[str], article_ids: Sequence[str], days: Sequence[int], bm25: BM25 | None,
        term_ids: TermIds | None,
    ):
        self.chunk_ids = list(chunk_ids)
        self.bm25 = bm25  # None when there are no chunks
        self.term_ids = term_ids
        self._position = {cid: i for i, cid in enumerate(self.chunk_ids)}
        # Filter columns, by chunk metadata key (qa/store/filters.py).
        self._columns = {
            "article_id": np.array(article_ids, dtype=object),
            "published_day": np.array(days, dtype=np.int64),
        }

    @classmethod
    def empty(cls) -> LexicalIndex:
        return cls([], [], [], None, None)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def contains(self, chunk_id: str) -> bool:
        return chunk_id in self._position

    def row(self, chunk_id: str) -> int | None:
        """The chunk's row: in the index, and in the local copy built with it."""
        return self._position.get(chunk_id)

    def allowed(self, filters: Filters | None) -> np.ndarray | None:
        """Which chunks the filters admit (None: all)."""
        found = conditions(filters)
        if not found:
            return None
        mask = np.ones(len(self.chunk_ids), dtype=bool)
        for condition in found:
            mask &= _MASKS[condition.op](self._columns[condition.field], condition.value)
        return mask

    def scores(self, query: str, filters: Filters | None = None) -> np.ndarray:
        """BM25 score of every chunk (0 for chunks the filters exclude)."""
        if self.bm25 is None or self.term_ids is None:
            return np.zeros(0, dtype=np.float32)
        index = self.term_ids.index
        scores = self.bm25.scores([index[t] for t in terms(query) if t in index])
        allowed = self.allowed(filters)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        return scores

    def top(self, scores: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k best (chunk id, score) of a `scores()` array with a positive score, best first."""
        if scores.size == 0:
            return []
        k = min(k, scores.size)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.chunk_ids[i], float(scores[i])) for i in best if scores[i] > 0]

    def score_of(self, query_scores: np.ndarray, chunk_ids: list[str]) -> dict[str, float]:
        """Look up the BM25 scores of given chunks in a `scores()` array."""
        if query_scores.size == 0:
            return {}
        position = self._position
        return {c: float(query_scores[position[c]]) for c in chunk_ids if c in position}
