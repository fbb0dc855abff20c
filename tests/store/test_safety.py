"""Store safety with real processes: SIGKILL during ingest, a store locked by another process,
and two processes ingesting and asking on the same embedded store at once.

The kill loop runs `qa ingest` (the real CLI) in children forked from a warm driver process
(this file run as a script), so a kill costs a fork instead of a cold start of the CLI.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from damage_kit import vector_folder

from qa.doctor.checks import run as run_doctor
from qa.errors import StoreError
from qa.ingest.chunking import chunk_text
from qa.ingest.loading import load_file
from qa.retrieval.snapshot import StoreSnapshot
from qa.settings import Settings
from qa.store.chroma import ArticleStore
from qa.store.guard import LOCK_NAME
from qa.store.records import index_text
from qa.store.selfcheck import tolerated_misses

HERE = Path(__file__).resolve()
_SYLLABLES = "ka lo mi nu te ra so vi de ba fu ge ho ji ku le ma ne po ri".split()
# A large made-up vocabulary: articles drawn from a few words would embed almost alike, and the
# approximate (HNSW) search would then miss some exact self-matches that nothing lost.
WORDS = sorted({"".join(random.Random(i).choices(_SYLLABLES, k=3)) for i in range(4000)})


# ----- helpers -------------------------------------------------------------------------------
def write_article(folder: Path, number: int, revision: int, rng: random.Random) -> None:
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize()
        + f" item {number}-{revision}-{j}."
        for j in range(rng.randint(3, 24))
    ]
    (folder / f"a{number:04d}.txt").write_text(f"Report {number} rev {revision}\n\n" + " ".join(sentences))


def open_store(store: Path, embedder, timeout: float = 20.0) -> ArticleStore:
    return ArticleStore.open_local(store, "news", embedder.model_name, 256, timeout)


def expected_chunks(corpus: Path) -> dict[str, int]:
    """Article id -> chunk count, computed from the files exactly as ingest chunks them."""
    settings = Settings()
    out = {}
    for path in sorted(corpus.iterdir()):
        for article in load_file(path):
            out[article.id] = len(chunk_text(article.id, article.text, settings.chunk_size, settings.chunk_overlap))
    return out


def pending_note(store: Path) -> str:
    """The write journal as a killed process left it (read with sqlite, before anyone recovers)."""
    database = store / "chroma" / "chroma.sqlite3"
    if not database.exists():
        return ""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT str_value FROM collection_metadata WHERE key = 'qa_pending'").fetchall()
    except sqlite3.OperationalError:
        return ""
    finally:
        con.close()
    return "".join(r[0] or "" for r in rows if r[0] and r[0] != "[]")


def check_consistent(store: ArticleStore, texts_seen: dict[str, set[str]], bm25_dir: Path, embedder) -> int:
    """Every article is whole or absent, no chunk outside an article, BM25 and the vector index
    agree with Chroma, every chunk's vector is the embedding of its text. Returns the number of
    articles present."""
    records = store.records()
    by_article: dict[str, list[tuple[str, dict]]] = {}
    embedded: dict[str, str] = {}  # chunk id -> the text its vector must embed
    for cid, text, meta in store.iter_chunks():
        by_article.setdefault(meta["article_id"], []).append((cid, meta))
        embedded[cid] = index_text(records[meta["article_id"]][0].title, text) if meta["article_id"] in records else text
    assert set(by_article) <= set(records), f"chunks of unknown articles: {set(by_article) - set(records)}"
    for article_id, (info, version) in records.items():
        chunks = by_article.get(article_id, [])
        assert all(m["version"] == version for _, m in chunks), f"{article_id}: chunks of another version"
        assert sorted(m["index"] for _, m in chunks) == list(range(info.chunks)), f"{article_id}: chunks missing"
        article = store.article(article_id)
        assert article is not None and article.text in texts_seen[article_id], f"{article_id}: text damaged"
        for cid, meta in chunks:
            assert store.chunks_by_id([cid])[cid][0] == article.text[meta["start"] : meta["end"]]
    snapshot = StoreSnapshot(bm25_dir)
    snapshot.ensure_current(store)
    assert sorted(snapshot.index.chunk_ids) == sorted(cid for chunks in by_article.values() for cid, _ in chunks)
    ids = sorted(embedded)
    stored = store.vectors_by_id(ids)
    assert sorted(stored) == ids, "chunks without a vector"
    expected = embedder.get_text_embedding_batch([embedded[cid] for cid in ids])
    wrong = [cid for cid, want in zip(ids, expected) if not np.allclose(stored[cid], want, atol=1e-4)]
    assert wrong == [], f"vectors that are not their chunk's embedding: {wrong[:5]}"
    lost = store.lost_vectors(limit=10**9)  # chunks a search with their own vector misses (approximate)
    assert len(lost) <= tolerated_misses(store.count_chunks()), lost
    return len(records)


def open_or_repair(store_dir: Path, embedder) -> tuple[ArticleStore, bool]:
    """Open after a kill; when the open reports a damaged index (a kill during Chroma's own
    index upkeep), run what the message says (`qa doctor --repair`) and open again."""
    try:
        return open_store(store_dir, embedder), False
    except StoreError as exc:
        assert "qa doctor --repair" in str(exc), exc
    report = run_doctor(Settings(store=store_dir), fix=True, embedder=embedder)
    assert report.healthy, report.to_dict()
    return open_store(store_dir, embedder), True


class KillDriver:
    """A warm process that forks `qa ingest` children and SIGKILLs them after a given delay."""

    def __init__(self, store: Path, corpus: Path):
        env = {**os.environ, "QA_STORE": str(store), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE), "kill-driver", str(corpus)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.proc.stdout.readline().strip() == "ready"

    def run(self, delay: float | None) -> dict:
        """Run one ingest; kill it after `delay` s (None: let it finish)."""
        self.proc.stdin.write(f"{-1 if delay is None else delay}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _driver_main(corpus: str) -> None:
    """Script mode: warm up imports, then per line on stdin fork a `qa ingest` and maybe kill it."""
    from qa.cli.app import app
    from qa.models.embedding import WordLlamaEmbedding

    WordLlamaEmbedding()  # load the weights once, before forking
    print("ready", flush=True)
    for line in sys.stdin:
        delay = float(line)
        started = time.monotonic()
        child = os.fork()
        if child == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            try:
                app(["ingest", corpus], standalone_mode=False)
                os._exit(0)
            except BaseException:
                os._exit(1)
        if delay >= 0:
            time.sleep(delay)
            os.kill(child, signal.SIGKILL)
        _, status = os.waitpid(child, 0)
        killed = os.WIFSIGNALED(status)
        code = None if killed else os.WEXITSTATUS(status)
        print(json.dumps({"killed": killed, "code": code, "seconds": time.monotonic() - started}), flush=True)


# ----- 1. crash safety -------------------------------------------------------------------------
@pytest.mark.long
def test_sigkill_during_ingest_leaves_whole_articles_and_a_rerun_completes(tmp_path, embedder, long_run):
    rng = random.Random(8)
    files, kills = (300, 50) if long_run else (40, 3)
    corpus, store_dir = tmp_path / "corpus", tmp_path / "store"
    corpus.mkdir()
    texts_seen: dict[str, set[str]] = {}
    revision = {n: 0 for n in range(files)}
    for n in range(files):
        write_article(corpus, n, 0, rng)

    def note_texts() -> None:  # every text an article had: what a stored article may hold
        for path in corpus.iterdir():
            for article in load_file(path):
                texts_seen.setdefault(article.id, set()).add(article.text)

    note_texts()
    driver = KillDriver(store_dir, corpus)
    try:
        calibration = driver.run(None)  # a full ingest: how long the work takes here
        assert calibration["code"] == 0
        full = calibration["seconds"]
        half_done = index_repairs = 0
        for round_number in range(kills):
            for n in rng.sample(range(files), k=files // 4):  # changed articles: the replace path
                revision[n] += 1
                write_article(corpus, n, revision[n], rng)
            note_texts()
            outcome = driver.run(rng.uniform(0.05, 1.1) * full)
            half_done += bool(pending_note(store_dir))
            store, repaired = open_or_repair(store_dir, embedder)  # opening finishes a half-done write
            index_repairs += repaired
            check_consistent(store, texts_seen, tmp_path / f"bm25-{round_number}", embedder)
            assert driver.run(None)["code"] == 0, outcome
            store, repaired = open_or_repair(store_dir, embedder)
            index_repairs += repaired
            want = expected_chunks(corpus)
            present = check_consistent(store, texts_seen, tmp_path / f"bm25-{round_number}-done", embedder)
            assert present == files and store.count_chunks() == sum(want.values())
            assert {aid: info.chunks for aid, (info, _) in store.records().items()} == want
        print(f"\n{kills} kills survived, {half_done} left a half-done write (finished on open), "
              f"{index_repairs} opens found the vector index damaged (rebuilt by qa doctor --repair)")
    finally:
        driver.close()


# ----- 2. locked store -------------------------------------------------------------------------
HOLD_SQLITE = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(60)
"""

