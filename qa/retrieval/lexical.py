"""BM25 over the stored chunks (qa/retrieval/bm25.py), and the local copy of chunks and articles that
answering reads (qa/retrieval/local_copy.py), both persisted beside the Chroma database.

The index remembers the store's version stamp it was built from; when the stamp differs (this
or another process wrote to the store) or the files are missing, it is rebuilt. A rebuild reads
from Chroma only what it cannot get elsewhere: chunks it indexed before keep their tokens, texts
and vectors, and chunks this process just ingested come with them (`remember`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qa.retrieval.bm25 import BM25
from qa.retrieval.local_copy import ArticleEntry, ChunkEntry, LocalCopy
from qa.store.chroma import ArticleStore, article_of, day_number, version_of
from qa.text.tokens import terms
from qa.types import Filters

_FETCH = 1000  # chunks per Chroma call when a rebuild must read chunks back


def index_text(title: str, text: str) -> str:
    """What lexical and dense retrieval see of a chunk: its article's title, then the text."""
    return f"{title}\n{text}" if title else text


class LexicalIndex:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._stamp: str | None = None
        self._bm25: BM25 | None = None
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._article_ids: np.ndarray = np.array([], dtype=object)
        self._days: np.ndarray = np.array([], dtype=np.int64)
        self._copy: LocalCopy | None = None
        self._vocab: list[str] | None = None  # token strings by id (loaded lazily)
        self._tokens: dict[str, np.ndarray] = {}  # chunk id -> token ids, of the index in memory
        self._fresh: dict[str, tuple[np.ndarray, ChunkEntry]] = {}  # written by this process, not yet indexed

    # ----- keeping current ----------------------------------------------------------------
    def ensure_current(self, store: ArticleStore) -> None:
        """Load the saved index, or rebuild it when it is missing or older than the store."""
        stamp = store.stamp()
        if stamp == self._stamp:
            return
        with self._locked(exclusive=False):
            loaded = self._load(stamp)
        if not loaded:
            self._rebuild(store, stamp)

    def remember(self, chunks: dict[str, tuple[list[str], ChunkEntry]]) -> None:
        """Terms and contents of chunks this process just wrote (ingest has them at hand), so
        the next rebuild need not read them back from the store and tokenise them again."""
        vocab, index = self._vocabulary()
        for cid, (chunk_terms, entry) in chunks.items():
            self._fresh[cid] = (_encode(chunk_terms, vocab, index), entry)

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

    def _load(self, stamp: str) -> bool:
        try:
            meta = json.loads((self.folder / "chunks.json").read_text(encoding="utf-8"))
            if meta.get("stamp") != stamp:
                return False
            bm25 = BM25.load(self.folder, len(meta["ids"])) if meta["ids"] else None
            copy = LocalCopy.open(self.folder, meta["ids"], stamp)
            vocab = json.loads((self.folder / "vocab.json").read_text(encoding="utf-8"))
            if copy is None or (bm25 is not None and len(bm25.starts) != len(vocab) + 1):
                return False
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            return False
        self._set(stamp, bm25, meta["ids"], meta["article_ids"], meta["days"], copy)
        # The index numbers tokens by the vocabulary it was saved with: adopt that numbering.
        self._vocab, self._index = vocab, {token: i for i, token in enumerate(vocab)}
        self._tokens, self._fresh = {}, {}  # (tokens are read from tokens.npz when a rebuild needs them)
        return True

    def _rebuild(self, store: ArticleStore, stamp: str) -> None:
        """Index the live chunks (those whose version their article's record names; leftovers of
        an interrupted write are not part of any article) and refresh the local copy."""
        articles = {a.id: ArticleEntry(a, version) for a, version in store.stored_articles()}
        ids = [
            cid for cid in store.chunk_ids()
            if (owner := articles.get(article_of(cid))) is not None and owner.version == version_of(cid)
        ]
        vocab, index = self._vocabulary()
        known = self._known_chunks()
        unknown = [cid for cid in ids if cid not in self._fresh and cid not in known]
        for first in range(0, len(unknown), _FETCH):
            for cid, (text, meta, vector) in store.chunks_with_vectors(unknown[first : first + _FETCH]).items():
                entry = ChunkEntry(
                    str(meta["article_id"]), int(meta["start"]), int(meta["end"]), int(meta.get("index", 0)),
                    text, np.asarray(vector, dtype=np.float32),
                )
                title = articles[entry.article_id].article.title
                self._fresh[cid] = (_encode(terms(index_text(title, text)), vocab, index), entry)
        tokens, entries = [], []
        for cid in ids:
            token_ids, entry = self._fresh[cid] if cid in self._fresh else known[cid]
            tokens.append(token_ids)
            entries.append(entry)
        self._fresh.clear()
        live_articles = sorted({e.article_id for e in entries})
        copy = LocalCopy.build(ids, entries, [articles[a] for a in live_articles], store.embed_dim)
        article_ids = [e.article_id for e in entries]
        days = [day_number(articles[a].article.published) for a in article_ids]
        lengths = np.array([len(t) for t in tokens], dtype=np.int64)
        flat = np.concatenate(tokens).astype(np.int32) if tokens else np.zeros(0, np.int32)
        bm25 = BM25.build(flat, lengths, len(vocab)) if ids else None
        saved = self._save(stamp, bm25, ids, article_ids, days, vocab, flat, lengths, copy)
        self._set(stamp, bm25, ids, article_ids, days, saved or copy)
        self._tokens = dict(zip(ids, tokens))

    def _vocabulary(self) -> tuple[list[str], dict[str, int]]:
        if self._vocab is None:
            try:
                self._vocab = json.loads((self.folder / "vocab.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._vocab = []
            self._index = {token: i for i, token in enumerate(self._vocab)}
        return self._vocab, self._index

    def _known_chunks(self) -> dict[str, tuple[np.ndarray, ChunkEntry]]:
        """Tokens and contents of the chunks the current (or saved) index holds."""
        copy, ids, tokens = self._copy, self._ids, self._tokens
        if copy is None or not tokens:
            try:
                with self._locked(exclusive=False):  # files of one save, never of two
                    meta = json.loads((self.folder / "chunks.json").read_text(encoding="utf-8"))
                    ids = meta["ids"]
                    copy = LocalCopy.open(self.folder, ids, meta["stamp"])
                    saved_vocab = json.loads((self.folder / "vocab.json").read_text(encoding="utf-8"))
                    with np.load(self.folder / "tokens.npz") as saved:
                        flat, lengths = saved["tokens"], saved["lengths"]
                if copy is None or len(lengths) != len(ids) or (len(flat) and int(flat.max()) >= len(saved_vocab)):
                    return {}
            except (OSError, ValueError, KeyError, TypeError):
                return {}
            # Another process may have saved these with its own token numbering: map to ours.
            vocab, index = self._vocabulary()
            remap = _encode(saved_vocab, vocab, index)
            flat = remap[flat] if len(flat) else flat
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            tokens = {cid: flat[bounds[i] : bounds[i + 1]] for i, cid in enumerate(ids)}
        return {cid: (tokens[cid], copy.chunk(i)) for i, cid in enumerate(ids) if cid in tokens}

    def _save(
        self, stamp: str, bm25: BM25 | None, ids: list, article_ids: list, days: list, vocab: list[str],
        flat: np.ndarray, lengths: np.ndarray, copy: LocalCopy,
    ) -> LocalCopy | None:
        """Write into a temporary folder, then swap it in, so readers never see half an index.
        Returns the saved copy, memory-mapped (None when the folder is read-only)."""
        try:
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=self.folder.parent))
        except OSError:
            return None  # a read-only folder: keep the index in memory only
        try:
            if bm25 is not None:
                bm25.save(tmp)
            copy.save(tmp, stamp)
            (tmp / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
            np.savez(tmp / "tokens.npz", tokens=flat, lengths=lengths.astype(np.int32))
            payload = {"stamp": stamp, "ids": ids, "article_ids": article_ids, "days": days}
            (tmp / "chunks.json").write_text(json.dumps(payload), encoding="utf-8")
            with self._locked(exclusive=True):
                old = self.folder.with_name(self.folder.name + ".old")
                shutil.rmtree(old, ignore_errors=True)
                if self.folder.exists():
                    os.replace(self.folder, old)
                os.replace(tmp, self.folder)
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # a read-only folder: keep the index in memory only
            return None
        return LocalCopy.open(self.folder, ids, stamp)

    def _set(self, stamp: str, bm25: BM25 | None, ids: list, article_ids: list, days: list, copy: LocalCopy) -> None:
        self._stamp, self._bm25, self._ids, self._copy = stamp, bm25, list(ids), copy
        self._position = {cid: i for i, cid in enumerate(self._ids)}
        self._article_ids = np.array(article_ids, dtype=object)
        self._days = np.array(days, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._ids)

    # ----- the local copy ---------------------------------------------------------------
    def chunk(self, chunk_id: str) -> tuple[ChunkEntry, dict[str, str]] | None:
        """A live chunk and its article's title, source, url and published date."""
        i = self._position.get(chunk_id)
        if i is None or self._copy is None:
            return None
        return self._copy.chunk(i), self._copy.article_meta(i)

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        rows = [(cid, self._position[cid]) for cid in chunk_ids if cid in self._position]
        if not rows or self._copy is None:
            return {}
        found = self._copy.vectors([i for _, i in rows])
        return {cid: found[n] for n, (cid, _) in enumerate(rows)}

    def article(self, article_id: str) -> ArticleEntry | None:
        return None if self._copy is None else self._copy.article(article_id)

    def texts(self) -> Iterator[str]:
        """The text of every live chunk, in index order."""
        if self._copy is not None:
            for i in range(len(self._ids)):
                yield self._copy.chunk(i).text

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
        _, index = self._vocabulary()
        scores = self._bm25.scores([index[t] for t in terms(query) if t in index])
        allowed = self._allowed(filters)
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
        return [(self._ids[i], float(scores[i])) for i in best if scores[i] > 0]

    def score_of(self, query_scores: np.ndarray, chunk_ids: list[str]) -> dict[str, float]:
        """Look up the BM25 scores of given chunks in a `scores()` array."""
        if query_scores.size == 0:
            return {}
        position = self._position
        return {c: float(query_scores[position[c]]) for c in chunk_ids if c in position}

    def contains(self, chunk_id: str) -> bool:
        return chunk_id in self._position


def _encode(chunk_terms: list[str], vocab: list[str], index: dict[str, int]) -> np.ndarray:
    """Token ids of the terms, growing the vocabulary with new ones."""
    out = np.empty(len(chunk_terms), dtype=np.int32)
    for n, token in enumerate(chunk_terms):
        i = index.get(token)
        if i is None:
            i = index[token] = len(vocab)
            vocab.append(token)
        out[n] = i
    return out
