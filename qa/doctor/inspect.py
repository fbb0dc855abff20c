"""What `qa doctor` reads of a store and judges, shared by its checks (qa/doctor/checks.py) and
its repairs (qa/doctor/repair.py). Everything goes through the store's public maintenance calls
(qa/store/maintenance.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from qa.store.chroma import ArticleStore
from qa.store.records import is_live
from qa.store.selfcheck import tolerated_misses

FULL_CHECK = 5000  # chunks checked one by one; larger stores are sampled evenly


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StoredChunk:
    id: str
    text: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class StoredArticle:
    id: str
    text: str
    meta: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.meta.get("version", ""))


def stored_articles(store: ArticleStore) -> dict[str, StoredArticle]:
    return {i: StoredArticle(i, t, m) for i, t, m in store.maintenance.raw_articles()}


def stored_chunks(store: ArticleStore) -> list[StoredChunk]:
    return [StoredChunk(i, t, m) for i, t, m in store.maintenance.raw_chunks()]


def split_live(
    articles: dict[str, StoredArticle], chunks: list[StoredChunk]
) -> tuple[list[StoredChunk], list[StoredChunk]]:
    """(live chunks, orphans: chunks no article record names)."""
    versions = {article_id: a.version for article_id, a in articles.items()}
    live: list[StoredChunk] = []
    orphans: list[StoredChunk] = []
    for chunk in chunks:
        alive = is_live(str(chunk.meta.get("article_id")), chunk.meta.get("version"), versions)
        (live if alive else orphans).append(chunk)
    return live, orphans


def incomplete_articles(articles: dict[str, StoredArticle], live: list[StoredChunk]) -> list[str]:
    """Articles whose live chunks are not exactly the ones their record counts."""
    indexes: dict[str, list[int]] = {}
    for chunk in live:
        indexes.setdefault(str(chunk.meta["article_id"]), []).append(int(chunk.meta.get("index", -1)))
    return sorted(
        aid for aid, a in articles.items()
        if sorted(indexes.get(aid, [])) != list(range(int(a.meta.get("chunks", 0))))
    )


def check_index(store: ArticleStore, live: list[StoredChunk]) -> Finding:
    """Every chunk (or an even sample of big stores) must be found first by its own vector."""
    if not live:
        return Finding("index", True, "empty")
    try:
        problems = store.index_problems()
        lost = [] if problems else store.lost_vectors(FULL_CHECK)
    except Exception as exc:  # Chroma raises InternalError for index files it cannot read
        problems = [f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"]
    if problems:
        return Finding("index", False, f"the vector index is damaged or missing ({problems[0]})")
    checked = min(len(live), FULL_CHECK)
    ok = len(lost) <= tolerated_misses(checked)  # approximate search misses a few
    return Finding("index", ok, f"{checked - len(lost)} of about {checked} chunks found by their own vector"
                   + (f"; missed e.g. {lost[0]}" if lost else ""))