HOLD_LOCKFILE = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def _holder(script: str, target: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def made_store(tmp_path, embedder) -> Path:
    """A store with one article."""
    from qa.assistant import Assistant

    store = tmp_path / "store"
    (tmp_path / "a.txt").write_text("Harbour report\n\nThe ferry to the island runs twice a day in winter.")
    assert Assistant.open(Settings(store=store), embedder=embedder).ingest([tmp_path / "a.txt"]).ok
    return store


def test_cli_on_a_store_whose_database_another_process_holds_fails_after_the_timeout(made_store):
    holder = _holder(HOLD_SQLITE, made_store / "chroma" / "chroma.sqlite3")
    try:
        env = {**os.environ, "QA_STORE": str(made_store), "QA_STORE_TIMEOUT": "1.5"}
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "qa.cli", "articles"], env=env, capture_output=True,
                              text=True, timeout=120)
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1
    assert "locked by another process" in done.stderr and "QA_STORE_TIMEOUT" in done.stderr
    assert str(made_store) in done.stderr and "Traceback" not in done.stderr
    assert took < 60  # a hang would run into the subprocess timeout


def test_ingest_and_ask_while_another_process_holds_the_database_fail_instead_of_hanging(made_store, embedder):
    from qa.assistant import Assistant

    assistant = Assistant.open(Settings(store=made_store, store_timeout=1.0), embedder=embedder)
    (made_store.parent / "b.txt").write_text("Mill report\n\nThe old mill by the canal reopened as a museum.")
    holder = _holder(HOLD_SQLITE, made_store / "chroma" / "chroma.sqlite3")
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="locked by another process"):
            assistant.ingest([made_store.parent / "b.txt"])
        with pytest.raises(StoreError, match="locked by another process"):
            assistant.ask("When does the ferry run?")
        assert time.monotonic() - started < 20
    finally:
        holder.kill()
        holder.wait()
    assert assistant.retriever.retrieve("When does the ferry run?", 3)  # usable again once released
    assert len(assistant.articles()) == 1  # nothing half-written


