"""What `qa doctor` reads of a store and judges, shared by its checks (qa/doctor/checks.py) and
its repairs (qa/doctor/repair.py). Everything goes through the store's public maintenance calls
(qa/store/maintenance.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qa.retrieval import index_files
from qa.store.chroma import ArticleStore
from qa.store.records import is_live
from qa.store.selfcheck import tolerated_misses

FULL_CHECK = 5000  # chunks checked one by one; larger stores are sampled evenly


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    advice: str = ""  # what to do when `qa doctor --repair` cannot fix it ("" when it can)

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


def check_index(store: ArticleStore, live: list[StoredChunk], damage: str = "") -> Finding:
    """Every chunk (or an even sample of big stores) must be found first by its own vector.
    `damage`: what the file check (`ArticleStore.index_files_damage`) found; then Chroma is not
    asked at all (loading those files can crash it)."""
    if damage:
        return Finding("index", False, f"the vector index is damaged or missing ({damage})")
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


def local_copy_damage(folder: Path, articles: dict[str, StoredArticle], live: list[StoredChunk]) -> str:
    """What is wrong with the saved BM25 index and local copy ("" when nothing, or none is saved):
    a file whose checksum differs from the one recorded at its save, or a text that is not the
    store's. Answers quote the local copy, so either would give wrong answers that look verified."""
    if not (folder / index_files.MANIFEST_FILE).exists() or not index_files.has_checksums(folder):
        return ""  # none saved, or saved by an older qa: rebuilt on the next question either way
    problem = index_files.damage(folder, full=True)
    saved = None if problem else index_files.load_tokens(folder)
    if problem or saved is None:
        return problem or "its files cannot be read"
    ids, copy = saved[0], saved[1]
    stored = {c.id: c for c in live}
    for row, chunk_id in enumerate(ids):
        chunk = stored.get(chunk_id)  # (a chunk since replaced: the copy is rebuilt on the next question)
        entry = copy.chunk(row)
        if chunk is not None and (entry.text, entry.start, entry.end) != (
            chunk.text, chunk.meta.get("start"), chunk.meta.get("end")
        ):
            return f"chunk {chunk_id} differs from the store's"
    for article_id in sorted(set(index_files.read_manifest(folder).get("article_ids", []))):
        kept, article = copy.article(article_id), articles.get(article_id)
        if kept is not None and article is not None and kept.version == article.version and kept.article.text != article.text:
            return f"article {article_id}'s text differs from the store's"
    return ""
