"""BM25 over the stored chunks (bm25s), persisted beside the Chroma database.

The index remembers the store's version stamp it was built from; when the stamp differs (this
or another process wrote to the store) or the files are missing, it is rebuilt from Chroma.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from qa.store import ArticleStore, article_of, day_number, version_of
from qa.tokens import terms
from qa.types import Filters


def _bm25s():
    import bm25s

    # bm25s sets its own logger to DEBUG on import and would log every index build.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def index_text(title: str, text: str) -> str:
    """What lexical and dense retrieval see of a chunk: its article's title, then the text."""
    return f"{title}\n{text}" if title else text


class LexicalIndex:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._stamp: str | None = None
        self._bm25: Any = None
        self._ids: list[str] = []
        self._article_ids: np.ndarray = np.array([], dtype=object)
        self._days: np.ndarray = np.array([], dtype=np.int64)
        self._fresh: dict[str, list[str]] = {}  # chunk id -> terms, from this process's ingest
        self._token_cache: tuple[list[str], dict[str, list[int]]] | None = None

    def ensure_current(self, store: ArticleStore) -> None:
        """Load the saved index, or rebuild it when it is missing or older than the store."""
        stamp = store.stamp()
        if stamp == self._stamp:
            return
        with self._locked(exclusive=False):
            loaded = self._load(stamp)
        if not loaded:
            self._rebuild(store, stamp)

    @contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        """Several processes on one machine can share this folder (e.g. app processes using one
        Chroma server): saves are exclusive, loads shared, so no one reads a swapped-out index."""
        try:
            import fcntl

            self.folder.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.folder.parent / f".{self.folder.name}.lock", "a+")
        except (ImportError, OSError):  # no flock (Windows) or a read-only folder: no sharing
            yield
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield

    def remember(self, chunk_terms: dict[str, list[str]]) -> None:
        """Terms of chunks this process just wrote (ingest computed them), so the next rebuild
        need not read those chunks back from the store and tokenise them again."""
        self._fresh.update(chunk_terms)

    def _load(self, stamp: str) -> bool:
        meta_path = self.folder / "chunks.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("stamp") != stamp:
                return False
            bm25 = None
            if meta["ids"]:
                bm25 = _bm25s().BM25.load(str(self.folder / "bm25"), show_progress=False)
                if bm25.scores.get("num_docs") != len(meta["ids"]):
                    return False  # not the index these ids describe
        except (OSError, ValueError, KeyError, AttributeError):
            return False
        self._set(stamp, bm25, meta["ids"], meta["article_ids"], meta["days"])
        return True

    def _rebuild(self, store: ArticleStore, stamp: str) -> None:
        """Index the live chunks (those whose version their article's record names; leftovers of
        an interrupted write are not part of any article). Terms come from the saved token cache
        or from ingest; only chunks known to neither are read back and tokenised."""
        records = store.records()
        live = {aid: version for aid, (_, version) in records.items()}
        days_of = {aid: day_number(info.published) for aid, (info, _) in records.items()}
        ids = [cid for cid in store.chunk_ids() if live.get(article_of(cid)) == version_of(cid)]
        vocab, cached = self._cached_tokens()
        index = {token: i for i, token in enumerate(vocab)}

        def encode(chunk_terms: list[str]) -> list[int]:
            out = []
            for token in chunk_terms:
                i = index.get(token)
                if i is None:
                    i = index[token] = len(vocab)
                    vocab.append(token)
                out.append(i)
            return out

        unknown = [cid for cid in ids if cid not in cached and cid not in self._fresh]
        for first in range(0, len(unknown), 1000):
            for cid, (text, meta) in store.chunks_by_id(unknown[first : first + 1000]).items():
                self._fresh[cid] = terms(index_text(str(meta.get("title", "")), text))
        tokens = [cached[cid] if cid in cached else encode(self._fresh.get(cid, [])) for cid in ids]
        self._fresh.clear()
        article_ids = [article_of(cid) for cid in ids]
        days = [days_of.get(aid, 0) for aid in article_ids]
        bm25 = None
        if ids:
            bm25 = _bm25s().BM25()
            bm25.index(_bm25s().tokenization.Tokenized(ids=tokens, vocab=index), show_progress=False)
        self._save(stamp, bm25, ids, article_ids, days, vocab, tokens)
        self._set(stamp, bm25, ids, article_ids, days)
        self._token_cache = (list(vocab), dict(zip(ids, tokens)))

    def _cached_tokens(self) -> tuple[list[str], dict[str, list[int]]]:
        """(vocabulary, chunk id -> token ids) of the last index built or saved."""
        if self._token_cache is not None:
            vocab, cached = self._token_cache
            return list(vocab), cached
        try:
            with self._locked(exclusive=False):
                meta = json.loads((self.folder / "chunks.json").read_text(encoding="utf-8"))
                vocab = json.loads((self.folder / "vocab.json").read_text(encoding="utf-8"))
                with np.load(self.folder / "tokens.npz") as saved:
                    flat, lengths = saved["tokens"], saved["lengths"]
            if len(lengths) != len(meta["ids"]) or (len(flat) and int(flat.max()) >= len(vocab)):
                return [], {}
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            cached = {cid: flat[bounds[i] : bounds[i + 1]].tolist() for i, cid in enumerate(meta["ids"])}
            return vocab, cached
        except (OSError, ValueError, KeyError, TypeError):
            return [], {}

    def _save(
        self, stamp: str, bm25: Any, ids: list, article_ids: list, days: list, vocab: list[str], tokens: list[list[int]]
    ) -> None:
        """Write into a temporary folder, then swap it in, so readers never see half an index."""
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=self.folder.parent))
        except OSError:
            return  # a read-only folder: keep the index in memory only
        try:
            if bm25 is not None:
                bm25.save(str(tmp / "bm25"), show_progress=False)
            payload = {"stamp": stamp, "ids": ids, "article_ids": article_ids, "days": days}
            (tmp / "chunks.json").write_text(json.dumps(payload), encoding="utf-8")
            (tmp / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
            flat = np.fromiter((t for chunk in tokens for t in chunk), dtype=np.int32)
            np.savez(tmp / "tokens.npz", tokens=flat, lengths=np.array([len(t) for t in tokens], dtype=np.int32))
            with self._locked(exclusive=True):
                old = self.folder.with_name(self.folder.name + ".old")
                shutil.rmtree(old, ignore_errors=True)
                if self.folder.exists():
                    os.replace(self.folder, old)
                os.replace(tmp, self.folder)
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # a read-only folder: keep the index in memory only

    def _set(self, stamp: str, bm25: Any, ids: list, article_ids: list, days: list) -> None:
        self._stamp, self._bm25, self._ids = stamp, bm25, list(ids)
        self._article_ids = np.array(article_ids, dtype=object)
        self._days = np.array(days, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._ids)

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or filters.empty:
            return None
        mask = np.ones(len(self._ids), dtype=bool)
        if filters.article_ids:
            mask &= np.isin(self._article_ids, list(filters.article_ids))
        if filters.published_from or filters.published_to:
            mask &= self._days > 0
        if filters.published_from:
            mask &= self._days >= day_number(filters.published_from)
        if filters.published_to:
            mask &= self._days <= day_number(filters.published_to)
        return mask

    def scores(self, query: str, filters: Filters | None = None) -> np.ndarray:
        """BM25 score of every chunk (0 for chunks the filters exclude)."""
        if self._bm25 is None:
            return np.zeros(0, dtype=np.float32)
        scores = np.asarray(self._bm25.get_scores(terms(query)), dtype=np.float32)
        allowed = self._allowed(filters)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        return scores

    def top(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """The k best (chunk id, score) with a positive score, best first."""
        scores = self.scores(query, filters)
        if scores.size == 0:
            return []
        k = min(k, scores.size)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self._ids[i], float(scores[i])) for i in best if scores[i] > 0]

    def score_of(self, query_scores: np.ndarray, chunk_ids: list[str]) -> dict[str, float]:
        """Look up the BM25 scores of given chunks in a `scores()` array."""
        if query_scores.size == 0:
            return {}
        position = self._positions()
        return {c: float(query_scores[position[c]]) for c in chunk_ids if c in position}

    def contains(self, chunk_id: str) -> bool:
        return chunk_id in self._positions()

    def _positions(self) -> dict[str, int]:
        if getattr(self, "_pos_stamp", None) != self._stamp:
            self._pos = {cid: i for i, cid in enumerate(self._ids)}
            self._pos_stamp = self._stamp
        return self._pos
