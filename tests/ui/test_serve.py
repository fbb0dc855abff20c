"""The served web UI over real HTTP on loopback (issue 20 items 6 and 8, issue 22 item 5):
nothing about the store or the server's files before login, the Eval tab reads only gold files
offered by name or uploaded in the same session, uploads are limited at the door, and serving
prints its own address without Gradio's share=True hint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from test_ui_browser import free_port

from conftest import REPO, SAMPLE
from qa.ui.gold_files import REFUSED

USER, PASSWORD = "editor", "s3cret-pass"
LIMIT_MB = 0.05  # QA_MAX_UPLOAD_MB for this app: 52,428 bytes
LIMIT = int(LIMIT_MB * 1024 * 1024)
GOLD = ('{"id": "g1", "question": "How many hostages would be released?", "answers": ["ten"], '
        '"answerable": true}\n')


class App:
    def __init__(self, url: str, store: Path, uploads: Path, log: Path, root: Path):
        self.url, self.store, self.uploads, self.log, self.root = url, store, uploads, log, root

    @contextmanager
    def login(self) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=self.url, timeout=120) as http:
            http.post("/login", data={"username": USER, "password": PASSWORD}).raise_for_status()
            yield http

    def call(self, http: httpx.Client, api_name: str, data: list, session: str = "") -> tuple[str, object]:
        """One event through Gradio's HTTP call API: (its last SSE event name, its data)."""
        body = {"data": data, **({"session_hash": session} if session else {})}
        event_id = http.post(f"/gradio_api/call/{api_name}", json=body).raise_for_status().json()["event_id"]
        event, payload = "", None
        with http.stream("GET", f"/gradio_api/call/{api_name}/{event_id}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    payload = json.loads(line.split(":", 1)[1].strip() or "null")
        return event, payload


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    store, uploads, log = root / "store", root / "gradio-uploads", root / "app.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_") and k != "GRADIO_TEMP_DIR"}
    port = free_port()
    env.update(QA_STORE=str(store), QA_PORT=str(port), QA_HOST="127.0.0.1", QA_UI_AUTH=f"{USER}:{PASSWORD}",
               QA_MAX_UPLOAD_MB=str(LIMIT_MB), GRADIO_TEMP_DIR=str(uploads), GRADIO_ANALYTICS_ENABLED="False")
    subprocess.run([str(Path(sys.executable).with_name("qa")), "ingest", str(SAMPLE)], env=env, check=True,
                   capture_output=True, timeout=180)
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, str(REPO / "app.py")], env=env, cwd=root, stdout=out,
                                   stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 120
            while True:
                try:
                    httpx.get(url + "/", timeout=2)
                    break
                except httpx.HTTPError:
                    assert process.poll() is None, log.read_text()
                    assert time.time() < deadline, "the UI did not start"
                    time.sleep(0.5)
            yield App(url, store, uploads, log, root)
        finally:
            process.terminate()
            process.wait(30)


def _store_facts() -> list[str]:
    """Every article id and title of the sample, and the server paths the page must not show."""
    from qa.ingest.loading import load_file, walk

    articles = [a for path in walk([SAMPLE]) for a in load_file(path)]
    facts = [a.id for a in articles] + [a.title for a in articles]
    return facts + ["sample.jsonl", "trust.jsonl", "eval/gold", str(REPO), "data/sample"]


def test_nothing_about_the_store_or_server_paths_before_login(app):
    facts = _store_facts() + [str(app.root)]
    pages = {path: httpx.get(app.url + path, timeout=30) for path in
             ("/", "/config", "/gradio_api/info", "/gradio_api/openapi.json", "/gradio_api/load_library")}
    for path, response in pages.items():
        shown = [fact for fact in facts if fact in response.text or json.dumps(fact)[1:-1] in response.text]
        assert shown == [], f"{path} shows {shown[:5]} before login"
    assert pages["/"].status_code == 200 and pages["/config"].status_code == 401
    # after login the page loads them (the Library table, the delete ids, the gold files)
    with app.login() as http:
        event, data = app.call(http, "load_library", [])
        assert event == "complete" and "gaza-ceasefire-talks" in json.dumps(data)
        event, data = app.call(http, "load_gold_files", [])
        assert "sample.jsonl" in json.dumps(data) and str(REPO) not in json.dumps(data)