def test_a_writer_holding_the_store_lock_makes_others_wait_then_fail(made_store, embedder):
    holder = _holder(HOLD_LOCKFILE, made_store / LOCK_NAME)
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="QA_STORE_TIMEOUT"):
            open_store(made_store, embedder, timeout=0.5)
        assert 0.4 < time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()
    assert len(open_store(made_store, embedder).records()) == 1


# ----- 3. damaged store and `qa doctor` --------------------------------------------------------
@pytest.fixture(scope="module")
def big_store(tmp_path_factory) -> Path:
    """1,500 one-chunk articles: enough that Chroma has saved its index files and purged its log
    (below about 1,000 writes it rebuilds the index from the log and a damage goes unnoticed)."""
    from qa.assistant import Assistant
    from qa.models.embedding import WordLlamaEmbedding
    from qa.types import Article

    rng = random.Random(15)
    store = tmp_path_factory.mktemp("big") / "store"
    articles = [
        Article(id=f"n{i}", title=f"Note {i}", text=" ".join(rng.choice(WORDS) for _ in range(30)) + f" code{i}.")
        for i in range(1500)
    ]
    assistant = Assistant.open(Settings(store=store), embedder=WordLlamaEmbedding())
    assert assistant.add_articles(articles, batch=500).ok
    assert (vector_folder(store) / "index_metadata.pickle").exists()
    return store


