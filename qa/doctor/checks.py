"""`qa doctor`: check a store and, with `--repair`, fix what a crash or a damaged index left.

Checks: sqlite integrity, the vector index (every stored chunk must come back first for its own
vector), chunks no article names (orphans), articles missing chunks, BM25 freshness, leftover
index folders, and the vector search list. The repairs live in qa/doctor/repair.py.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qa.settings import Settings
from qa.store.chroma import HNSW_CONFIGURATION, ArticleStore, split_text
from qa.store.safety import tolerated_misses

_FULL_CHECK = 5000  # chunks checked one by one; larger stores are sampled evenly


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DoctorReport:
    store: str
    mode: str  # "embedded" or "server"
    findings: tuple[Finding, ...]
    repaired: tuple[str, ...] = field(default_factory=tuple)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store, "mode": self.mode, "healthy": self.healthy,
            "findings": [f.to_dict() for f in self.findings], "repaired": list(self.repaired),
        }


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


def run(settings: Settings, fix: bool = False, embedder=None) -> DoctorReport:
    """Check the configured store (and repair it when `fix`); the report describes the state after."""
    from qa.models.registry import build_embedder

    embedder = embedder or build_embedder(settings)
    store = open_for_doctor(settings, embedder)
    bm25 = Path(settings.store).expanduser() / "bm25" / settings.collection
    repaired: list[str] = []
    if is_embedded(store):
        try:
            store.recovered_on_open = store.recover()
        except Exception:  # a damaged index: the checks below say so, --repair rebuilds it
            store.recovered_on_open = []
    if fix:
        from qa.doctor.repair import repair

        repaired = repair(store, embedder, settings, bm25)
    return DoctorReport(
        store.where, "embedded" if is_embedded(store) else "server", tuple(examine(store, bm25)), tuple(repaired)
    )


# ----- opening ---------------------------------------------------------------------------------
def open_for_doctor(settings: Settings, embedder) -> ArticleStore:
    """The store without the self-check on open (the doctor runs it itself, in full)."""
    dim = len(embedder.get_text_embedding("dimension probe"))
    if settings.chroma_url.strip():
        token = settings.chroma_token.get_secret_value() if settings.chroma_token else None
        return ArticleStore.open_remote(
            settings.chroma_url, settings.collection, embedder.model_name, dim, token, settings.store_timeout,
            for_repair=True,
        )
    return ArticleStore.open_local(
        Path(settings.store), settings.collection, embedder.model_name, dim, settings.store_timeout, verify=False
    )


def is_embedded(store: ArticleStore) -> bool:
    return store._guard is not None


# ----- reading what is stored, even when Chroma cannot read its index ------------------------
def read_collection(store: ArticleStore, name: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(id, text, metadata without the text) of every item. Embedded stores are read straight
    from sqlite: Chroma fails on every call once an index file is damaged, but the texts are all there."""
    if not is_embedded(store):
        collection = store._client.get_collection(name, embedding_function=None)
        offset = 0
        while True:
            page = collection.get(include=["documents", "metadatas"], limit=1000, offset=offset)
            for item_id, document, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                yield item_id, *split_text(document, meta)
            if len(page["ids"]) < 1000:
                return
            offset += 1000
    con = sqlite3.connect(f"file:{_database(store)}?mode=ro", uri=True, timeout=store._guard.timeout)
    try:
        rows = con.execute(
            "SELECT e.embedding_id, m.key, m.string_value, m.int_value, m.float_value, m.bool_value "
            "FROM embeddings e JOIN segments s ON e.segment_id = s.id "
            "JOIN collections c ON s.collection = c.id "
            "LEFT JOIN embedding_metadata m ON m.id = e.id "
            "WHERE c.name = ? AND s.scope = 'METADATA' ORDER BY e.id",
            (name,),
        ).fetchall()
    finally:
        con.close()
    items: dict[str, tuple[list[str], dict[str, Any]]] = {}
    for item_id, key, text, number, real, flag in rows:
        document, meta = items.setdefault(item_id, ([""], {}))
        if key == "chroma:document":
            document[0] = text or ""
        elif key is not None:
            meta[key] = text if text is not None else number if number is not None else real if real is not None else bool(flag)
    for item_id, (document, meta) in items.items():
        yield item_id, *split_text(document[0], meta)


def _database(store: ArticleStore) -> Path:
    return Path(store.where) / "chroma" / "chroma.sqlite3"


def stored_articles(store: ArticleStore) -> dict[str, StoredArticle]:
    return {i: StoredArticle(i, t, m) for i, t, m in read_collection(store, f"{store.name}_articles")}


def stored_chunks(store: ArticleStore) -> list[StoredChunk]:
    return [StoredChunk(i, t, m) for i, t, m in read_collection(store, store.name)]


# ----- checks ----------------------------------------------------------------------------------
def examine(store: ArticleStore, bm25_folder: Path) -> list[Finding]:
    findings: list[Finding] = []
    if is_embedded(store):
        findings.append(_check_sqlite(store))
    articles, chunks = stored_articles(store), stored_chunks(store)
    live, orphans = _split(articles, chunks)
    findings.append(Finding("counts", True, f"{len(articles)} articles, {len(live)} chunks in use"))
    findings.append(
        Finding("orphans", not orphans, f"{len(orphans)} chunks that no article names"
                + (f" (e.g. {orphans[0].id})" if orphans else ""))
    )
    incomplete = _incomplete(articles, live)
    findings.append(
        Finding("articles", not incomplete, f"{len(incomplete)} articles missing chunks"
                + (f" ({', '.join(incomplete[:5])})" if incomplete else ""))
    )
    findings.append(_check_index(store, live))
    if is_embedded(store):
        findings.append(_check_index_files(store))
    findings.append(_check_bm25(store, bm25_folder, live))
    findings.append(_check_search_list(store))
    if store.recovered_on_open:
        findings.append(Finding("pending", True, f"finished a killed write of {len(store.recovered_on_open)} articles"))
    return findings


