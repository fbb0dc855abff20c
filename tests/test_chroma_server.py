"""Server mode against a real `chroma run` on loopback: ingest and ask through it, several
clients (Assistant objects and `qa` processes) sharing one collection, the server stopping and
coming back, tokens, and `qa eval`."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE
from qa.assistant import Assistant
from qa.errors import ConfigError, StoreError
from qa.store.remote import ServerAddress

BIN = Path(sys.executable).parent
QUESTION = "How many hostages would be released?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """`chroma run` in a subprocess; stop() and start() again keep the same path and port."""

    def __init__(self, path: Path, log: Path):
        self.path, self.log = path, log
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, wait: float = 30.0) -> None:
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "chroma"), "run", "--path", str(self.path), "--host", "127.0.0.1",
                 "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"chroma run did not answer within {wait} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chroma-server")
    running = ChromaServer(folder / "db", folder / "server.log")
    running.start()
    yield running
    running.stop()


@pytest.fixture
def collection() -> str:
    """Each test gets its own collection on the shared module server."""
    return f"t{uuid.uuid4().hex[:12]}"


def _open(server, collection, store: Path, embedder, **overrides) -> Assistant:
    return Assistant.open(
        embedder=embedder, chroma_url=server.url, collection=collection, store=store, **overrides
    )


def _article(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(f"# {title}\n\n{body}\n", encoding="utf-8")
    return path


def _assert_verified(assistant: Assistant, answer) -> None:
    assert answer.citations, answer.answer
    for c in answer.citations:
        assert assistant.article(c.article_id).text[c.start : c.end] == c.quote


def _server_collections(server) -> set[str]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.HttpClient(
        host="127.0.0.1", port=server.port, settings=ChromaSettings(anonymized_telemetry=False)
    )
    return {c.name for c in client.list_collections()}


# ----- one client ----------------------------------------------------------------------------
def test_ingest_and_ask_through_the_server(server, collection, tmp_path, embedder):
    assistant = _open(server, collection, tmp_path / "store", embedder)
    report = assistant.ingest([SAMPLE])
    assert report.count("added") >= 5 and not report.failed

    answer = assistant.ask(QUESTION)
    _assert_verified(assistant, answer)
    assert any("ten" in c.quote for c in answer.citations)
    assert assistant.stats()["store"] == server.url
    assert {collection, f"{collection}_articles"} <= _server_collections(server)
    # the chunks live on the server; only the BM25 copy is local
    assert not (tmp_path / "store" / "chroma").exists()
    assert (tmp_path / "store" / "bm25" / collection / "chunks.json").exists()
    # ingesting again changes nothing
    assert assistant.ingest([SAMPLE]).count("unchanged") == report.count("added")


def _peer_addresses(pid: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Remote ends of the TCP sockets a process holds (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    peers = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                raw = bytes.fromhex(fields[2].split(":")[0])
                # the kernel prints each 32-bit word in host (little-endian) order
                raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
                peers.append(ipaddress.ip_address(raw))
    return peers


def test_the_server_talks_to_no_one_but_loopback(server, collection, tmp_path, embedder):
    assistant = _open(server, collection, tmp_path / "store", embedder)
    assistant.ingest([SAMPLE])
    assistant.ask(QUESTION)
    peers = _peer_addresses(server.process.pid)
    # the client's kept-alive connection shows up: the check does see live connections
    assert any(peer.is_loopback for peer in peers), peers
    for peer in peers:
        mapped = getattr(peer, "ipv4_mapped", None)
        assert peer.is_loopback or peer.is_unspecified or (mapped and mapped.is_loopback), peer


# ----- several clients -----------------------------------------------------------------------
def test_two_assistants_see_each_others_articles_updates_and_removes(server, collection, tmp_path, embedder):
    # separate local folders: each keeps its own BM25 copy, as on two machines
    first = _open(server, collection, tmp_path / "a", embedder)
    second = _open(server, collection, tmp_path / "b", embedder)
    docs = tmp_path / "docs"
    path = _article(docs, "glacier", "Glacier survey",
                    "The Vorlauf glacier retreated 41 metres last summer, the survey team reported.")
    assert second.ingest([SAMPLE]).count("added") >= 5
    assert first.ingest([path]).count("added") == 1
    glacier_id = next(a.id for a in first.articles() if a.title == "Glacier survey")

    # the other client sees it at once, through BM25 alone as well
    assert glacier_id in {a.id for a in second.articles()}
    answer = second.ask("How far did the Vorlauf glacier retreat?", retrieval="bm25")
    assert answer.retrieved[0].article_id == glacier_id
    _assert_verified(second, answer)
    assert "41 metres" in " ".join(c.quote for c in answer.citations)

    # an update by one client: the other cites the new text (no stale cached article)
    _article(docs, "glacier", "Glacier survey",
             "The Vorlauf glacier retreated 57 metres last summer, the survey team reported.")
    assert first.ingest([path]).count("updated") == 1
    answer = second.ask("How far did the Vorlauf glacier retreat?", retrieval="bm25")
    _assert_verified(second, answer)
    quoted = " ".join(c.quote for c in answer.citations)
    assert "57 metres" in quoted and "41 metres" not in quoted

    # a remove by the other client: gone for the first, BM25 included
    assert second.remove(glacier_id)
    assert glacier_id not in {a.id for a in first.articles()}
    for mode in ("bm25", "dense", "hybrid"):
        answer = first.ask("How far did the Vorlauf glacier retreat?", retrieval=mode)
        assert glacier_id not in {c.article_id for c in answer.retrieved}, mode
    _assert_verified(first, first.ask(QUESTION))


def _qa(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "qa"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=180
    )


def _cli_env(server, collection: str, store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(QA_CHROMA_URL=server.url, QA_COLLECTION=collection, QA_STORE=str(store),
               ANONYMIZED_TELEMETRY="False")
    return env


def _qa_together(env: dict[str, str], *commands: list[str], cwd: Path) -> list[tuple[str, str]]:
    """Run several `qa` commands at the same time; (stdout, stderr) of each, all must succeed."""
    running = [subprocess.Popen([str(BIN / "qa"), *c], env=env, cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for c in commands]
    outputs = [p.communicate(timeout=180) for p in running]
    for process, (_, stderr) in zip(running, outputs):
        assert process.returncode == 0, stderr
    return outputs


def test_cli_processes_share_the_server(server, collection, tmp_path, embedder):
    # all processes use one local folder: they share (and must not corrupt) the BM25 copy
    store = tmp_path / "store"
    env = _cli_env(server, collection, store)
    docs = tmp_path / "docs"
    one = _article(docs / "one", "orchard", "Orchard frost",
                   "A late frost destroyed 70 percent of the Kestrel Valley apricot blossom.")
    two = _article(docs / "two", "ferry", "Ferry strike",
                   "Ferry crews on the Marrow Strait walked out for 36 hours over rosters.")
    _qa_together(env, ["ingest", str(one)], ["ingest", str(two)], cwd=tmp_path)

    listed = _qa(env, "articles", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    ids = {a["title"]: a["id"] for a in json.loads(listed.stdout)}
    assert set(ids) == {"Orchard frost", "Ferry strike"}

    # two `qa ask` at once, both finding the shared BM25 folder out of date after the writes
    question = "How long did the Marrow Strait ferry crews walk out?"
    for stdout, _ in _qa_together(env, ["ask", "--json", question], ["ask", "--json", question], cwd=tmp_path):
        answer = json.loads(stdout)
        assert answer["citations"] and answer["citations"][0]["article_id"] == ids["Ferry strike"]
        assert "36 hours" in answer["citations"][0]["quote"]

    removed = _qa(env, "remove", ids["Ferry strike"], cwd=tmp_path)
    assert removed.returncode == 0 and "removed" in removed.stdout
    # a reader on the same folder sees the remove, BM25 included, and the saved copy is whole
    reader = _open(server, collection, store, embedder)
    assert [a.id for a in reader.articles()] == [ids["Orchard frost"]]
    answer = reader.ask(question, retrieval="bm25")
    assert ids["Ferry strike"] not in {c.article_id for c in answer.retrieved}
    saved = json.loads((store / "bm25" / collection / "chunks.json").read_text())
    assert saved["stamp"] == reader.store.stamp() and set(saved["article_ids"]) == {ids["Orchard frost"]}


# ----- eval ----------------------------------------------------------------------------------
def test_qa_eval_in_server_mode_matches_embedded(server, collection, tmp_path, embedder):
    from qa.evaluation.runner import run_eval

    gold = REPO / "eval" / "gold" / "sample.jsonl"
    assistant = _open(server, collection, tmp_path / "store", embedder)
    assistant.ingest([SAMPLE])
    before = _server_collections(server)

    env = _cli_env(server, collection, tmp_path / "store")
    on_server = _qa(env, "eval", str(gold), "--json", "--out", str(tmp_path / "report"), cwd=tmp_path)
    assert on_server.returncode == 0, on_server.stderr
    summary = json.loads(on_server.stdout)
    assert summary["corpus"]["source"] == server.url
    assert summary["metrics"]["questions"] > 10 and summary["metrics"]["errors"] == 0

    # the same gold set on a throwaway store built from the same articles, in server mode
    _, throwaway = run_eval(assistant.settings, gold=gold, articles=SAMPLE, embedder=embedder)
    assert throwaway["corpus"]["source"] == str(SAMPLE)
    # same corpus, same pipeline: the store backend must not change a single score
    assert throwaway["metrics"] == summary["metrics"]
    # the throwaway store stayed embedded: nothing new on the shared server
    assert _server_collections(server) == before


# ----- tokens and bad settings ---------------------------------------------------------------
class _TokenGate(BaseHTTPRequestHandler):
    """A loopback reverse proxy that lets requests through to Chroma only with the right token
    (what a team puts in front of `chroma run`)."""

    upstream = ""
    token = ""

    def _relay(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        request = urllib.request.Request(self.upstream + self.path, data=body, method=self.command,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                status, payload = reply.status, reply.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _relay

    def log_message(self, *args) -> None:
        pass


def test_token_is_sent_checked_and_never_shown(server, collection, tmp_path, embedder, monkeypatch):
    gate = type("Gate", (_TokenGate,), {"upstream": server.url, "token": "s3cret-team-token"})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), gate)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        right = Assistant.open(embedder=embedder, chroma_url=url, chroma_token="s3cret-team-token",
                               collection=collection, store=tmp_path / "store")
        assert right.ingest([SAMPLE]).count("added") >= 5
        _assert_verified(right, right.ask(QUESTION))

        for token in ("wrong-token-value", None):
            with pytest.raises(StoreError) as refused:
                Assistant.open(embedder=embedder, chroma_url=url, chroma_token=token,
                               collection=collection, store=tmp_path / "store")
            assert str(refused.value) == (
                f"the Chroma server at {url} refused the request (HTTP 401): check QA_CHROMA_TOKEN"
            )

        env = _cli_env(server, collection, tmp_path / "store")
        env.update(QA_CHROMA_URL=url, QA_CHROMA_TOKEN="wrong-token-value")
        shown = _qa(env, "config", "--json", cwd=tmp_path)
        assert shown.returncode == 0 and "wrong-token-value" not in shown.stdout
        assert json.loads(shown.stdout)["chroma_url"] == url
    finally:
        proxy.shutdown()
        proxy.server_close()


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("127.0.0.1:9000", "http://127.0.0.1:9000"),
        ("http://chroma.internal", "http://chroma.internal:8000"),
        ("https://chroma.example.org/", "https://chroma.example.org:443"),
    ],
)
def test_server_urls_are_normalised(url, expected):
    assert ServerAddress.parse(url).url == expected


@pytest.mark.parametrize("url", ["ftp://host:1", "http://host:99999", "http://host:8000/api", "http://:8000"])
def test_bad_server_urls_are_config_errors(url, tmp_path, embedder):
    with pytest.raises(ConfigError, match="QA_CHROMA_URL"):
        Assistant.open(embedder=embedder, chroma_url=url, store=tmp_path)


def test_no_server_at_the_url_is_a_clear_error(tmp_path, embedder):
    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(StoreError) as caught:
        Assistant.open(embedder=embedder, chroma_url=url, store=tmp_path)
    assert str(caught.value) == (
        f"cannot reach the Chroma server at {url}; is `chroma run` running and QA_CHROMA_URL right?"
    )


# ----- the server stops and comes back (last: it restarts the module's server) ---------------
def test_server_stopped_then_restarted(server, collection, tmp_path, embedder):
    assistant = _open(server, collection, tmp_path / "store", embedder)
    assistant.ingest([SAMPLE])
    before = {a.id: a.hash for a in assistant.articles()}
    expected = assistant.ask(QUESTION)

    server.stop()
    try:
        message = f"cannot reach the Chroma server at {server.url}"
        for call in (lambda: assistant.ask(QUESTION), assistant.articles, assistant.stats,
                     lambda: assistant.remove(next(iter(before)))):
            with pytest.raises(StoreError, match=message):
                call()
        extra = _article(tmp_path / "docs", "late", "Late note", "The harbour reopened on Tuesday.")
        _assert_ingest_fails(assistant, extra, message)

        cli = _qa(_cli_env(server, collection, tmp_path / "store"), "articles", cwd=tmp_path)
        assert cli.returncode == 1
        assert message in cli.stderr and "chroma run" in cli.stderr and "Traceback" not in cli.stderr
    finally:
        server.start()

    # same client, no reopening: everything is still there and it carries on
    assert {a.id: a.hash for a in assistant.articles()} == before
    again = assistant.ask(QUESTION)
    _assert_verified(assistant, again)
    assert [c.quote for c in again.citations] == [c.quote for c in expected.citations]
    assert assistant.ingest([extra]).count("added") == 1
    assert len(assistant.articles()) == len(before) + 1


def _assert_ingest_fails(assistant: Assistant, path: Path, message: str) -> None:
    """Ingest may stop with the StoreError or report the file failed with it; never 'added'."""
    try:
        report = assistant.ingest([path])
    except StoreError as exc:
        assert message in str(exc)
        return
    assert [f.status for f in report.files] == ["failed"]
    assert message in report.files[0].reason


def test_doctor_on_a_server_store_reads_and_raises_its_search_list(server, collection, tmp_path, embedder):
    from qa.doctor.checks import run
    from qa.settings import Settings
    from qa.types import Article

    assistant = _open(server, collection, tmp_path / "local", embedder)
    assert assistant.add_articles([Article(id="probe", title="Probe", text="The probe weighs 1,340 kilograms.")]).ok
    settings = Settings(chroma_url=server.url, collection=collection, store=tmp_path / "local")
    (finding,) = [f for f in run(settings, embedder=embedder).findings if f.check == "search list"]
    assert finding.ok and finding.detail == "400 candidates per vector query"  # new stores ask for 400
    assistant.store.maintenance.set_search_list(100)  # what an older qa left
    assert [f.check for f in run(settings, embedder=embedder).problems] == ["search list"]
    repaired = run(settings, fix=True, embedder=embedder)
    assert repaired.healthy and "from 100 to 400" in repaired.repaired[-1], repaired.to_dict()
