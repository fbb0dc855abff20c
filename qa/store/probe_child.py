"""The child process of qa/store/probe.py: the vector index self-check of one collection, its
problems printed as a JSON list (or {"error": message} for a store error that is not the
index's). A crash here is what the parent is there to survive.

    python -m qa.store.probe_child CHROMA_FOLDER COLLECTION EMBED_MODEL EMBED_DIM
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings

from qa.errors import StoreError
from qa.store.chroma import ArticleStore
from qa.store.damage import connect_checked


def _main(folder: str, name: str, embed_model: str, embed_dim: str) -> None:
    chroma = Path(folder)
    try:
        client = connect_checked(
            lambda: chromadb.PersistentClient(path=folder, settings=ChromaSettings(anonymized_telemetry=False)),
            chroma / "chroma.sqlite3", chroma.parent,
        )
        # No lock and no local folder: the parent holds the lock; the collections exist (it opened them).
        store = ArticleStore(client, name, embed_model, int(embed_dim), where=str(chroma.parent), for_repair=True)
        found: object = store.index_problems()
    except StoreError as exc:
        found = {"error": str(exc)}
    print(json.dumps(found), flush=True)


if __name__ == "__main__":
    _main(*sys.argv[1:5])
