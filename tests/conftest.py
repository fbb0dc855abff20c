"""Shared fixtures. Every test runs offline: connecting anywhere but loopback fails loudly."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
# Test data lives in the repo (tests/data/README.md): a clone alone runs the suite.
SEED = REPO / "tests" / "data" / "seed"  # one plain-text article: no title, no date, a paragraph a line
SEED_ID = "000_ceasefire_wire"  # its article id (from the file name)
SQUAD = REPO / "tests" / "data" / "squad-v2-dev-slice.json"  # SQuAD 2.0 dev, its first two articles

_real_connect = socket.socket.connect


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # unix socket
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self, address):
    if not _is_local(address):
        raise OSError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)


def pytest_addoption(parser):
    parser.addoption(
        "--long", action="store_true", default=False,
        help="run the full versions of the long tests (kill loops, load tests); default: short versions",
    )


@pytest.fixture(scope="session")
def long_run(request) -> bool:
    """True under `pytest --long`: tests marked `long` then run at full size, else a short version."""
    return bool(request.config.getoption("--long"))


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    # Never read a developer's own .env or store.
    for key in list(os.environ):
        if key.startswith("QA_"):
            monkeypatch.delenv(key, raising=False)
    yield


@pytest.fixture
def store_dir(tmp_path, monkeypatch) -> Path:
    """A fresh store folder (Chroma caches clients per path within a process)."""
    folder = tmp_path / "store"
    monkeypatch.setenv("QA_STORE", str(folder))
    monkeypatch.chdir(tmp_path)  # no stray .env is picked up
    return folder


@pytest.fixture
def fake():
    """A fake OpenAI-compatible server on a free loopback port (tests/fake_openai.py)."""
    from fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedder():
    """One WordLlama instance for the whole run (loading it is the slow part of opening)."""
    from qa.models.embedding import WordLlamaEmbedding

    return WordLlamaEmbedding()


@pytest.fixture
def open_assistant(store_dir, embedder):
    """Open an Assistant on the test's fresh store; keyword arguments override settings."""
    from qa.assistant import Assistant
    from qa.settings import Settings

    def _open(**overrides):
        return Assistant.open(Settings(store=store_dir, **overrides), embedder=embedder)

    return _open


@pytest.fixture
def sample_assistant(open_assistant):
    assistant = open_assistant()
    report = assistant.ingest([SAMPLE])
    assert report.ok, report.to_dict()
    return assistant
