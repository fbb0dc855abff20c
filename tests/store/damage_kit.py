"""Helpers and fixtures for the damaged-store tests (tests/store/test_damage_*.py import them): a
real store of the sample corpus whose Chroma index files are saved on disk, copied per test and
damaged there, and the real `qa` command run on it in a child process (a crash is then an exit
code, not the end of the test run).

Chroma (1.5.9) saves a collection's HNSW files only after `sync_threshold` writes (1,000 by
default); below that it rebuilds the index from its log on every load and damaged files go
unnoticed. The sample corpus has 27 chunks, so the template store lowers the threshold of its
collections before ingesting: the files are then the ones a large store would have.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
QUESTION = "How many hostages would be released?"

_LOWER_THRESHOLD = """
import sys, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
for name in ("news", "news_articles"):
    client.get_collection(name).modify(configuration={"hnsw": {"sync_threshold": 4, "batch_size": 4}})
"""


def run_qa(store: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """The `qa` command on `store`, in a child process."""
    environment = {**os.environ, "QA_STORE": str(store), **(env or {})}
    return subprocess.run([sys.executable, "-m", "qa.cli", *args], env=environment, capture_output=True,
                          text=True, timeout=timeout)


def vector_folder(store: Path, collection: str = "news") -> Path:
    con = sqlite3.connect(f"file:{store / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        (segment,) = con.execute(
            "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
            "WHERE c.name = ? AND s.scope = 'VECTOR'", (collection,),
        ).fetchone()
    finally:
        con.close()
    return store / "chroma" / segment


def keep_times(path: Path):
    """Restore a file's access and modification times after changing it (as a careless tool
    or a bit flip would leave them)."""
    st = path.stat()
    return lambda: os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def stored_text(store: Path, article_id: str) -> str:
    """The article's text as the store keeps it (read from sqlite: no Chroma in this process)."""
    con = sqlite3.connect(f"file:{store / 'chroma' / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT m.key, m.string_value FROM embeddings e JOIN embedding_metadata m ON m.id = e.id "
            "JOIN segments s ON e.segment_id = s.id JOIN collections c ON s.collection = c.id "
            "WHERE c.name = 'news_articles' AND s.scope = 'METADATA' AND e.embedding_id = ? "
            "AND m.key IN ('chroma:document', 'qa_text')", (article_id,),
        ).fetchall()
    finally:
        con.close()
    return max((value or "" for _, value in rows), key=len)


def answer_of(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    return json.loads(done.stdout)


def assert_cited_exactly(store: Path, answer: dict) -> None:
    """Every citation quotes the stored article exactly: article.text[start:end] == quote."""
    for c in answer["citations"]:
        assert stored_text(store, c["article_id"])[c["start"] : c["end"]] == c["quote"], c


def assert_one_line_error(done: subprocess.CompletedProcess, *words: str) -> None:
    """A failed command: a non-zero exit (not a crash), one `error:` line, no traceback."""
    assert done.returncode > 0, (done.returncode, done.stderr[-3000:])
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr[-3000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), done.stderr[-3000:]
    for word in words:
        assert word in lines[0], lines[0]


def _template(base: Path) -> Path:
    """The sample corpus ingested by `qa ingest`, its vector index files saved on disk: built once
    per test session, in pytest's temporary folder."""
    store = base / "damage-template"
    if (store / "ready").exists():
        return store
    shutil.rmtree(store, ignore_errors=True)
    first = sorted(SAMPLE.iterdir())[0]
    assert run_qa(store, "ingest", str(first)).returncode == 0
    subprocess.run([sys.executable, "-c", _LOWER_THRESHOLD, str(store / "chroma")], check=True)
    done = run_qa(store, "ingest", str(SAMPLE))
    assert done.returncode == 0, done.stderr[-3000:]
    for collection in ("news", "news_articles"):
        assert (vector_folder(store, collection) / "index_metadata.pickle").exists()  # saved, not in the log
    assert b"free ten hostages" in (store / "bm25" / "news" / "texts.bin").read_bytes()
    (store / "ready").touch()
    return store


def sample_store(tmp_path: Path) -> Path:
    """A fresh copy of the template store (see the module docstring) for one test to damage."""
    store = tmp_path / "store"
    shutil.copytree(_template(tmp_path.parent), store, ignore=shutil.ignore_patterns("ready"))
    return store
