"""`qa doctor`: check a store and, with `--repair`, fix what a crash or a damaged index left.

Checks: sqlite integrity, the vector index (every stored chunk must come back first for its own
vector), chunks no article names (orphans), articles missing chunks, BM25 freshness, leftover
index folders, and the vector search list. The repairs live in qa/doctor/repair.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.doctor.inspect import (
    Finding,
    StoredChunk,
    check_index,
    incomplete_articles,
    split_live,
    stored_articles,
    stored_chunks,
)
from qa.doctor.repair import repair
from qa.retrieval.index_files import index_folder, read_manifest
from qa.settings import Settings
from qa.store.chroma import ArticleStore
from qa.store.collections import SEARCH_LIST
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
    store = open_for_doctor(settings, embedder)
    bm25 = index_folder(settings)
    recovered: list[str] = []
    if store.maintenance.embedded:
        try:
            recovered = store.recover()
        except Exception:  # a damaged index: the checks below say so, --repair rebuilds it
            recovered = []
    repaired = repair(store, embedder, settings, bm25) if fix else []
    mode = "embedded" if store.maintenance.embedded else "server"
    return DoctorReport(store.where, mode, tuple(examine(store, bm25, recovered)), tuple(repaired))


def open_for_doctor(settings: Settings, embedder: BaseEmbedding) -> ArticleStore:
    """The store without the self-check on open (the doctor runs it itself, in full)."""
    dim = len(embedder.get_text_embedding("dimension probe"))
    return open_store(settings, embedder.model_name, dim, for_repair=True)


# ----- checks ----------------------------------------------------------------------------------
def examine(store: ArticleStore, bm25_folder: Path, recovered: Sequence[str] = ()) -> list[Finding]:
    """Every check's finding. `recovered`: articles whose killed write opening the store finished."""
    embedded = store.maintenance.embedded
    findings: list[Finding] = []
    if embedded:
        findings.append(_check_sqlite(store))
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
    findings.append(check_index(store, live))
    if embedded:
        findings.append(_check_index_files(store))
    findings.append(_check_bm25(store, bm25_folder, live))
    findings.append(_check_search_list(store))
    if recovered:
        findings.append(Finding("pending", True, f"finished a killed write of {len(recovered)} articles"))
    return findings


def _check_sqlite(store: ArticleStore) -> Finding:
    try:
        result = store.maintenance.quick_check()
    except sqlite3.Error as exc:
        return Finding("sqlite", False, f"cannot check the database: {exc}")
    return Finding("sqlite", result == ["ok"], "integrity ok" if result == ["ok"] else "; ".join(result[:3]))


def _check_index_files(store: ArticleStore) -> Finding:
    stray = store.maintenance.stray_index_folders()
    return Finding("index files", True, f"{len(stray)} unused index folders" + (" (removed by --repair)" if stray else ""))


def _check_bm25(store: ArticleStore, folder: Path, live: list[StoredChunk]) -> Finding:
    try:
        saved = read_manifest(folder)
    except (OSError, ValueError):
        return Finding("bm25", True, "not built yet (built on the next question)")
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