def _split(articles: dict[str, StoredArticle], chunks: list[StoredChunk]) -> tuple[list[StoredChunk], list[StoredChunk]]:
    live, orphans = [], []
    for chunk in chunks:
        owner = articles.get(str(chunk.meta.get("article_id")))
        (live if owner is not None and owner.version == chunk.meta.get("version") else orphans).append(chunk)
    return live, orphans


def _incomplete(articles: dict[str, StoredArticle], live: list[StoredChunk]) -> list[str]:
    indexes: dict[str, list[int]] = {}
    for chunk in live:
        indexes.setdefault(str(chunk.meta["article_id"]), []).append(int(chunk.meta.get("index", -1)))
    return sorted(
        aid for aid, a in articles.items()
        if sorted(indexes.get(aid, [])) != list(range(int(a.meta.get("chunks", 0))))
    )


def _check_sqlite(store: ArticleStore) -> Finding:
    try:
        con = sqlite3.connect(f"file:{_database(store)}?mode=ro", uri=True, timeout=store._guard.timeout)
        try:
            result = [row[0] for row in con.execute("PRAGMA quick_check").fetchall()]
        finally:
            con.close()
    except sqlite3.Error as exc:
        return Finding("sqlite", False, f"cannot check the database: {exc}")
    return Finding("sqlite", result == ["ok"], "integrity ok" if result == ["ok"] else "; ".join(result[:3]))


def _check_index(store: ArticleStore, live: list[StoredChunk]) -> Finding:
    """Every chunk (or an even sample of big stores) must be found first by its own vector."""
    if not live:
        return Finding("index", True, "empty")
    try:
        problems = store.index_problems()
        lost = [] if problems else store.lost_vectors(_FULL_CHECK)
    except Exception as exc:  # Chroma raises InternalError for index files it cannot read
        problems = [f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"]
    if problems:
        return Finding("index", False, f"the vector index is damaged or missing ({problems[0]})")
    checked = min(len(live), _FULL_CHECK)
    ok = len(lost) <= tolerated_misses(checked)  # approximate search misses a few
    return Finding("index", ok, f"{checked - len(lost)} of about {checked} chunks found by their own vector"
                   + (f"; missed e.g. {lost[0]}" if lost else ""))


def _vector_segments(store: ArticleStore) -> dict[str, str]:
    """Segment id -> collection name of the HNSW segments the database names."""
    con = sqlite3.connect(f"file:{_database(store)}?mode=ro", uri=True, timeout=store._guard.timeout)
    try:
        rows = con.execute(
            "SELECT s.id, c.name FROM segments s JOIN collections c ON s.collection = c.id WHERE s.scope = 'VECTOR'"
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def _stray_index_folders(store: ArticleStore) -> list[Path]:
    known = set(_vector_segments(store))
    root = Path(store.where) / "chroma"
    return sorted(p for p in root.iterdir() if p.is_dir() and _looks_like_uuid(p.name) and p.name not in known)


def _check_index_files(store: ArticleStore) -> Finding:
    stray = _stray_index_folders(store)
    return Finding("index files", True, f"{len(stray)} unused index folders" + (" (removed by --repair)" if stray else ""))


def _check_bm25(store: ArticleStore, folder: Path, live: list[StoredChunk]) -> Finding:
    try:
        saved = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Finding("bm25", True, "not built yet (built on the next question)")
    if saved.get("stamp") != store.stamp():
        return Finding("bm25", True, "older than the store (rebuilt on the next question)")
    same = sorted(saved.get("ids", [])) == sorted(c.id for c in live)
    return Finding("bm25", same, "current" if same else "stamp is current but its chunks differ from the store's")


_WANTED_EF = HNSW_CONFIGURATION["hnsw"]["ef_search"]


def _ef_search(store: ArticleStore) -> int | None:
    """How many candidates the vector index searches per query (its HNSW ef), as Chroma reports it."""
    collection = store._client.get_collection(store.name, embedding_function=None)  # a fresh read
    config = getattr(collection, "configuration", None)
    value = ((config or {}).get("hnsw") or {}).get("ef_search") if isinstance(config, dict) else None
    return int(value) if value is not None else None


def _check_search_list(store: ArticleStore) -> Finding:
    """Stores made before qa asked for a search list of 400 keep Chroma's 100, which misses some
    true neighbours, differently from one store to the next."""
    have = _ef_search(store)
    if have is None:
        return Finding("search list", True, "not reported by this Chroma")
    if have >= _WANTED_EF:
        return Finding("search list", True, f"{have} candidates per vector query")
    return Finding("search list", False, f"{have} candidates per vector query, fewer than qa's {_WANTED_EF}: the "
                   "same question can get other passages from one copy of the store to the next; "
                   "`qa doctor --repair` raises it (nothing is re-embedded)")


def _looks_like_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
        return True
    except ValueError:
        return False
