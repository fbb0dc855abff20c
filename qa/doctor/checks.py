"""`qa doctor`: check a store and, with `--repair`, fix what a crash or a damaged index left.

Checks: sqlite integrity (first: everything else reads the database), the vector index (its
files read without Chroma when they changed since qa last knew them good, then every stored
chunk must come back first for its own vector), chunks no article names (orphans), articles
missing chunks, the BM25 index and local copy (fresh, checksums, texts equal to the store's),
leftover index folders, and the vector search list. The repairs live in qa/doctor/repair.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.doctor.inspect import (
    Finding,
    StoredArticle,
    StoredChunk,
    check_index,
    incomplete_articles,
    local_copy_damage,
    split_live,
    stored_articles,
    stored_chunks,
)
from qa.doctor.repair import repair
from qa.errors import StoreError
from qa.retrieval.index_files import has_checksums, index_folder, read_manifest
from qa.settings import Settings
from qa.store.chroma import ArticleStore
from qa.store.collections import SEARCH_LIST
from qa.store.damage import database_problem
from qa.store.guard import StoreLock
from qa.store.local import LocalDatabase
from qa.store.opening import open_store

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding


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


def run(settings: Settings, fix: bool = False, embedder: BaseEmbedding | None = None) -> DoctorReport:
    """Check the configured store (and repair it when `fix`); the report describes the state after."""
    from qa.models.registry import build_embedder

    embedder = embedder or build_embedder(settings)
    sqlite = check_database(settings)
    if sqlite is not None and not sqlite.ok:  # everything else reads the database: say only this
        return DoctorReport(str(Path(settings.store).expanduser()), "embedded", (sqlite,))
    store = open_for_doctor(settings, embedder)
    bm25 = index_folder(settings)
    damage = store.index_files_damage()  # before anything loads the index: it may crash Chroma
    recovered: list[str] = []
    if store.maintenance.embedded and not damage:
        try:
            recovered = store.recover()
        except StoreError:
            raise
        except Exception:  # a damaged index: the checks below say so, --repair rebuilds it
            recovered = []
    repaired = repair(store, embedder, settings, bm25, damage) if fix else []
    if repaired:
        damage = store.index_files_damage()
    mode = "embedded" if store.maintenance.embedded else "server"
    findings = ([sqlite] if sqlite else []) + examine(store, bm25, recovered, damage)
    return DoctorReport(store.where, mode, tuple(findings), tuple(repaired))


def check_database(settings: Settings) -> Finding | None:
    """sqlite's integrity check of an embedded store's database (None on a server). A damaged
    database cannot be repaired here: the finding says what to do instead."""
    if settings.chroma_url.strip():
        return None
    folder = Path(settings.store).expanduser()
    problem = database_problem(LocalDatabase(folder, StoreLock(folder, settings.store_timeout)).sqlite_file)
    if not problem:
        return Finding("sqlite", True, "integrity ok")
    return Finding(
        "sqlite", False, f"integrity check failed: {problem}",
        advice="qa cannot repair the database (the articles and chunks live in it): restore the store "
        "folder from a backup, or ingest the articles again into a new store "
        "(`qa --store NEW_FOLDER ingest FILES`)",
    )


def open_for_doctor(settings: Settings, embedder: BaseEmbedding) -> ArticleStore:
    """The store without the self-check on open (the doctor runs it itself, in full)."""
    dim = len(embedder.get_text_embedding("dimension probe"))
    return open_store(settings, embedder.model_name, dim, for_repair=True)


# ----- checks ----------------------------------------------------------------------------------
def examine(store: ArticleStore, bm25_folder: Path, recovered: Sequence[str] = (), damage: str = "") -> list[Finding]:
    """Every check's finding but sqlite's. `recovered`: articles whose killed write opening the
    store finished; `damage`: what the index file check found (then Chroma is not asked)."""
    embedded = store.maintenance.embedded
    findings: list[Finding] = []
    articles, chunks = stored_articles(store), stored_chunks(store)
    live, orphans = split_live(articles, chunks)
    findings.append(Finding("counts", True, f"{len(articles)} articles, {len(live)} chunks in use"))
    findings.append(
        Finding("orphans", not orphans, f"{len(orphans)} chunks that no article names"
                + (f" (e.g. {orphans[0].id})" if orphans else ""))
    )
    incomplete = incomplete_articles(articles, live)
    findings.append(
        Finding("articles", not incomplete, f"{len(incomplete)} articles missing chunks"
                + (f" ({', '.join(incomplete[:5])})" if incomplete else ""))
    )
    findings.append(check_index(store, live, damage))
    if embedded:
        findings.append(_check_index_files(store))
    findings.append(_check_bm25(store, bm25_folder, articles, live))
    findings.append(_check_search_list(store))
    if recovered:
        findings.append(Finding("pending", True, f"finished a killed write of {len(recovered)} articles"))
    return findings


def _check_index_files(store: ArticleStore) -> Finding:
    stray = store.maintenance.stray_index_folders()
    return Finding("index files", True, f"{len(stray)} unused index folders" + (" (removed by --repair)" if stray else ""))


def _check_bm25(
    store: ArticleStore, folder: Path, articles: dict[str, StoredArticle], live: list[StoredChunk]
) -> Finding:
    damage = local_copy_damage(folder, articles, live)
    if damage:
        return Finding("bm25", False, f"the saved BM25 index and local copy ({folder}) are damaged: {damage}; "
                       "answers would quote it; `qa doctor --repair` drops it (rebuilt from the store on the "
                       "next question)")
    try:
        saved = read_manifest(folder)
    except (OSError, ValueError):
        return Finding("bm25", True, "not built yet (built on the next question)")
    if not has_checksums(folder):
        return Finding("bm25", True, "saved by an older qa, without checksums (rebuilt on the next question)")
    if saved.get("stamp") != store.stamp():
        return Finding("bm25", True, "older than the store (rebuilt on the next question)")
    same = sorted(saved.get("ids", [])) == sorted(c.id for c in live)
    return Finding("bm25", same, "current" if same else "stamp is current but its chunks differ from the store's")


def _check_search_list(store: ArticleStore) -> Finding:
    """Stores made before qa asked for a search list of 400 keep Chroma's 100, which misses some
    true neighbours, differently from one store to the next."""
    have = store.maintenance.search_list()
    if have is None:
        return Finding("search list", True, "not reported by this Chroma")
    if have >= SEARCH_LIST:
        return Finding("search list", True, f"{have} candidates per vector query")
    return Finding("search list", False, f"{have} candidates per vector query, fewer than qa's {SEARCH_LIST}: the "
                   "same question can get other passages from one copy of the store to the next; "
                   "`qa doctor --repair` raises it (nothing is re-embedded)")
