"""Load: 20 concurrent clients asking questions for 2 minutes (`pytest --long`) or ~10 s (default)
against (a) the web UI's API (`python app.py` on a loopback port, called over HTTP with
gradio_client) and (b) the Python API (threads sharing one Assistant).

Asserts zero errors and a flat memory line (RSS after a warm-up vs at the end); prints the
request count, p50/p95 latency and RSS figures and writes them to test-artifacts/load.json.
Latencies depend on what else runs on the machine."""

import gc
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE

pytestmark = pytest.mark.long
ARTIFACTS = Path(os.environ.get("QA_TEST_ARTIFACTS", REPO / "test-artifacts"))
CLIENTS = 20
QUESTIONS = [json.loads(line)["question"] for line in (REPO / "eval" / "gold" / "sample.jsonl").read_text().splitlines()
             if line.strip()]
MB = 1024 * 1024
# Memory may grow by at most this much between the end of the warm-up and the end of the run.
# Why 40 MB: after warm-up the steady state holds no per-request data; what remains is allocator
# and thread-stack noise (measured here: a few MB). A leak of even 20 KB per answer (one rendered
# answer page) would exceed it within the full run's thousands of requests.
MAX_GROWTH_MB = 40


@dataclass
class LoadRun:
    target: str
    clients: int
    seconds: float
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0

    def summary(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k not in ("latencies_ms", "errors")}
        return {**data, "errors": len(self.errors), "first_errors": self.errors[:5],
                "p50_ms": round(self.percentile(50), 1), "p95_ms": round(self.percentile(95), 1),
                "max_ms": round(max(self.latencies_ms, default=0.0), 1),
                "rss_growth_mb": round(self.rss_end_mb - self.rss_start_mb, 1)}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def hammer(run: LoadRun, clients: list[Callable[[str], None]], seconds: float) -> None:
    """Each client asks questions back to back until the time is up; results go into `run`."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def client(number: int, ask: Callable[[str], None]) -> None:
        i = number
        while time.monotonic() < deadline:
            question = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            started = time.perf_counter()
            try:
                ask(question)
                error = None
            except Exception as exc:  # every failure counts; the message says which
                error = f"{type(exc).__name__}: {exc}"[:300]
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                run.requests += 1
                run.latencies_ms.append(elapsed)
                if error:
                    run.errors.append(error)

    threads = [threading.Thread(target=client, args=(n, ask), daemon=True) for n, ask in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    assert not any(t.is_alive() for t in threads), "a client hung"


def warm_up(clients: list[Callable[[str], None]], seconds: float) -> None:
    run = LoadRun("warm-up", len(clients), seconds)
    hammer(run, clients, seconds)
    assert run.errors == [], run.errors[:5]


def record(run: LoadRun) -> dict:
    summary = run.summary()
    print(f"\nload {run.target}: {json.dumps(summary)}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "load.json"
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing[run.target] = summary
    path.write_text(json.dumps(existing, indent=2), encoding="utf-8")
    return summary


def check(run: LoadRun) -> None:
    summary = record(run)
    assert run.requests >= CLIENTS, summary
    assert run.errors == [], summary
    assert summary["rss_growth_mb"] < MAX_GROWTH_MB, summary


def durations(long_run: bool) -> tuple[float, float]:
    """(warm-up, measured run) in seconds."""
    return (15.0, 120.0) if long_run else (3.0, 10.0)


# ----- (a) the web UI's API over HTTP ---------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def ui_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    port = _free_port()
    env.update(QA_STORE=str(tmp_path / "store"), QA_PORT=str(port), QA_HOST="127.0.0.1",
               GRADIO_ANALYTICS_ENABLED="False")
    subprocess.run([str(Path(sys.executable).with_name("qa")), "ingest", str(SAMPLE)], env=env, check=True,
                   capture_output=True, timeout=180)
    log = (tmp_path / "app.log").open("wb")
    process = subprocess.Popen([sys.executable, str(REPO / "app.py")], env=env, cwd=tmp_path,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "app.log").read_text()
                assert time.time() < deadline, "the UI did not start"
                time.sleep(0.5)
        yield process, url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def ui_client(url: str) -> Callable[[str], None]:
    from gradio_client import Client

    # gradio_client's default 20 s read timeout would count a slow queue as an error; the
    # latencies are measured and reported instead (a hang still fails: see hammer()).
    client = Client(url, verbose=False, analytics_enabled=False, download_files=False,
                    httpx_kwargs={"timeout": 120})

    def ask(question: str) -> None:
        chat, _, answer, _ = client.predict(question, [], "extractive", 5, "", "", False, api_name="/respond")
        if "qa-error" in answer or len(chat) != 2:
            raise AssertionError(f"bad reply: {answer[:200]}")
        if "qa-card" not in answer and "qa-abstain" not in answer:
            raise AssertionError(f"no citation or abstention in the reply: {answer[:200]}")

    return ask


def test_ui_api_holds_20_concurrent_clients(ui_server, long_run):
    process, url = ui_server
    warm, seconds = durations(long_run)
    with ThreadPoolExecutor(CLIENTS) as pool:  # each client fetches the app's config first
        clients = list(pool.map(lambda _: ui_client(url), range(CLIENTS)))
    warm_up(clients, warm)
    run = LoadRun("ui_api", CLIENTS, seconds, rss_start_mb=rss_mb(process.pid))
    hammer(run, clients, seconds)
    run.rss_end_mb = rss_mb(process.pid)
    assert process.poll() is None
    check(run)


# ----- (b) the Python API: threads on one Assistant ------------------------------------------
def test_python_api_holds_20_concurrent_threads(sample_assistant, long_run):
    assistant = sample_assistant
    warm, seconds = durations(long_run)

    def ask(question: str) -> None:
        answer = assistant.ask(question)
        for c in answer.citations:
            if assistant.article(c.article_id).text[c.start : c.end] != c.quote:
                raise AssertionError(f"citation not verbatim: {c}")
        if answer.answerable and not answer.citations:
            raise AssertionError(f"answer without citations: {answer.answer}")

    warm_up([ask] * CLIENTS, warm)
    gc.collect()
    run = LoadRun("python_api", CLIENTS, seconds, rss_start_mb=rss_mb(os.getpid()))
    hammer(run, [ask] * CLIENTS, seconds)
    gc.collect()
    run.rss_end_mb = rss_mb(os.getpid())
    check(run)
