"""`Assistant.condense` with an answering LLM (the fake OpenAI server in tests/fake_openai.py):
only a turn that depends on the earlier ones is sent to the model to be condensed; a question that
stands alone is searched as written, with no model call."""

import json

import pytest

from conftest import SAMPLE
from fake_openai import Reply
from qa.assistant import Assistant
from qa.settings import Settings
from qa.types import ABSTENTION

KEY = "sk-test-condense-0000"
BODIES = [("user", "How many bodies were recovered in Kellan Cove?"), ("assistant", "Four bodies. [1]")]
WITKOFF = [("user", "Who is Steve Witkoff?"), ("assistant", "The president's special envoy. [1]")]


@pytest.fixture
def remote(fake, store_dir, embedder):
    def _open() -> Assistant:
        settings = Settings(store=store_dir, llm="openai-compatible:test-model", openai_base_url=fake.url,
                            openai_api_key=KEY, llm_retries=0, llm_timeout=5)
        return Assistant.open(settings, embedder=embedder)

    return _open


def _user_prompt(body: dict) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


@pytest.mark.parametrize("question", ["What is the capital of France?", "How many hostages would Hamas free?",
                                      "Is it true that the Falcons won the Continental Cup?"])
def test_a_standalone_question_is_not_sent_to_the_model(fake, remote, question):
    assistant = remote()
    assert assistant.condense(BODIES, question) == question
    assert fake.chat_requests() == []


def test_a_pronoun_follow_up_goes_to_the_model_with_the_conversation(fake, remote):
    fake.reply(Reply("What did Steve Witkoff say?"))
    assistant = remote()
    assert assistant.condense(WITKOFF, "what did he say?") == "What did Steve Witkoff say?"
    (request,) = fake.chat_requests()
    prompt = _user_prompt(request)
    assert "Who is Steve Witkoff?" in prompt and '"what did he say?"' in prompt
    assert "unchanged" in prompt  # the template tells the model to leave a standalone question be


def test_chat_answers_a_standalone_turn_with_one_model_call(fake, remote):
    fake.default = Reply(json.dumps({"answer": ABSTENTION, "answerable": False, "citations": []}))
    assistant = remote()
    assistant.ingest([SAMPLE])
    messages = [{"role": r, "content": t} for r, t in BODIES]
    answer = assistant.chat(messages + [{"role": "user", "content": "What is the capital of France?"}])
    assert answer.search_question == answer.question == "What is the capital of France?"
    (request,) = fake.chat_requests()  # the answer only: nothing was condensed
    assert "Conversation so far" not in _user_prompt(request)
