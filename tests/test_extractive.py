"""The offline model reads the rendered prompt and answers from its sources only."""

import json

import pytest

from qa.answer.prompts import ABSTENTION, load_prompts
from qa.models.extractive import ExtractiveLLM
from qa.settings import bundled_path
from qa.types import RetrievedChunk

SOURCES = [
    "Israel said it would keep fighting to secure the release of hostages. "
    "The draft deal would see ten living hostages released and nine bodies returned.",
    "The truce would last 60 days, the envoy said on Monday. Qatar's spokesperson Majed Al-Ansari urged patience.",
]


def ask(question: str, sources=SOURCES) -> dict:
    chunks = [
        RetrievedChunk(chunk_id=f"a{i}#v#0", article_id=f"a{i}", title=f"T{i}", source="Wire",
                       published="", url="", start=0, end=len(t), text=t, score=1.0)
        for i, t in enumerate(sources, start=1)
    ]
    system, user = load_prompts(bundled_path("prompts")).render(question, chunks)
    reply = ExtractiveLLM().complete(system + "\n\n" + user).text
    return json.loads(reply)


@pytest.mark.parametrize(
    "question, expected_in_quote",
    [
        ("How many hostages would be released?", "ten living hostages"),
        ("How long would the truce last?", "60 days"),
        ("Who is Qatar's spokesperson?", "Majed Al-Ansari"),
    ],
)
def test_answers_with_a_verbatim_quote_of_the_supporting_sentence(question, expected_in_quote):
    reply = ask(question)
    assert reply["answerable"] is True
    quotes = [c["quote"] for c in reply["citations"]]
    assert any(expected_in_quote in q for q in quotes)
    for c in reply["citations"]:
        assert c["quote"] in SOURCES[c["source"] - 1]
        assert f"[{c['source']}]" in reply["answer"]


@pytest.mark.parametrize(
    "question",
    ["What is the population of Mars?", "How many goals did the striker score in the final?"],
)
def test_abstains_when_the_sources_do_not_answer(question):
    reply = ask(question)
    assert reply == {"answer": ABSTENTION, "answerable": False, "citations": []}


def test_abstains_without_sources():
    assert ask("How many hostages?", sources=[])["answerable"] is False


def test_is_deterministic_and_streams_the_same_text():
    chunks_prompt = "Question (JSON string): \"x\""
    llm = ExtractiveLLM()
    assert llm.complete(chunks_prompt).text == llm.complete(chunks_prompt).text
    full = llm.complete("=== nothing ===").text
    streamed = list(llm.stream_complete("=== nothing ==="))
    assert streamed[-1].text == full
    assert "".join(r.delta for r in streamed) == full