def _damage(folder: Path, how: str) -> None:
    if how == "deleted":
        import shutil

        shutil.rmtree(folder)
        return
    for name in ("header.bin", "data_level0.bin", "link_lists.bin"):
        data = bytearray((folder / name).read_bytes())
        data[::7] = bytes(b ^ 0x5A for b in data[::7])
        (folder / name).write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["deleted", "corrupted"])
def test_damaged_index_is_detected_on_open_and_doctor_repair_rebuilds_it(big_store, tmp_path, embedder, how):
    import shutil

    from qa.assistant import Assistant
    from qa.doctor.checks import run

    store = tmp_path / "store"
    shutil.copytree(big_store, store)
    _damage(vector_folder(store), how)
    settings = Settings(store=store)
    with pytest.raises(StoreError, match=r"damaged or missing.*qa doctor --repair"):
        Assistant.open(settings, embedder=embedder)
    before = run(settings, embedder=embedder)
    assert [f.check for f in before.problems] == ["index"]
    assert before.to_dict()["healthy"] is False
    repaired = run(settings, fix=True, embedder=embedder)
    assert repaired.healthy, repaired.to_dict()
    assert any("re-embedded 1500 chunks of 1500 articles" in line for line in repaired.repaired)
    assistant = Assistant.open(settings, embedder=embedder)  # opens again: the self-check passes
    assert len(assistant.articles()) == 1500 and assistant.store.count_chunks() == 1500
    text = assistant.article("n42").text
    best = assistant.retriever.retrieve(text, 1, mode="dense")
    assert best and best[0].article_id == "n42"


def test_doctor_cli_reports_problems_as_json_and_exit_1_then_repairs(made_store, embedder):
    from qa.ingest.chunking import chunk_text

    store = open_store(made_store, embedder)
    (article_id, (info, version)), = store.records().items()
    chunks = store.maintenance.chunk_collection  # raw writes: the damage a crash or a bug could leave
    chunks.add(ids=["ghost#old#0"], documents=["left behind"], embeddings=[[0.1] * 256],
               metadatas=[{"article_id": article_id, "version": "old", "index": 0}])
    text = store.article(article_id).text
    assert len(chunk_text(article_id, text, 160, 30)) == info.chunks == 1
    chunks.delete(where={"version": version})  # the article loses its only chunk
    store.maintenance.bump_stamp()
    env = {**os.environ, "QA_STORE": str(made_store)}
    check = subprocess.run([sys.executable, "-m", "qa.cli", "doctor", "--json"], env=env, capture_output=True, text=True)
    assert check.returncode == 1, check.stderr
    report = json.loads(check.stdout)
    assert {f["check"] for f in report["findings"] if not f["ok"]} == {"orphans", "articles"}
    fixed = subprocess.run([sys.executable, "-m", "qa.cli", "doctor", "--repair"], env=env, capture_output=True, text=True)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "re-chunked 1 articles" in fixed.stdout and "Traceback" not in fixed.stderr
    store = open_store(made_store, embedder)
    chunks = list(store.iter_chunks())
    assert [m["article_id"] for _, _, m in chunks] == [article_id]
    assert store.article(article_id).text == text


def test_doctor_raises_an_old_stores_search_list_without_touching_its_chunks(made_store, embedder):
    """Stores made before qa asked Chroma for a search list of 400 keep its default of 100."""
    from qa.doctor.checks import run
    from qa.store.collections import SEARCH_LIST

    store = open_store(made_store, embedder)
    store.maintenance.set_search_list(100)  # what an older qa left
    before_chunks = sorted(store.iter_chunks())
    settings = Settings(store=made_store)
    report = run(settings, embedder=embedder)
    (finding,) = report.problems
    assert finding.check == "search list" and "100 candidates" in finding.detail and "--repair" in finding.detail
    repaired = run(settings, fix=True, embedder=embedder)
    assert repaired.repaired == ("raised the vector index's search list from 100 to 400 candidates per query",)
    assert repaired.healthy, repaired.to_dict()
    reopened = open_store(made_store, embedder)
    assert reopened.maintenance.search_list() == SEARCH_LIST == 400
    assert sorted(reopened.iter_chunks()) == before_chunks  # nothing re-embedded or dropped
    assert run(settings, fix=True, embedder=embedder).repaired == ()  # a second repair has nothing to do