def _refusal(app: App, http: httpx.Client, pick, uploaded) -> str:
    event, data = app.call(http, "run_gold", [pick, uploaded, "current store"])
    assert event == "complete", (event, data)
    return data[1]  # the charts panel carries the message


def test_eval_reads_only_listed_gold_names_or_this_sessions_uploads(app, tmp_path):
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"id": "s1", "question": "What is the private plan?", "answers": ["x"]}\n', encoding="utf-8")
    with app.login() as http:
        refusals = [
            _refusal(app, http, str(secret), None),  # exists on the server
            _refusal(app, http, str(tmp_path / "no-such.jsonl"), None),  # does not
            _refusal(app, http, str(REPO / "eval" / "gold" / "sample.jsonl"), None),  # a gold file, as a path
            _refusal(app, http, "../../etc/passwd", None),
        ]
        for message in refusals:
            assert REFUSED in message and "private plan" not in message, message
        assert len(set(refusals)) == 1  # the same words whether or not the file exists
        # a server path posing as an upload: Gradio refuses it before the handler, saying nothing
        for path in (secret, tmp_path / "no-such.jsonl"):
            event, data = app.call(http, "run_gold", [None, {"path": str(path), "meta": {"_type": "gradio.FileData"}},
                                                      "current store"])
            assert (event, data) == ("error", {"error": None})
            event, data = app.call(http, "gold_uploaded", [{"path": str(path), "meta": {"_type": "gradio.FileData"}}])
            assert (event, data) == ("error", {"error": None})
        # an upload counts only in the session that uploaded it through the tab
        gold = tmp_path / "mine.jsonl"
        gold.write_text(GOLD, encoding="utf-8")
        files = http.post("/gradio_api/upload", files=[("files", ("mine.jsonl", GOLD.encode(), "text/plain"))])
        uploaded = {"path": files.raise_for_status().json()[0], "meta": {"_type": "gradio.FileData"}}
        assert REFUSED in _refusal(app, http, None, uploaded)  # uploaded, but not through this session's tab
        session = "qa-test-session"
        event, _ = app.call(http, "gold_uploaded", [uploaded], session=session)
        assert event == "complete"
        event, data = app.call(http, "run_gold", [None, uploaded, "current store"], session=session)
        assert event == "complete" and "answer.answer_recall" in json.dumps(data[0]), data
        event, data = app.call(http, "run_gold", [None, uploaded, "current store"], session="another-session")
        assert REFUSED in data[1]
        # a listed name is read (trust.jsonl needs articles this store lacks: the gold file's own check says so)
        event, data = app.call(http, "run_gold", ["trust.jsonl", None, "current store"])
        assert event == "complete" and REFUSED not in data[1] and "the gold file names" in data[1], data


def _stored_with(folder: Path, marker: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and marker in p.read_bytes()] if folder.exists() else []


def test_an_upload_over_the_limit_is_refused_at_the_door_and_not_stored(app):
    over, under = b"OVER-LIMIT-MARKER " + b"x" * LIMIT, b"UNDER-LIMIT-MARKER " + b"y" * (LIMIT - 1000)
    with app.login() as http:
        refused = http.post("/gradio_api/upload", files=[("files", ("big.txt", over, "text/plain"))])
        assert refused.status_code == 413, refused.text
        assert "maximum allowed size" in refused.text
        accepted = http.post("/gradio_api/upload", files=[("files", ("small.txt", under, "text/plain"))])
        assert accepted.status_code == 200, accepted.text
    time.sleep(1)  # Gradio moves accepted files into its cache in a background task
    assert _stored_with(app.uploads, b"OVER-LIMIT-MARKER") == []
    assert len(_stored_with(app.uploads, b"UNDER-LIMIT-MARKER")) >= 1
    # unauthenticated uploads are refused whatever their size
    assert httpx.post(app.url + "/gradio_api/upload", files=[("files", ("a.txt", b"a", "text/plain"))]).status_code == 401


def test_serving_prints_its_address_without_the_share_hint(app):
    log = app.log.read_text(encoding="utf-8", errors="replace")
    assert f"qa web UI: {app.url}/" in log
    assert "share=True" not in log and "public link" not in log
