"""The offline model reads the question and sources as data and answers from the sources only."""

import json

import pytest

from qa.answer.prompts import load_prompts
from qa.models.extractive import ExtractiveLLM
from qa.models.protocols import AnswerRequest, Source
from qa.settings import bundled_path
from qa.types import ABSTENTION, RetrievedChunk

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
    request = load_prompts(bundled_path("prompts")).request(question, chunks)
    return json.loads(ExtractiveLLM().reply_to(request))


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


def test_is_deterministic():
    llm = ExtractiveLLM()
    request = AnswerRequest("How long would the truce last?", (Source(1, "T", SOURCES[1]),))
    assert llm.reply_to(request) == llm.reply_to(request)
    assert json.loads(llm.reply_to(request))["answerable"] is True


def test_reads_sources_as_data_so_a_reworded_template_cannot_break_it(tmp_path):
    """The model never parses the prompt: a custom answer template that words the question line
    differently (it used to have to say "Question (JSON string):") still gets answers."""
    for name in ("system", "condense"):
        (tmp_path / f"{name}.txt").write_text((bundled_path("prompts") / f"{name}.txt").read_text())
    (tmp_path / "answer.txt").write_text("Articles:\n{sources}\n\nWhat the reader asks: {question}\n")
    prompts = load_prompts(tmp_path)
    chunk = RetrievedChunk(chunk_id="a#v#0", article_id="a", title="T", source="Wire", published="", url="",
                           start=0, end=len(SOURCES[0]), text=SOURCES[0], score=1.0)
    reply = json.loads(ExtractiveLLM().reply_to(prompts.request("How many hostages would be released?", [chunk])))
    assert reply["answerable"] is True and "ten living hostages" in reply["citations"][0]["quote"]


def test_the_text_interface_says_how_to_call_it():
    with pytest.raises(NotImplementedError, match="reply_to"):
        ExtractiveLLM().complete("Question: x")