class _Killed(BaseException):
    """Stands in for a kill: nothing below the raise runs, and no `except Exception` catches it."""


@pytest.mark.parametrize("killed_after_dropping", ["news", "news_articles"])
def test_a_repair_killed_in_its_swap_loses_nothing_and_the_next_repair_finishes_it(
    made_store, embedder, monkeypatch, killed_after_dropping
):
    """The rebuild swaps each rebuilt collection in by dropping the old one and renaming the new
    one. Killed between the two, the store has only the rebuilt copy: other commands must refuse it
    (not create an empty collection under the old name), and the next repair must finish the swap
    (the doctor's own open does create that empty collection, which the repair then drops)."""
    from qa.doctor.checks import run
    from qa.store import maintenance
    from qa.store.collections import REBUILD_SUFFIX

    store = open_store(made_store, embedder)
    (article_id, (_, version)), = store.records().items()
    text = store.article(article_id).text
    store.maintenance.chunk_collection.add(
        ids=["ghost#old#0"], documents=["left behind"], embeddings=[[0.1] * 256],
        metadatas=[{"article_id": article_id, "version": "old", "index": 0}],
    )  # forces a rebuild
    real_drop = maintenance.drop_collection
    swapping = {"started": False}

    def drop_then_die(client, name):
        real_drop(client, name)
        if name == killed_after_dropping and swapping["started"]:
            raise _Killed
        swapping["started"] |= name.endswith(REBUILD_SUFFIX) and name.startswith("news_articles")

    monkeypatch.setattr(maintenance, "drop_collection", drop_then_die)
    settings = Settings(store=made_store)
    with pytest.raises(_Killed):
        run(settings, fix=True, embedder=embedder)
    monkeypatch.setattr(maintenance, "drop_collection", real_drop)
    # Until the repair is finished, other commands refuse the store instead of making it an empty one.
    with pytest.raises(StoreError, match=r"halfway through a `qa doctor --repair`.*run `qa doctor --repair` again"):
        open_store(made_store, embedder)
    env = {**os.environ, "QA_STORE": str(made_store)}
    ask = subprocess.run([sys.executable, "-m", "qa.cli", "ask", "When does the ferry run?"], env=env,
                         capture_output=True, text=True)
    assert ask.returncode == 1 and "qa doctor --repair" in ask.stderr and "Traceback" not in ask.stderr, ask.stderr
    repaired = run(settings, fix=True, embedder=embedder)
    assert repaired.healthy, repaired.to_dict()
    assert any(line.startswith("finished an interrupted rebuild") for line in repaired.repaired), repaired.repaired
    store = open_store(made_store, embedder)
    assert store.article(article_id).text == text
    assert [m["article_id"] for _, _, m in store.iter_chunks()] == [article_id]


def test_a_killed_write_is_finished_when_the_store_is_next_opened(made_store, embedder):
    store = open_store(made_store, embedder)
    (article_id, (_, version)), = store.records().items()
    # What a write killed after adding its chunks leaves: new chunks no record names, and the note.
    chunks = store.maintenance.chunk_collection
    chunks.add(ids=[f"{article_id}#next#0", "newcomer#v1#0"], documents=["a", "b"],
               embeddings=[[0.1] * 256, [0.2] * 256],
               metadatas=[{"article_id": article_id, "version": "next", "index": 0},
                          {"article_id": "newcomer", "version": "v1", "index": 0}])
    meta = store.maintenance.collection_metadata()
    chunks.modify(metadata={**meta, "qa_pending": json.dumps([article_id, "newcomer"])})
    assert pending_note(made_store)
    reopened = open_store(made_store, embedder)
    assert sorted(reopened.recovered_on_open) == [article_id, "newcomer"]
    assert [m["version"] for _, _, m in reopened.iter_chunks()] == [version]
    assert not pending_note(made_store)


