"""The store's self-check: stored chunks must come back for their own vectors. Deleted or damaged
HNSW files otherwise give wrong results silently, Chroma errors on every call, or (random bytes
in a link list) its native code crashes the process. So index files that changed since qa last
knew them good are never first loaded here: `files_damage` reads them in plain Python
(qa/store/hnsw_files.py) and searches them in a child process (qa/store/probe.py) first."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from qa.errors import StoreError
from qa.store.collections import StoreCollections
from qa.store.hnsw_files import folder_problems
from qa.store.probe import probe_in_child
from qa.store.records import DenseHit
from qa.store.safety import StoreSafety


class ChunkSearch(Protocol):
    """The store's reads the self-check searches with (ArticleStore provides them)."""

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]: ...

    def vectors_by_id(self, ids: Sequence[str]) -> dict[str, list[float]]: ...

    def dense_query(self, vector: list[float], k: int) -> list[DenseHit]: ...

    def count_chunks(self) -> int: ...


def tolerated_misses(checked: int) -> int:
    """How many of `checked` chunks the self-check may miss before calling the index damaged.

    HNSW search is approximate, and Chroma's index (chromadb 1.5.9) loses reach as articles are
    replaced (deleted vectors stay in its graph): measured here, a freshly built index misses
    about one exact self-match in 700; after rounds of replacing a quarter of 300 articles, 1 to
    7 of about 700 chunks (up to 1.0 %), a different few each time a client loads it, also with
    a search restricted to the chunk's own id. Deleted or damaged index files show up as errors
    or as most chunks missing. `qa doctor --repair` rebuilds a worn index too."""
    return max(1, checked // 50)


class IndexSelfCheck:
    def __init__(self, collections: StoreCollections, safety: StoreSafety, search: ChunkSearch):
        self.collections = collections
        self.safety = safety
        self.search = search

    def verify(self, full: bool = False) -> None:
        """StoreError (saying how to rebuild) when the self-check finds a damaged index: the cheap
        one (three chunks), or `full` (every chunk, or an even sample of 2,000)."""
        problems = self.problems()
        if full and not problems:
            lost = self.lost_vectors()
            if len(lost) > tolerated_misses(min(self.search.count_chunks(), 2000)):
                problems = [f"{len(lost)} chunks are not found by their own vectors (e.g. {lost[0]})"]
        if problems:
            raise self.damaged(problems[0])

    def damaged(self, problem: str) -> StoreError:
        c = self.collections
        return StoreError(
            f"the vector index of the store at {c.where} (collection '{c.name}') is damaged "
            f"or missing: {problem}; run `qa doctor --repair` to rebuild it from the stored "
            "chunk texts (no article is lost)"
        )

    def search_failure(self, exc: Exception) -> Exception:
        """What a failed search (or read of vectors) raises: Chroma's InternalError there comes
        from index damage the file checks cannot see (a label no id has: "Error finding id",
        "Error getting embedding"): the damaged-index error then, and the files are checked
        again on the next open. Other errors as they are."""
        if type(exc).__name__ != "InternalError":
            return exc
        if self.safety.local is not None:
            self.safety.local.forget_verified()
        return self.damaged(f"Chroma cannot read it ({str(exc).splitlines()[0][:200]})")

    def files_damage(self) -> str:
        """What is wrong with an embedded store's index files ("" when nothing) if they changed
        since qa last knew them good, found without loading them in this process: their layout
        read in plain Python, then the self-check in a child process. Sound files are noted
        good, so the next open skips all this (one stat per file)."""
        local = self.safety.local
        if local is None or local.index_unchanged():
            return ""
        c = self.collections
        try:
            folders = local.vector_folders([c.name, c.articles_name])
        except Exception:  # the database cannot be read here: Chroma's own open will say why
            folders = []
        problems = [f"{folder.name}/{p}" for folder in folders for p in folder_problems(folder)][:1]
        if not problems:
            probe = probe_in_child(local.chroma_folder, c.name, c.embed_model, c.embed_dim)
            if probe.error:
                raise StoreError(probe.error)
            problems = [probe.problem] if probe.problem else [] if probe.checked else self.problems()
        if problems:
            local.forget_verified()
            return problems[0]
        local.note_verified()
        return ""

    def problems(self, sample: int = 3) -> list[str]:
        """`sample` stored chunks (first, middle, last) must come back first when the index is
        searched with their own vectors. One miss alone proves nothing (search is approximate,
        see `tolerated_misses`), so a miss widens the check to a sample of 200 chunks, judged by
        the same tolerance as the full check."""
        try:
            self.collections.articles.count()
            total = self.collections.chunks.count()
            if total == 0:
                return []
            step = max(1, (total - 1) // max(1, sample - 1))
            offsets = sorted({min(total - 1, i * step) for i in range(sample)})
            problems = [p for offset in offsets if (p := self._check_at(offset, total))]
            if problems:
                lost = self.lost_vectors(limit=200)
                if len(lost) <= tolerated_misses(min(total, 200)):
                    problems = []
                else:
                    problems.append(f"{len(lost)} of about {min(total, 200)} sampled chunks are missed too")
            return problems + [p for p in [self._check_articles()] if p]
        except StoreError:  # said by the store itself (a damaged database): not an index problem
            raise
        except Exception as exc:  # Chroma raises InternalError for index files it cannot read
            return [f"Chroma cannot read it ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"]

    def lost_vectors(self, limit: int = 2000) -> list[str]:
        """Chunks (an even sample of at most `limit`) that a search with their own vector misses.

        Measured with chromadb 1.5.9: right after a client loads a store, a search can miss a
        chunk or two that the next client finds, so misses are confirmed with a fresh client."""
        ids = [cid for cid, _, _ in self.search.iter_chunks()]
        lost = self._missed(ids[:: max(1, len(ids) // limit)])
        if lost and self.safety.embedded:
            time.sleep(0.5)
            self.safety.invalidate()  # the next search loads a fresh client
            lost = self._missed(lost)
        return lost

    def _missed(self, ids: list[str]) -> list[str]:
        lost: list[str] = []
        for first in range(0, len(ids), 500):
            part = ids[first : first + 500]
            vectors = self.search.vectors_by_id(part)
            lost += [cid for cid in part if cid not in vectors]
            for cid, vector in vectors.items():
                hits = self.search.dense_query(vector, 10)
                if cid not in [h.chunk_id for h in hits] and not (hits and hits[0].score > 0.9999):
                    lost.append(cid)  # (an identical twin coming first is fine)
        return lost

    def _check_articles(self) -> str:
        """One search of the article records' own index: a write replaces records there, and
        Chroma would crash on a damaged one then."""
        articles = self.collections.articles
        page = articles.get(limit=1, include=["embeddings"])
        if not page["ids"]:
            return ""
        found = articles.query(query_embeddings=[page["embeddings"][0]], n_results=1, include=["distances"])
        return "" if found["ids"][0] else "the article records' index returns nothing"

    def _check_at(self, offset: int, total: int) -> str:
        chunks = self.collections.chunks
        page = chunks.get(limit=1, offset=offset, include=["embeddings"])
        if not page["ids"]:
            return f"chunk {offset} of {total} cannot be read"
        cid, vector = page["ids"][0], page["embeddings"][0]
        found = chunks.query(query_embeddings=[vector], n_results=min(3, total), include=["distances"])
        ids, distances = found["ids"][0], found["distances"][0]
        if cid in ids or (distances and distances[0] < 1e-4):  # an identical twin may come first
            return ""
        return f"chunk {cid} does not come back for its own vector"
