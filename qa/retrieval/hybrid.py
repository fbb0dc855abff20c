"""Hybrid retrieval: dense (Chroma) and BM25 candidates, scored on both sides, fused by weight.

Both retrievers propose candidates; every candidate then gets its exact score from both (BM25
scores come for all chunks at once; dense scores are computed from the stored vectors, for the
chunks the vector index listed too), so fusion compares like with like instead of guessing a
score for a chunk one side did not list, and the same store gives the same scores every run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from qa.reader.features import Passage
from qa.reader.questions import read_question
from qa.retrieval.rerank import DEPTH, recency_order, rerank_order, rerank_rows
from qa.retrieval.scaling import min_max
from qa.retrieval.snapshot import StoreSnapshot
from qa.store.chroma import ArticleStore
from qa.text.recency import asks_recent
from qa.types import RETRIEVAL_MODES, Filters, RetrievalMode, RetrievedChunk

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

Mode = RetrievalMode
# Which retrievers propose candidates in each mode (qa.types.RETRIEVAL_MODES).
BM25_MODES = frozenset(m for m in RETRIEVAL_MODES if m != "dense")
DENSE_MODES = frozenset(m for m in RETRIEVAL_MODES if m != "bm25")


@dataclass
class Scored:
    chunk_id: str
    dense: float | None = None  # None until known
    bm25: float = 0.0
    fused: float = 0.0


def fuse(scored: list[Scored], mode: Mode, dense_weight: float) -> list[Scored]:
    """Set each candidate's fused score; the candidates best first (ties by chunk id)."""
    if mode == "dense":
        for s in scored:
            s.fused = s.dense or 0.0
    elif mode == "bm25":
        for s in scored:
            s.fused = s.bm25
    else:
        # Scaled per side; a side on which all candidates score the same (and above 0) counts
        # fully for each of them.
        dense = min_max([s.dense or 0.0 for s in scored], equal_positive=1.0).tolist()
        bm25 = min_max([s.bm25 for s in scored], equal_positive=1.0).tolist()
        w = dense_weight
        for s, d, b in zip(scored, dense, bm25):
            s.fused = w * d + (1 - w) * b
    return sorted(scored, key=lambda s: (-s.fused, s.chunk_id))


def _recency(chunks: list[RetrievedChunk], scores) -> tuple[np.ndarray, np.ndarray]:
    return recency_order(scores, [c.published for c in chunks], [c.title for c in chunks])


def _in_order(chunks: list[RetrievedChunk], order: np.ndarray, scores: np.ndarray, k: int) -> list[RetrievedChunk]:
    """The first k chunks in `order`, each with its score and new rank."""
    return [replace(chunks[i], score=round(float(scores[i]), 6), rank=rank) for rank, i in enumerate(order[:k], start=1)]


class HybridRetriever:
    def __init__(
        self, store: ArticleStore, snapshot: StoreSnapshot, embedder: BaseEmbedding, dense_weight: float = 0.3, rerank: bool = True
    ):
        self.store = store
        self.snapshot = snapshot
        self.embedder = embedder
        self.dense_weight = dense_weight
        self.rerank = rerank

    def retrieve(
        self, question: str, k: int, filters: Filters | None = None, mode: Mode = "hybrid"
    ) -> list[RetrievedChunk]:
        self.snapshot.ensure_current(self.store)
        index = self.snapshot.index
        if len(index) == 0:
            return []
        depth = max(4 * k, 20)
        bm25_all = index.scores(question, filters)
        candidates: dict[str, Scored] = {}
        if mode in BM25_MODES:
            for cid, score in index.top(bm25_all, depth):
                candidates[cid] = Scored(cid, bm25=score)
        query_vector = None
        if mode in DENSE_MODES:
            query_vector = self.embedder.get_query_embedding(question)
            for hit in self.store.dense_query(query_vector, min(depth, len(index)), filters, checked=True):
                if not index.contains(hit.chunk_id):
                    continue  # left over from an interrupted write
                candidates.setdefault(hit.chunk_id, Scored(hit.chunk_id)).dense = hit.score
        if not candidates:
            return []
        self._complete_scores(candidates, bm25_all, query_vector)
        ranked = fuse(list(candidates.values()), mode, self.dense_weight)
        recent = asks_recent(question)
        if mode == "hybrid" and self.rerank:
            return self._reranked(question, ranked[: max(k, DEPTH)], k, recent)
        if recent:  # newer reports first among near ties (qa/retrieval/rerank.py: recency_order)
            chunks = self._materialise(ranked[: max(k, DEPTH)])
            return _in_order(chunks, *_recency(chunks, [c.score for c in chunks]), k)
        return self._materialise(ranked[:k])

    def _reranked(self, question: str, ranked: list[Scored], k: int, recent: bool = False) -> list[RetrievedChunk]:
        from qa.models.embedding import embed_sentences

        chunks = self._materialise(ranked)
        if len(chunks) < 2:
            return chunks[:k]
        rows = rerank_rows(
            read_question(question),
            [Passage(c.title, c.text) for c in chunks],
            [c.score for c in chunks],
            [c.bm25_score or 0.0 for c in chunks],
            [c.dense_score or 0.0 for c in chunks],
            embed_sentences,
        )
        order, scores = rerank_order(rows)
        if recent:
            order, scores = _recency(chunks, scores)
        return _in_order(chunks, order, scores, k)

    def _complete_scores(self, candidates: dict[str, Scored], bm25_all: np.ndarray, query_vector) -> None:
        ids = list(candidates)
        for cid, score in self.snapshot.index.score_of(bm25_all, ids).items():
            candidates[cid].bm25 = score
        if query_vector is not None:
            # Every candidate's dense score from its stored vector (the local copy: no store call),
            # also for those the vector index listed: its distances differ in the last digits
            # depending on whether a vector sits in its graph or its unflushed buffer, and that
            # flipped near-ties between runs of the same eval.
            q = np.asarray(query_vector, dtype=np.float32)
            for cid, vector in self.snapshot.vectors(ids).items():
                candidates[cid].dense = float(np.dot(q, vector))

    def _materialise(self, ranked: list[Scored]) -> list[RetrievedChunk]:
        out = []
        for rank, s in enumerate(ranked, start=1):
            found = self.snapshot.chunk(s.chunk_id)  # the local copy: no store call
            if found is None:
                continue
            chunk, meta = found
            out.append(
                RetrievedChunk(
                    chunk_id=s.chunk_id,
                    article_id=chunk.article_id,
                    title=meta["title"],
                    source=meta["source"],
                    published=meta["published"],
                    url=meta["url"],
                    start=chunk.start,
                    end=chunk.end,
                    text=chunk.text,
                    score=round(s.fused, 6),
                    dense_score=None if s.dense is None else round(s.dense, 6),
                    bm25_score=round(s.bm25, 6),
                    rank=rank,
                )
            )
        return out
