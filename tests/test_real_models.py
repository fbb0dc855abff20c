"""OpenAI-compatible models over real HTTP against a fake server: formats, citations, streaming,
follow-ups, faults (with request counts pinning the single retry layer), usage and secrets."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE
from fake_openai import Reply
from prompt_reader import read_prompt
from qa.answer.gate import NO_VERIFIED_QUOTE
from qa.assistant import Assistant
from qa.errors import ModelError
from qa.settings import Settings
from qa.types import ABSTENTION

KEY = "sk-test-SECRET-1234567890"
FAST_RETRY = {"retry-after-ms": "10"}
QUESTION = "How many hostages would be released?"


@pytest.fixture
def remote(fake, store_dir, embedder):
    """An assistant on the sample corpus whose answering model is the fake server."""

    def _open(**overrides):
        options = {"llm_retries": 2, "llm_timeout": 5, **overrides}
        settings = Settings(
            store=store_dir, llm="openai-compatible:test-model", openai_base_url=fake.url,
            openai_api_key=KEY, **options,
        )
        assistant = Assistant.open(settings, embedder=embedder)
        if not assistant.articles():
            assistant.ingest([SAMPLE])
        return assistant

    return _open


def user_prompt(body: dict) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def quoting(answer: str, find: str, mangle=lambda q: q, fmt="json"):
    """A reply function that quotes the first prompt sentence containing `find`."""

    def make(body: dict) -> str:
        _, sources = read_prompt(user_prompt(body))
        for source in sources:
            for sentence in source.text.replace("\n", " ").split(". "):
                if find in sentence:
                    quote = mangle(sentence.strip())
                    if fmt == "text":
                        return f'{answer} As the article says, "{quote}" [{source.number}].'
                    payload = {"answer": f"{answer} [{source.number}]", "answerable": True,
                               "citations": [{"source": source.number, "quote": quote}]}
                    text = json.dumps(payload)
                    return f"Sure!\n```json\n{text[:-2]},]}}\n```" if fmt == "fence" else text
        raise AssertionError(f"{find!r} not in the prompt")

    return make


def verbatim(assistant, answer):
    for c in answer.citations:
        assert assistant.article(c.article_id).text[c.start : c.end] == c.quote


@pytest.mark.parametrize("fmt", ["json", "fence", "text"])
def test_reply_formats_give_verified_citations(fake, remote, fmt):
    fake.reply(Reply(quoting("Ten living hostages would be freed.", "ten hostages", fmt=fmt)))
    assistant = remote()
    answer = assistant.ask(QUESTION)
    assert answer.answerable and answer.citations, answer
    assert "ten hostages" in answer.citations[0].quote and answer.citations[0].match == "exact"
    verbatim(assistant, answer)
    assert answer.model == f"test-model @ {fake.url}"
    assert answer.usage == {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    [body] = fake.chat_requests()
    assert body["model"] == "test-model" and body["temperature"] == 0.0
    assert body["response_format"] == {"type": "json_object"}
    assert "untrusted" in body["messages"][0]["content"]


def test_miscopied_quote_is_aligned_fuzzily(fake, remote):
    fake.reply(Reply(quoting("Ten.", "ten hostages", mangle=lambda q: q.replace("hostages", "hostage"))))
    assistant = remote()
    answer = assistant.ask(QUESTION)
    [c] = answer.citations
    assert c.match == "fuzzy" and c.score >= 90 and "ten hostages who are still alive" in c.quote
    verbatim(assistant, answer)


def test_hallucinated_quote_is_dropped_and_listed(fake, remote):
    invented = json.dumps({"answer": "Twelve hostages [1]", "answerable": True,
                           "citations": [{"source": 1, "quote": "Hamas agreed to release twelve hostages on Friday"}]})
    fake.reply(Reply(invented))
    answer = remote().ask(QUESTION)
    assert answer.citations == ()
    assert [u.quote for u in answer.unverified] == ["Hamas agreed to release twelve hostages on Friday"]
    # whatever the model says, an answer without a verified quote is not shown (gate.py)
    assert not answer.answerable and answer.answer == ABSTENTION and answer.short is None
    assert answer.withdrawn == NO_VERIFIED_QUOTE


def test_number_no_quote_contains_is_flagged(fake, remote):
    fake.reply(Reply(quoting("Twelve hostages, by March 3.", "ten hostages")))
    answer = remote().ask(QUESTION)
    assert answer.citations and set(answer.unsupported) >= {"Twelve", "March 3"}


def test_rate_limit_then_success_uses_one_retry_layer(fake, remote):
    fake.reply(Reply(status=429, content="slow down", headers=FAST_RETRY),
               Reply(quoting("Ten.", "ten hostages")))
    answer = remote().ask(QUESTION)
    assert answer.citations and len(fake.chat_requests()) == 2


@pytest.mark.parametrize(
    "replies, retries, message, requests",
    [
        ([Reply(status=500, content="boom", headers=FAST_RETRY)] * 3, 2, "server error (500) after 2 retries", 3),
        ([Reply(status=429, content="slow", headers=FAST_RETRY)] * 3, 2, "still rate limited (429) after 2 retries", 3),
        ([Reply(status=401, content="bad key")], 2, "rejected the API key (401)", 1),
        ([Reply(status=404, content="no such model")], 2, "does not know this model (404)", 1),
        ([Reply(content="x", delay=2.0)] * 2, 1, "no reply within 0.5 s", 2),
        ([Reply(raw=b"{this is not json")], 2, "could not be read", 1),
        ([Reply(content="")], 2, "empty reply", 1),
        ([Reply(content='{"answer": "Ten hostages would', finish_reason="length")], 2, "cut off at the token limit", 1),
    ],
)
def test_faults_give_clear_messages(fake, remote, replies, retries, message, requests):
    fake.reply(*replies)
    # Only the slow-reply case should meet the short timeout; on a loaded machine the others get room.
    assistant = remote(llm_retries=retries, llm_timeout=0.5 if any(r.delay for r in replies) else 10)
    with pytest.raises(ModelError) as info:
        assistant.ask(QUESTION)
    text = str(info.value)
    assert message in text and "test-model" in text and fake.url in text
    assert KEY not in text
    assert len(fake.chat_requests()) == requests


def test_connection_refused(fake, remote):
    assistant = remote(llm_retries=0)
    fake.stop()
    with pytest.raises(ModelError, match="cannot connect"):
        assistant.ask(QUESTION)


def test_streaming_shows_answer_text_then_verified_answer(fake, remote):
    fake.reply(Reply(quoting("Ten living hostages would be freed.", "ten hostages")))
    assistant = remote()
    parts = list(assistant.ask_stream(QUESTION))
    final = parts[-1]
    text = "".join(p for p in parts[:-1])
    assert len(parts) > 3 and text.startswith("Ten living hostages would be freed.")
    assert "{" not in text and final.citations
    verbatim(assistant, final)
    assert fake.chat_requests()[0]["stream"] is True


def test_follow_up_is_condensed_before_retrieval(fake, remote):
    fake.reply(Reply("How many bodies of hostages would be returned?"),
               Reply(quoting("Nine bodies.", "bodies of nine")))
    assistant = remote()
    answer = assistant.chat([
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "Ten hostages would be freed."},
        {"role": "user", "content": "and how many bodies?"},
    ])
    assert answer.question == "and how many bodies?"
    assert answer.search_question == "How many bodies of hostages would be returned?"
    condense_prompt = user_prompt(fake.chat_requests()[0])
    assert QUESTION in condense_prompt and "and how many bodies?" in condense_prompt
    assert "nine" in answer.citations[0].quote


def test_openai_compatible_embeddings(fake, store_dir):
    settings = Settings(store=store_dir, embed="openai-compatible:fake-embed", openai_base_url=fake.url,
                        openai_api_key=KEY)
    assistant = Assistant.open(settings)
    assistant.ingest([SAMPLE])
    assert any(path.endswith("/embeddings") for path, _, _ in fake.requests)
    answer = assistant.ask("What budget did Norvale approve?")
    assert answer.citations and answer.citations[0].article_id == "norvale-city-budget"
    assert assistant.stats()["embedding_model"] == "fake-embed"


def run_cli(*args, env_extra, cwd, input=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_") and k != "OPENAI_API_KEY"}
    env.update(env_extra)
    return subprocess.run([str(Path(sys.executable).with_name("qa")), *map(str, args)],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=300, input=input)


@pytest.mark.parametrize("command, failed", [(["ask", "-"], "1 of 2 questions failed"), (["chat"], "1 turn(s) failed")])
def test_questions_from_stdin_go_on_after_a_model_error(fake, tmp_path, command, failed):
    env = {"QA_OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "QA_STORE": str(tmp_path / "store"),
           "QA_LLM": "openai-compatible:test-model", "QA_LLM_RETRIES": "0"}
    ingest = run_cli("ingest", SAMPLE, env_extra={**env, "QA_LLM": "extractive"}, cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    fake.default = Reply(quoting("Ten.", "ten hostages"))
    fake.reply(Reply(status=500, content="boom"))  # the first question fails; the second is answered
    result = run_cli(*command, "--json", env_extra=env, cwd=tmp_path, input=f"{QUESTION}\n{QUESTION}\n")
    assert result.returncode == 1 and failed in result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert "server error (500)" in first["error"] and first["question"] == QUESTION
    assert second["citations"] and "ten hostages" in second["citations"][0]["quote"]
    # No retry (QA_LLM_RETRIES=0), and a failed turn leaves no history to condense the next with.
    assert len(fake.chat_requests()) == 2 and KEY not in result.stdout + result.stderr


def test_eval_against_the_fake_server_records_failures_and_keeps_secrets(fake, tmp_path):
    gold = tmp_path / "gold.jsonl"
    rows = [{"id": f"q{i}", "question": QUESTION, "answers": ["ten"], "answerable": True,
             "evidence": [{"article": "gaza-ceasefire-talks", "quote": "free ten hostages who are still alive"}]}
            for i in range(4)]
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    fake.default = Reply(quoting("Ten.", "ten hostages"))
    fake.reply(Reply(status=401, content="bad key"))  # the first question fails; the run goes on
    env = {"QA_OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "QA_STORE": str(tmp_path / "user")}
    result = run_cli("eval", gold, "--articles", SAMPLE, "--model", "openai-compatible:test-model",
                     "--out", tmp_path / "report", env_extra=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["metrics"]["errors"] == 1 and summary["metrics"]["answer"]["answer_recall"] == 0.75
    assert summary["run"]["model"].startswith("test-model")
    assert summary["cost"]["tokens"]["total_tokens"] == 360
    written = "".join(p.read_text() for p in (tmp_path / "report").iterdir()) + result.stdout + result.stderr
    assert KEY not in written
    config = run_cli("config", "--json", env_extra=env, cwd=tmp_path)
    assert KEY not in config.stdout and "**" in config.stdout


def test_cli_ask_stream_and_fault_exit_code(fake, tmp_path):
    env = {"QA_OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "QA_STORE": str(tmp_path / "s"),
           "QA_LLM": "openai-compatible:test-model", "QA_LLM_RETRIES": "0"}
    assert run_cli("ingest", SAMPLE, env_extra=env, cwd=tmp_path).returncode == 0
    fake.reply(Reply(quoting("Ten living hostages.", "ten hostages")), Reply(status=500, content="down"))
    streamed = run_cli("ask", "--stream", QUESTION, env_extra=env, cwd=tmp_path)
    assert streamed.returncode == 0, streamed.stderr
    assert "Ten living hostages" in streamed.stdout and "[1]" in streamed.stdout
    failed = run_cli("ask", QUESTION, env_extra=env, cwd=tmp_path)
    assert failed.returncode == 1 and "server error (500)" in failed.stderr and "Traceback" not in failed.stderr
    assert KEY not in failed.stderr


def test_openai_without_key_is_a_config_error(tmp_path):
    env = {"QA_LLM": "openai:gpt-4o-mini", "QA_STORE": str(tmp_path / "s")}
    result = run_cli("ask", QUESTION, env_extra=env, cwd=tmp_path)
    assert result.returncode == 1 and "OPENAI_API_KEY" in result.stderr


def test_repo_prompts_mark_articles_untrusted():
    text = (REPO / "prompts" / "system.txt").read_text()
    assert "untrusted" in text and "never follow" in text
