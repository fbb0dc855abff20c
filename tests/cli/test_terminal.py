"""What `qa` prints fits an 80-column terminal, says one thing per field, and never shows a
password inside a URL (issue 22 items 3-4, issue 20 item 9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE

QA = str(Path(sys.executable).with_name("qa"))
QUESTION = "How many hostages would be released?"
PASSWORD = "s3cret-pw"


def run(*args, store, columns=80, cwd=None, input=None, **env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_") and k != "OPENAI_API_KEY"}
    env.update(QA_STORE=str(store), COLUMNS=str(columns), **env_extra)
    return subprocess.run([QA, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300, input=input)


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("terminal") / "store"
    result = run("ingest", SAMPLE, store=store)
    assert result.returncode == 0, result.stderr
    return store


# ----- qa config ---------------------------------------------------------------------------
def test_config_at_80_columns_cuts_no_value_and_hides_url_passwords(tmp_path):
    store = tmp_path / ("a-rather-long-folder-name-for-articles/" * 4) / "store"
    result = run("config", store=store, cwd=tmp_path,
                 QA_CHROMA_URL=f"http://bob:{PASSWORD}@127.0.0.1:8000",
                 QA_OPENAI_BASE_URL=f"https://alice:{PASSWORD}@models.example/v1")
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout and PASSWORD not in result.stdout
    lines = result.stdout.splitlines()
    assert f"store = {store}" in lines  # the whole path on its setting's line
    assert "chroma_url = http://bob:***@127.0.0.1:8000" in lines
    assert "openai_base_url = https://alice:***@models.example/v1" in lines
    # Every description is there in full (wrapped under its setting, not squeezed into a column).
    assert "QA_CHROMA_URL: URL of a Chroma server (http://HOST:PORT)" in result.stdout
    assert max(len(line) for line in lines if not line.startswith("store = ")) <= 80


def test_config_json_hides_url_passwords_too(tmp_path):
    result = run("config", "--json", store=tmp_path / "s", cwd=tmp_path,
                 QA_CHROMA_URL=f"http://bob:{PASSWORD}@127.0.0.1:8000",
                 QA_OPENAI_BASE_URL=f"http://:{PASSWORD}@127.0.0.1:9/v1")
    data = json.loads(result.stdout)
    assert data["chroma_url"] == "http://bob:***@127.0.0.1:8000"
    assert data["openai_base_url"] == "http://:***@127.0.0.1:9/v1" and PASSWORD not in result.stdout


def test_config_on_a_wide_terminal_is_a_table_that_folds_instead_of_cutting(tmp_path):
    store = tmp_path / ("a-rather-long-folder-name-for-articles/" * 4) / "store"
    result = run("config", store=store, columns=140, cwd=tmp_path)
    assert result.returncode == 0 and "…" not in result.stdout
    assert "environment variable" in result.stdout.splitlines()[1]  # the table's header
    cells = "".join(line.split("│")[2].strip() for line in result.stdout.splitlines() if line.count("│") == 5)
    assert str(store) in cells  # folded over lines, every character kept


# ----- qa articles -------------------------------------------------------------------------
def _titles(store: Path) -> dict[str, str]:
    return {a["id"]: a["title"] for a in json.loads(run("articles", "--json", store=store).stdout)}


def test_articles_at_80_columns_wrap_titles_beside_whole_ids(sample_store):
    titles = _titles(sample_store)
    result = run("articles", store=sample_store)
    assert result.returncode == 0 and "…" not in result.stdout
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    rows = [line for line in lines if line[:4].isdigit()]  # one per article, starting with its date
    assert sorted(row.split()[1] for row in rows) == sorted(titles)  # ids whole, on the row
    # A title takes at most three lines (the table used to give it a word a line: 5-8 lines).
    assert len(lines) <= 2 + 3 * len(titles)
    column = rows[0].index(rows[0].split()[3])  # where the title column starts
    text = " ".join(line[column:].strip() for line in lines[2:])
    for title in titles.values():
        assert title in text


def test_articles_on_a_narrow_terminal_are_listed_one_block_each(sample_store):
    titles = _titles(sample_store)
    result = run("articles", store=sample_store, columns=50)
    lines = [line.strip() for line in result.stdout.splitlines()]
    for article_id, title in titles.items():
        at = lines.index(article_id)
        assert lines[at + 1] == title  # the whole title on its own line (the terminal wraps it)
    assert "…" not in result.stdout


# ----- search_question: the text that was searched -----------------------------------------
def test_search_question_is_what_was_searched_in_ask_and_chat(sample_store):
    asked = json.loads(run("ask", "--json", QUESTION, store=sample_store).stdout)
    assert asked["search_question"] == asked["question"] == QUESTION
    turns = run("chat", "--json", store=sample_store, input=f"{QUESTION}\nand how many bodies?\n")
    first, follow = (json.loads(line) for line in turns.stdout.splitlines())
    assert first["search_question"] == QUESTION
    assert follow["question"] == "and how many bodies?" and "hostages" in follow["search_question"]
    text = run("chat", store=sample_store, input=f"{QUESTION}\n")
    assert "searched for" not in text.stdout  # shown only when it differs from the question


def test_control_characters_in_a_question_do_not_change_its_answer(sample_store):
    noisy = run("ask", "--json", "How many\x1b[31m hostages\twould be\x1b[0m released?\x07", store=sample_store)
    data = json.loads(noisy.stdout)
    assert data["question"] == QUESTION and data["short"] == "ten" and data["answerable"] is True


# ----- passwords in URLs in error messages -------------------------------------------------
def test_a_chroma_url_error_does_not_print_its_password(tmp_path):
    result = run("articles", store=tmp_path / "s", cwd=tmp_path, QA_CHROMA_URL=f"http://bob:{PASSWORD}@127.0.0.1:8000/x")
    assert result.returncode == 1 and "QA_CHROMA_URL" in result.stderr
    assert "http://bob:***@127.0.0.1:8000/x" in result.stderr and PASSWORD not in result.stderr


def test_a_model_server_url_never_prints_its_password(fake, sample_store, tmp_path):
    from fake_openai import Reply

    base = fake.url.replace("http://", f"http://bob:{PASSWORD}@")
    env = {"QA_LLM": "openai-compatible:test-model", "QA_OPENAI_BASE_URL": base, "QA_LLM_RETRIES": "0"}
    fake.reply(Reply(status=500, content="down"))
    failed = run("ask", QUESTION, store=sample_store, cwd=tmp_path, **env)
    assert failed.returncode == 1 and "server error (500)" in failed.stderr
    assert "bob:***@127.0.0.1" in failed.stderr and PASSWORD not in failed.stderr
    fake.reply(Reply('{"answer": "Ten.", "answerable": false, "citations": []}'))
    answered = run("ask", QUESTION, store=sample_store, cwd=tmp_path, **env)
    assert answered.returncode == 0, answered.stderr
    assert "test-model @ http://bob:***@127.0.0.1" in answered.stdout and PASSWORD not in answered.stdout
    stats = json.loads(run("stats", "--json", store=sample_store, cwd=tmp_path, **env).stdout)
    assert stats["model"].startswith("test-model @ http://bob:***@") and PASSWORD not in json.dumps(stats)


# ----- qa eval: a run in which every question failed ---------------------------------------
def test_eval_fails_when_every_question_failed(fake, tmp_path):
    from fake_openai import Reply

    gold = tmp_path / "gold.jsonl"
    rows = [{"id": f"q{i}", "question": QUESTION, "answers": ["ten"], "answerable": True} for i in range(3)]
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    fake.default = Reply(status=500, content="down")
    result = run("eval", gold, "--articles", SAMPLE / "gaza-ceasefire-talks.md", "--model", "openai-compatible:test-model",
                 "--out", tmp_path / "report", store=tmp_path / "user", cwd=tmp_path,
                 QA_OPENAI_BASE_URL=fake.url.replace("http://", f"http://bob:{PASSWORD}@"), QA_LLM_RETRIES="0")
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "all 3 questions failed" in errors[0] and "server error (500)" in errors[0]
    assert PASSWORD not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "report" / "summary.json").exists()  # the report is still written
    # One question answered is a run that measured something: it passes as before.
    fake.default = None
    fake.reply(Reply('{"answer": "The articles don\'t say.", "answerable": false, "citations": []}'))
    fake.default = Reply(status=500, content="down")
    partly = run("eval", gold, "--articles", SAMPLE / "gaza-ceasefire-talks.md", "--model", "openai-compatible:test-model",
                 "--out", tmp_path / "report2", store=tmp_path / "user", cwd=tmp_path,
                 QA_OPENAI_BASE_URL=fake.url, QA_LLM_RETRIES="0")
    assert partly.returncode == 0, partly.stderr
