"""What retrieval reads instead of the store: the BM25 index (qa/retrieval/lexical.py) and the
local copy of the live chunks and their articles (qa/retrieval/local_copy.py), built together at
one store version stamp and saved beside the store (qa/retrieval/index_files.py).

When the store's stamp differs (this or another process wrote to it) or the files are missing,
both are rebuilt. A rebuild reads from the store only what it cannot get elsewhere: chunks it
indexed before keep their tokens, texts and vectors, and chunks this process just ingested come
with them (`remember`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from qa.retrieval import index_files
from qa.retrieval.bm25 import BM25
from qa.retrieval.lexical import LexicalIndex, TermIds
from qa.retrieval.local_copy import ArticleEntry, ChunkEntry, LocalCopy
from qa.store.chroma import ArticleStore
from qa.store.records import article_of, day_number, index_text, is_live, version_of
from qa.text.tokens import terms

_FETCH = 1000  # chunks per Chroma call when a rebuild must read chunks back


class StoreSnapshot:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.index = LexicalIndex.empty()
        self.copy: LocalCopy | None = None  # rows as in `index`
        self._stamp: str | None = None
        self._term_ids: TermIds | None = None  # (loaded lazily)
        self._tokens: dict[str, np.ndarray] = {}  # chunk id -> token ids, of the index in memory
        self._fresh: dict[str, tuple[np.ndarray, ChunkEntry]] = {}  # written by this process, not yet indexed

    # ----- keeping current ----------------------------------------------------------------
    def ensure_current(self, store: ArticleStore) -> None:
        """Load the saved index, or rebuild it when it is missing or older than the store."""
        stamp = store.stamp()
        if stamp == self._stamp:
            return
        saved = index_files.load(self.folder, stamp)
        if saved is None:
            self._rebuild(store, stamp)
            return
        # The index numbers tokens as it was saved: adopt that numbering.
        self._term_ids = TermIds(saved.words)
        self._set(stamp, LexicalIndex(saved.ids, saved.article_ids, saved.days, saved.bm25, self._term_ids), saved.copy)
        self._tokens, self._fresh = {}, {}  # (tokens are read from the saved files when a rebuild needs them)

    def rebuild(self, store: ArticleStore) -> None:
        """Rebuild now from the store's current state (reusing what the index already holds)."""
        self._rebuild(store, store.stamp())

    def remember(self, chunks: dict[str, tuple[list[str], ChunkEntry]]) -> None:
        """Terms and contents of chunks this process just wrote (ingest has them at hand), so
        the next rebuild need not read them back from the store and tokenise them again."""
        term_ids = self._terms()
        for cid, (chunk_terms, entry) in chunks.items():
            self._fresh[cid] = (term_ids.encode(chunk_terms), entry)

    def _rebuild(self, store: ArticleStore, stamp: str) -> None:
        """Index the live chunks and refresh the local copy."""
        articles = {a.id: ArticleEntry(a, version) for a, version in store.stored_articles()}
        versions = {article_id: entry.version for article_id, entry in articles.items()}
        ids = [cid for cid in store.chunk_ids() if is_live(article_of(cid), version_of(cid), versions)]
        term_ids = self._terms()
        known = self._known_chunks()
        unknown = [cid for cid in ids if cid not in self._fresh and cid not in known]
        for first in range(0, len(unknown), _FETCH):
            for cid, (text, meta, vector) in store.chunks_with_vectors(unknown[first : first + _FETCH]).items():
                entry = ChunkEntry(
                    str(meta["article_id"]), int(meta["start"]), int(meta["end"]), int(meta.get("index", 0)),
                    text, np.asarray(vector, dtype=np.float32),
                )
                title = articles[entry.article_id].article.title
                self._fresh[cid] = (term_ids.encode(terms(index_text(title, text))), entry)
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
        bm25 = BM25.build(flat, lengths, len(term_ids)) if ids else None
        saved = index_files.save(
            self.folder, stamp, bm25, ids, article_ids, days, term_ids.words, flat, lengths, copy
        )
        self._set(stamp, LexicalIndex(ids, article_ids, days, bm25, term_ids), saved or copy)
        self._tokens = dict(zip(ids, tokens))

    def _terms(self) -> TermIds:
        if self._term_ids is None:
            self._term_ids = TermIds.read(self.folder)
        return self._term_ids

    def _known_chunks(self) -> dict[str, tuple[np.ndarray, ChunkEntry]]:
        """Tokens and contents of the chunks the current (or saved) index holds."""
        copy, ids, tokens = self.copy, self.index.chunk_ids, self._tokens
        if copy is None or not tokens:
            saved = index_files.load_tokens(self.folder)
            if saved is None:
                return {}
            ids, copy, saved_words, flat, lengths = saved
            # Another process may have saved these with its own token numbering: map to ours.
            remap = self._terms().encode(saved_words)
            flat = remap[flat] if len(flat) else flat
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            tokens = {cid: flat[bounds[i] : bounds[i + 1]] for i, cid in enumerate(ids)}
        return {cid: (tokens[cid], copy.chunk(i)) for i, cid in enumerate(ids) if cid in tokens}

    def _set(self, stamp: str, index: LexicalIndex, copy: LocalCopy) -> None:
        self._stamp, self.index, self.copy = stamp, index, copy

    def __len__(self) -> int:
        return len(self.index)

    # ----- the local copy, by chunk id ------------------------------------------------------
    def chunk(self, chunk_id: str) -> tuple[ChunkEntry, dict[str, str]] | None:
        """A live chunk and its article's title, source, url and published date."""
        i = self.index.row(chunk_id)
        if i is None or self.copy is None:
            return None
        return self.copy.chunk(i), self.copy.article_meta(i)

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        rows = [(cid, i) for cid in chunk_ids if (i := self.index.row(cid)) is not None]
        if not rows or self.copy is None:
            return {}
        found = self.copy.vectors([i for _, i in rows])
        return {cid: found[n] for n, (cid, _) in enumerate(rows)}

    def article(self, article_id: str) -> ArticleEntry | None:
        return None if self.copy is None else self.copy.article(article_id)

    def texts(self) -> Iterator[str]:
        """The text of every live chunk, in index order."""
        if self.copy is not None:
            for i in range(len(self.index)):
                yield self.copy.chunk(i).text
