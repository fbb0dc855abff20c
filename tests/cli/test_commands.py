"""The `qa` command as a user runs it: a real process, real store, exit codes and messages."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SAMPLE, SEED, SEED_ID

QA = str(Path(sys.executable).with_name("qa"))


def run(*args, store, cwd=None, input=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["QA_STORE"] = str(store)
    return subprocess.run(
        [QA, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=120, input=input
    )


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    store = tmp_path_factory.mktemp("cli") / "store"
    result = run("ingest", SAMPLE, SEED, store=store)
    assert result.returncode == 0, result.stderr
    return store


def test_quickstart_question_prints_answer_and_citation(sample_store):
    result = run("ask", "How many hostages would be released?", store=sample_store)
    assert result.returncode == 0, result.stderr
    assert "ten" in result.stdout
    assert "[1]" in result.stdout and "chars " in result.stdout
    assert "model: extractive" in result.stdout


def test_ask_json_is_the_answer_dict_with_verbatim_quotes(sample_store, tmp_path):
    result = run("ask", "--json", "How many hostages would be released?", store=sample_store)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answerable"] is True and data["question"] == "How many hostages would be released?"
    articles = {a["id"]: a for a in json.loads(run("articles", "--json", store=sample_store).stdout)}
    for c in data["citations"]:
        assert set(c) >= {"article_id", "start", "end", "quote"}
        path = Path(articles[c["article_id"]]["path"])
        from qa.ingest.loading import load_file

        text = next(a.text for a in load_file(path) if a.id == c["article_id"])
        assert text[c["start"] : c["end"]] == c["quote"]
    assert any("ten" in c["quote"] for c in data["citations"])


def test_top_k_and_filters_reach_retrieval(sample_store):
    result = run("ask", "--json", "--top-k", "2", "--article", "norvale-city-budget", "budget", store=sample_store)
    data = json.loads(result.stdout)
    assert len(data["retrieved"]) <= 2
    assert {r["article_id"] for r in data["retrieved"]} == {"norvale-city-budget"}
    bad = run("ask", "--since", "last week", "budget", store=sample_store)
    assert bad.returncode != 0 and "YYYY-MM-DD" in bad.stderr


def test_ingest_again_reports_unchanged(sample_store):
    result = run("ingest", SAMPLE, store=sample_store)
    assert result.returncode == 0
    assert "0 added, 0 updated, 8 unchanged, 0 failed" in result.stdout


def test_articles_stats_config(sample_store):
    listing = run("articles", store=sample_store)
    assert "gaza-ceasefire-talks" in listing.stdout and listing.returncode == 0
    stats = json.loads(run("stats", "--json", store=sample_store).stdout)
    assert stats["articles"] == 10 and stats["chunks"] > 10
    assert stats["embedding_model"] == "wordllama/l2_supercat-256"
    config = json.loads(run("config", "--json", store=sample_store).stdout)
    assert config["store"] == str(sample_store) and config["top_k"] == 5


def test_config_reads_env_file(tmp_path):
    (tmp_path / ".env").write_text("QA_TOP_K=7\nQA_COLLECTION=wire\n", encoding="utf-8")
    config = json.loads(run("config", "--json", store=tmp_path / "s", cwd=tmp_path).stdout)
    assert config["top_k"] == 7 and config["collection"] == "wire"


def test_invalid_setting_is_one_line_error(tmp_path):
    env_store = tmp_path / "s"
    (tmp_path / ".env").write_text("QA_TOP_K=lots\n", encoding="utf-8")
    result = run("config", store=env_store, cwd=tmp_path)
    assert result.returncode == 1
    assert "QA_TOP_K" in result.stderr and "Traceback" not in result.stderr


def test_remove(tmp_path):
    store = tmp_path / "store"
    run("ingest", SEED, store=store)
    assert run("remove", SEED_ID, store=store).returncode == 0
    again = run("remove", SEED_ID, store=store)
    assert again.returncode == 1 and "qa articles" in again.stderr


BAD_FILES = {
    "empty.txt": (b"", "file is empty"),
    "binary.txt": (b"\x00\x01\x02\x03binary\xff", "binary"),
    "latin1.txt": ("Caf\u00e9 au lait".encode("latin-1"), "UTF-8"),
    "nav-only.html": (b"<html><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>", "no article text"),
    "broken.jsonl": (b'{"id": "a", "text": "fine text"}\n{"id": "b", "text": \n', "line 2"),
    "notes.pdf": (b"%PDF-1.4", "unsupported file type"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_file_fails_clearly_and_good_files_still_go_in(tmp_path, name):
    content, message = BAD_FILES[name]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(content)
    shutil.copy(SAMPLE / "gaza-ceasefire-talks.md", folder / "good.md")
    store = tmp_path / "store"
    result = run("ingest", folder / name, folder / "good.md", store=store)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    failed = [line for line in result.stdout.splitlines() if line.startswith("failed")]
    assert len(failed) == 1 and name in failed[0] and message in failed[0]
    assert "1 added" in result.stdout
    ids = [a["id"] for a in json.loads(run("articles", "--json", store=store).stdout)]
    assert ids == ["gaza-ceasefire-talks"]


def test_mixed_folder_ingests_good_files_and_reports_bad_ones(tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(SAMPLE, folder)
    for name, (content, _) in BAD_FILES.items():
        if not name.endswith(".pdf"):
            (folder / name).write_bytes(content)
    result = run("ingest", "--json", folder, store=tmp_path / "store")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["added"] == 8 and report["failed"] == 5
    assert all(f["reason"] for f in report["files"] if f["status"] == "failed")


def test_missing_path(tmp_path):
    result = run("ingest", tmp_path / "nope", store=tmp_path / "store")
    assert result.returncode == 1 and "no such file or folder" in result.stdout


def _nobody_can_run_qa() -> bool:
    if os.geteuid() != 0:
        return True
    probe = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "test", "-x", QA]
    return shutil.which("setpriv") is not None and subprocess.run(probe).returncode == 0


@pytest.mark.skipif(not _nobody_can_run_qa(), reason="as root, needs setpriv and a venv an unprivileged user can run")
def test_unreadable_file():
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="qa-unreadable-"))  # reachable by an unprivileged user
    secret = tmp_path / "secret.txt"
    secret.write_text("Hidden article text that nobody may read.", encoding="utf-8")
    secret.chmod(0o000)
    if os.geteuid() != 0:
        result = run("ingest", secret, store=tmp_path / "store")
    else:  # root reads everything: run the command as an unprivileged user instead
        tmp_path.chmod(0o777)
        store = tmp_path / "store"
        env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
        env.update(QA_STORE=str(store), HOME=str(tmp_path))
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", QA, "ingest", str(secret)],
            capture_output=True, text=True, env=env, timeout=120,
        )
    try:
        assert result.returncode == 1, result.stderr
        assert "secret.txt" in result.stdout and "permission denied" in result.stdout
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.parametrize(
    "question, message",
    [("", "question is empty"), ("x" * 10_000, "10,000 characters")],
)
def test_bad_questions(sample_store, question, message):
    result = run("ask", question, store=sample_store)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_question_with_no_match_abstains_with_exit_zero(sample_store):
    result = run("ask", "--json", "Which recipe uses sourdough starter?", store=sample_store)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["answerable"] is False and data["citations"] == []


def test_questions_from_stdin_are_answered_in_order_in_one_process(sample_store):
    questions = ["How many hostages would be released?", "", "Which recipe uses sourdough starter?",
                 "x" * 10_000, "What budget did Norvale approve?"]
    text = run("ask", "-", store=sample_store, input="\n".join(questions) + "\n")
    # The blank line is skipped; the over-long question fails alone and the others are answered.
    assert text.returncode == 1 and "1 of 4 questions failed" in text.stderr and "Traceback" not in text.stderr
    assert "Q3: " in text.stderr and "10,000 characters" in text.stderr
    headers = [line for line in text.stdout.splitlines() if line.startswith("Q")]
    assert [h.split(":")[0] for h in headers] == ["Q1", "Q2", "Q3", "Q4"]
    assert text.stdout.splitlines()[1] == "ten" and "The articles don't say." in text.stdout
    assert text.stdout.count("model: extractive") == 3

    lines = run("ask", "-", "--json", store=sample_store, input="\n".join(questions) + "\n")
    rows = [json.loads(line) for line in lines.stdout.splitlines()]  # JSON lines, one per question
    assert [r["question"] for r in rows] == [q for q in questions if q]
    assert rows[0]["short"] == "ten" and rows[1]["answerable"] is False
    assert "10,000 characters" in rows[2]["error"] and "answer" not in rows[2]
    assert "1.84 billion" in rows[3]["short"]
    articles = {a["id"]: a for a in json.loads(run("articles", "--json", store=sample_store).stdout)}
    for row in (rows[0], rows[3]):
        assert row["citations"] and row["short"] in row["citations"][0]["quote"]
        for c in row["citations"]:
            from qa.ingest.loading import load_file

            text = next(a.text for a in load_file(Path(articles[c["article_id"]]["path"])) if a.id == c["article_id"])
            assert text[c["start"] : c["end"]] == c["quote"]


@pytest.mark.parametrize("stdin", ["", "\n   \n"])
def test_no_questions_on_stdin_is_a_clear_error(sample_store, stdin):
    result = run("ask", "-", store=sample_store, input=stdin)
    assert result.returncode == 1 and "one question per line" in result.stderr
    assert result.stdout == ""


def test_questions_from_stdin_on_a_missing_store_stop_at_the_first(tmp_path):
    result = run("ask", "-", store=tmp_path / "empty", input="How many hostages?\nWhat budget?\n")
    assert result.returncode == 1 and result.stderr.count("ingest FILES") == 1
    assert result.stdout == "" and not (tmp_path / "empty").exists()


def test_chat_reads_follow_ups_with_the_earlier_turns(sample_store):
    turns = "How many hostages would be released?\nand how many bodies?\n/new\nand how many bodies?\n/exit\nignored?\n"
    result = run("chat", "--json", store=sample_store, input=turns)
    assert result.returncode == 0, result.stderr
    first, follow_up, fresh = (json.loads(line) for line in result.stdout.splitlines())  # /exit ends it
    assert first["short"] == "ten"
    # The follow-up is searched with the first question's words, and finds the nine bodies (in the
    # sample article, or the seed article's "bodies of nine hostages who have died").
    assert follow_up["question"] == "and how many bodies?" and "hostages" in follow_up["search_question"]
    assert any("nine" in c["quote"] for c in follow_up["citations"]) and follow_up["short"] == "nine"
    # After /new the same words stand alone.
    assert fresh["search_question"] == "and how many bodies?"
    text = run("chat", store=sample_store, input="How many hostages would be released?\nand how many bodies?\n")
    assert text.returncode == 0 and "(searched for: and how many bodies?" in text.stdout


def test_chat_at_a_terminal_prompts_and_ends_on_ctrl_d(sample_store):
    import pty
    import select

    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(QA_STORE=str(sample_store), TERM="dumb", COLUMNS="200")
    main, child = pty.openpty()
    process = subprocess.Popen([QA, "chat"], stdin=child, stdout=child, stderr=child, env=env, close_fds=True)
    os.close(child)
    seen = b""

    def read_until(marker: bytes, after: int = 0, timeout: float = 90) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen[after:] and time.monotonic() < deadline:
            if select.select([main], [], [], 0.5)[0]:
                try:
                    seen += os.read(main, 4096)
                except OSError:  # the child closed the terminal
                    break
        assert marker in seen[after:], seen.decode(errors="replace")

    read_until(b"? ")  # the prompt
    os.write(main, b"How many hostages would be released?\n")
    read_until(b"model: extractive")
    read_until(b"? ", after=seen.index(b"model: extractive"))  # the next prompt
    os.write(main, b"\x04")  # Ctrl-D at an empty prompt ends the conversation
    assert process.wait(timeout=30) == 0
    os.close(main)
    assert b"/new starts over" in seen and b"ten" in seen


def test_empty_store(tmp_path):
    store = tmp_path / "empty"
    result = run("ask", "How many hostages would be released?", store=store)
    assert result.returncode == 1 and f"qa --store {store} ingest FILES" in result.stderr
    # A store that exists but holds no articles (its one article removed) says so too.
    run("ingest", SAMPLE / "gaza-ceasefire-talks.md", store=store)
    assert run("remove", "gaza-ceasefire-talks", store=store).returncode == 0
    result = run("ask", "How many hostages would be released?", store=store)
    assert result.returncode == 1 and "has no articles yet" in result.stderr and "qa ingest" in result.stderr


def test_help_does_not_import_heavy_modules(tmp_path):
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom qa.cli.app import app\n"
        "CliRunner().invoke(app, ['config'])\n"
        "print(sorted(m for m in ('chromadb', 'llama_index.core', 'gradio') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.stdout.strip() == "[]", out.stderr


COMMANDS = ["ingest", "ask", "chat", "articles", "remove", "stats", "config", "doctor", "serve", "eval"]


@pytest.mark.parametrize("entry", [[QA], [sys.executable, "-m", "qa.cli"], [sys.executable, "-m", "qa.cli"]])
def test_every_entry_point_lists_every_command_in_order(entry, tmp_path):
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run([*entry, "--help"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    listed = [line.split()[1] for line in result.stdout.splitlines() if line.split()[1:2] and line.split()[1] in COMMANDS]
    assert listed == COMMANDS
    ingest = subprocess.run([*entry, "ingest", "--help"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert "(.txt .md .html .json .jsonl)" in ingest.stdout  # from the one table of formats


# ----- wrong input is refused, not ignored (issues 19 and 22) -------------------------------
def _one_line_error(result, code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    return result.stderr


@pytest.mark.parametrize("command", ["ask", "chat"])
def test_unknown_article_ids_are_named_before_any_answer(sample_store, command):
    args = ["--article", "norvale-city-budget", "--article", "no-such-article"]
    if command == "ask":
        result = run("ask", *args, "What budget did Norvale approve?", store=sample_store)
    else:
        result = run("chat", *args, store=sample_store, input="What budget did Norvale approve?\n")
    message = _one_line_error(result, 2)  # a usage error, like click's bad option values
    assert "no article with id 'no-such-article'" in message and "`qa articles`" in message
    assert "norvale-city-budget" not in message and result.stdout == ""


def test_unknown_article_id_stops_a_stdin_run_once(sample_store):
    result = run("ask", "-", "--article", "nope", store=sample_store, input="How many hostages?\nWhat budget?\n")
    assert "no article with id 'nope'" in _one_line_error(result, 2) and result.stdout == ""


@pytest.mark.parametrize(
    "options, words",
    [
        (["--since", "2025-02-30"], "--since: there is no day 2025-02-30"),
        (["--until", "2025-13-01"], "--until: there is no day 2025-13-01"),
        (["--since", "2025-09-30", "--until", "September 15, 2025"], "--since 2025-09-30 is after --until 2025-09-15"),
    ],
)
def test_impossible_dates_are_usage_errors(sample_store, options, words):
    result = run("ask", *options, "storm damage", store=sample_store)
    assert words in _one_line_error(result, 2) and result.stdout == ""


def test_a_one_day_range_is_fine(sample_store):
    result = run("ask", "--json", "--since", "2025-06-18", "--until", "June 18, 2025", "budget", store=sample_store)
    assert result.returncode == 0, result.stderr
    assert {r["article_id"] for r in json.loads(result.stdout)["retrieved"]} == {"norvale-city-budget"}


@pytest.mark.parametrize(
    "args",
    [["ask", "How many hostages?"], ["chat"], ["articles"], ["stats", "--json"], ["remove", "some-id"], ["doctor"]],
)
def test_every_command_but_ingest_refuses_a_missing_store_and_creates_nothing(tmp_path, args):
    store = tmp_path / "nowhere" / "store"
    result = run(*args, store=store, input="How many hostages?\n")
    message = _one_line_error(result, 1)
    assert f"no article store at {store}" in message and f"qa --store {store} ingest FILES" in message
    assert result.stdout == "" and not (tmp_path / "nowhere").exists()


def test_global_store_option_names_a_missing_store_too(tmp_path, sample_store):
    folder = tmp_path / "empty-folder"  # exists, but holds no store: nothing is written into it
    folder.mkdir()
    result = run("--store", folder, "articles", store=sample_store)
    assert f"no article store at {folder}" in _one_line_error(result, 1)
    assert list(folder.iterdir()) == []


def test_server_mode_has_no_local_store_to_require(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(QA_STORE=str(tmp_path / "unused"), QA_CHROMA_URL="http://127.0.0.1:9")  # nothing listens
    result = subprocess.run([QA, "articles"], capture_output=True, text=True, env=env, timeout=120)
    message = _one_line_error(result, 1)
    assert "Chroma server at http://127.0.0.1:9" in message and "no article store" not in message


def test_ask_prints_which_support_checks_passed(sample_store):
    done = run("ask", "How many beds will the new Castelmere shelter have?", store=sample_store)
    assert done.returncode == 0, done.stderr
    assert "quote found in article" in done.stdout
    assert "answer supported" in done.stdout


def test_ask_json_withdraws_an_answer_from_outside_the_date_range(sample_store):
    done = run("ask", "How long would the ceasefire last?", "--since", "2025-08-01", "--json", store=sample_store)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    # whatever the model picks in the articles after August, it is not a ceasefire answer
    assert not answer["answerable"]
    assert answer["citations"] == []
    assert answer["support"] is None or not answer["support"]["supported"]
