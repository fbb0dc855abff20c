"""Secrets never leak: with a known fake API key, Chroma token and UI password set, run the CLI
(ingest, ask --json, ask --stream, a model error, a store error, eval --out, config) and the web UI
(page, config, an answer, a model error, the app's log) against the fake OpenAI-compatible
server, then grep every output, report file and log for the secrets."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE
from fake_openai import FakeOpenAI, Reply

API_KEY = "sk-fake-SECRETKEY-7Qm2xZ"
CHROMA_TOKEN = "chroma-SECRETTOKEN-k9P4"
UI_PASSWORD = "ui-SECRETPASS-w3R8"
SECRETS = (API_KEY, CHROMA_TOKEN, UI_PASSWORD)
QUESTION = "How many hostages would be released?"


def quote_first_source(body: dict) -> str:
    from prompt_reader import read_prompt

    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    _, sources = read_prompt(user)
    sentence = sources[0].text.split(". ")[0]
    return json.dumps({"answer": "An answer [1]", "answerable": True, "citations": [{"source": 1, "quote": sentence}]})


@pytest.fixture
def fake(fake):
    fake.default = Reply(quote_first_source)
    return fake


def secret_env(fake: FakeOpenAI, store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_") and k != "OPENAI_API_KEY"}
    env.update(
        QA_STORE=str(store), QA_LLM="openai-compatible:test-model", QA_OPENAI_BASE_URL=fake.url,
        QA_OPENAI_API_KEY=API_KEY, QA_CHROMA_TOKEN=CHROMA_TOKEN, QA_UI_AUTH=f"admin:{UI_PASSWORD}",
        QA_LLM_RETRIES="0", GRADIO_ANALYTICS_ENABLED="False",
        OPENAI_LOG="debug",  # the SDK's own debug log goes to stderr: it must not print the key either
    )
    return env


def leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def qa(*args, env, cwd, ok=True):
    result = subprocess.run([str(Path(sys.executable).with_name("qa")), *map(str, args)], env=env, cwd=cwd,
                            capture_output=True, text=True, timeout=300)
    assert (result.returncode == 0) is ok, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result.stdout + result.stderr


def test_cli_outputs_and_reports_never_show_secrets(fake, tmp_path):
    env = secret_env(fake, tmp_path / "store")
    outputs = {"ingest": qa("ingest", SAMPLE, env=env, cwd=tmp_path),
               "ask --json": qa("ask", "--json", QUESTION, env=env, cwd=tmp_path),
               "ask --stream": qa("ask", "--stream", QUESTION, env=env, cwd=tmp_path),
               "config": qa("config", env=env, cwd=tmp_path),
               "config --json": qa("config", "--json", env=env, cwd=tmp_path)}
    fake.reply(Reply(status=401, content=f"Incorrect API key provided: {API_KEY[:6]}..."))
    outputs["model error"] = qa("ask", QUESTION, env=env, cwd=tmp_path, ok=False)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    outputs["store error"] = qa("ask", QUESTION, env={**env, "QA_CHROMA_URL": f"http://127.0.0.1:{closed}"},
                                cwd=tmp_path, ok=False)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps({"id": f"q{i}", "question": QUESTION, "answers": ["ten"], "answerable": True}) + "\n"
                            for i in (1, 2)), encoding="utf-8")  # one answered: a run where all fail exits 1
    fake.reply(Reply(status=500, content="boom"))  # one failing question lands in the report
    outputs["eval"] = qa("eval", gold, "--articles", SAMPLE, "--out", tmp_path / "report", env=env, cwd=tmp_path)

    assert "error" in outputs["model error"] and "error" in outputs["store error"]
    assert "**" in outputs["config --json"]  # the secrets are there, masked
    report_files = [p for p in (tmp_path / "report").rglob("*") if p.is_file()]
    assert report_files
    for name, text in outputs.items():
        assert leaks(text) == [], name
    for path in report_files:
        assert leaks(path.read_text(encoding="utf-8", errors="replace")) == [], path
    for path in (tmp_path / "store").rglob("*"):  # nor is a secret written into the store
        if path.is_file():
            assert leaks(path.read_bytes().decode("latin-1")) == [], path
    assert any(API_KEY in str(headers.get("Authorization", "")) for _, _, headers in fake.requests)  # was used


def test_ui_pages_answers_errors_and_log_never_show_secrets(fake, tmp_path):
    from gradio_client import Client

    env = secret_env(fake, tmp_path / "store")
    qa("ingest", SAMPLE, env=env, cwd=tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env["QA_PORT"] = str(port)
    log_path = tmp_path / "app.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, str(REPO / "app.py")], env=env, cwd=tmp_path, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.time() + 120
            while True:
                try:
                    page = urllib.request.urlopen(url, timeout=2).read().decode("utf-8", "replace")
                    break
                except OSError:
                    assert process.poll() is None and time.time() < deadline, log_path.read_text()
                    time.sleep(0.5)
            client = Client(url, auth=("admin", UI_PASSWORD), verbose=False, analytics_enabled=False,
                            download_files=False)
            seen = [page, json.dumps(client.config)]
            _, _, answer, _ = client.predict(QUESTION, [], "openai-compatible:test-model", 5, "", "", True,
                                             api_name="/respond")
            assert "qa-card" in answer
            fake.reply(Reply(status=401, content="Incorrect API key provided"))
            chat, _, error, _ = client.predict(QUESTION, [], "openai-compatible:test-model", 5, "", "", False,
                                               api_name="/respond")
            assert "qa-error" in error and "401" in error
            seen += [answer, error, json.dumps(chat)]
        finally:
            process.terminate()
            process.wait(20)
    seen.append(log_path.read_text(encoding="utf-8", errors="replace"))
    for text in seen:
        assert leaks(text) == []