# ----- 4. two ingesting processes and an asking one on the same embedded store ---------------
def _ingest_each_main(folder: str) -> None:
    """Script mode: ingest the files one by one (one store write each), as `qa ingest` would."""
    from qa.assistant import Assistant

    assistant = Assistant.open()
    for path in sorted(Path(folder).iterdir()):
        report = assistant.ingest([path])
        assert report.ok, [f.to_dict() for f in report.files]
    print("done", flush=True)


def _ask_until_main(deadline: str, *paths: str) -> None:
    """Script mode: a long-lived asker; waits until every given article is retrieved first, both
    by BM25 and by the vector index (which it must reload to see other processes' writes)."""
    from qa.assistant import Assistant

    assistant = Assistant.open()
    assistant.retriever.retrieve("warm up", 1)  # load both indexes before the others write
    print("ready", flush=True)
    wanted = {article.id: article.text for path in paths for article in load_file(Path(path))}
    seen: dict[str, set[str]] = {mode: set() for mode in ("dense", "bm25")}
    stop = time.monotonic() + float(deadline)
    while time.monotonic() < stop and any(len(found) < len(wanted) for found in seen.values()):
        for mode, found in seen.items():
            for article_id, text in wanted.items():
                if article_id not in found:
                    best = assistant.retriever.retrieve(text, 1, mode=mode)
                    if best and best[0].article_id == article_id:
                        found.add(article_id)
        time.sleep(0.2)
    print(json.dumps({mode: sorted(found) for mode, found in seen.items()}), flush=True)


def test_two_ingesters_and_an_asker_share_an_embedded_store(made_store, tmp_path, embedder, long_run):
    per_writer = 60 if long_run else 15
    rng = random.Random(4)
    folders = [tmp_path / "w1", tmp_path / "w2"]
    texts_seen: dict[str, set[str]] = {}
    for number, folder in enumerate(folders):
        folder.mkdir()
        for i in range(per_writer):
            body = " ".join(rng.choice(WORDS) for _ in range(40))
            (folder / f"w{number}-{i:03d}.txt").write_text(f"Dispatch {number}-{i}\n\n{body} tag{number}x{i}.")
        for path in folder.iterdir():
            for article in load_file(path):
                texts_seen[article.id] = {article.text}
    base = open_store(made_store, embedder)
    texts_seen.update({article_id: {base.article(article_id).text} for article_id in base.records()})
    env = {**os.environ, "QA_STORE": str(made_store), "PYTHONUNBUFFERED": "1"}
    last = [str(sorted(f.iterdir())[-1]) for f in folders] + [str(sorted(folders[0].iterdir())[0])]
    asker = subprocess.Popen([sys.executable, str(HERE), "ask-until", "240", *last], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert asker.stdout.readline().strip() == "ready", asker.stderr.read()
    writers = [subprocess.Popen([sys.executable, str(HERE), "ingest-each", str(f)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in folders]
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0 and out.strip() == "done", err[-2000:]
    out, err = asker.communicate(timeout=600)
    assert asker.returncode == 0, err[-2000:]
    seen = json.loads(out)
    wanted = sorted(a.id for path in last for a in load_file(Path(path)))
    assert seen == {"dense": wanted, "bm25": wanted}  # the asker saw the new articles both ways
    store = open_store(made_store, embedder)
    assert check_consistent(store, texts_seen, tmp_path / "bm25", embedder) == 1 + 2 * per_writer  # nothing lost


if __name__ == "__main__" and sys.argv[1:2] == ["kill-driver"]:
    _driver_main(sys.argv[2])
elif __name__ == "__main__" and sys.argv[1:2] == ["ingest-each"]:
    _ingest_each_main(sys.argv[2])
elif __name__ == "__main__" and sys.argv[1:2] == ["ask-until"]:
    _ask_until_main(*sys.argv[2:])
