"""The extractive model's choice of short answer: whole phrases, the kind the question asks for,
and the focus of "Who is X?" and "What did X say?" questions, on the sample articles."""

import json
import re
from pathlib import Path

import pytest

from qa.ingest.loading import load_file
from qa.models.extractive import ExtractiveLLM
from qa.models.protocols import AnswerRequest, Source
from qa.reader.questions import read_question
from qa.reader.spans import candidates
from qa.reader.units import carries, counts, is_amount, measures

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def paragraphs(name: str, article_id: str | None = None) -> list[tuple[str, str]]:
    """(title, paragraph) of a sample file's articles, one source per paragraph as retrieval returns chunks."""
    return [(a.title, p.strip()) for a in load_file(SAMPLE / name) if article_id in (None, a.id)
            for p in a.text.split("\n\n") if p.strip()]


def ask(question: str, *files: str, article_id: str | None = None) -> dict:
    found = [pair for name in files for pair in paragraphs(name, article_id)]
    sources = tuple(Source(n, title, text) for n, (title, text) in enumerate(found, start=1))
    return json.loads(ExtractiveLLM().reply_to(AnswerRequest(question, sources)))


def cited(reply: dict) -> str:
    return " ".join(c["quote"] for c in reply["citations"])


def test_no_candidate_starts_or_ends_inside_a_hyphenated_word():
    sentence = ("Majed Al-Ansari, who speaks for Qatar's foreign ministry, said the council passed the plan 7-4 "
                "and the 1,340-kilogram probe needs a 71-year-old pilot.")
    texts = {c.text for c in candidates(sentence, read_question("Who is Majed Al-Ansari?"))[0]}
    assert not any(t.startswith("Ansari") for t in texts)
    assert "7-4" in texts and "4" not in texts and "7" not in texts
    assert "1,340" in texts and "kilogram probe" not in texts  # a figure may stop before its unit
    assert "71-year" not in texts and "year-old pilot" not in texts


@pytest.mark.parametrize(
    "question, description",
    [
        ("Who is Majed Al-Ansari?", "who speaks for Qatar's foreign ministry"),
        ("Who is Steve Witkoff?", "the president's special envoy for the Middle East"),
    ],
)
def test_who_is_a_named_person_is_answered_by_what_the_text_says_they_are(question, description):
    reply = ask(question, "gaza-ceasefire-talks.md")
    assert reply["answerable"] is True
    assert reply["short"] == description
    assert description in cited(reply)


def test_what_did_x_say_is_answered_by_their_statement():
    reply = ask("What did the mayor say about the storm?", "harbor-storm-update.html", "harbor-storm-first-report.txt")
    assert reply["answerable"] is True
    quote = cited(reply)
    assert "Ferriter" in quote or "he said" in quote
    assert reply["short"] and reply["short"] in quote and len(reply["short"].split()) >= 5


def test_a_measure_question_skips_figures_in_other_units():
    reply = ask("How much does the Halcyon-2 probe weigh?", "halcyon-2-launch.md")
    assert reply["answerable"] is True
    assert "1,340" in reply["short"] and "1,340-kilogram" in cited(reply)
    width = ask("How wide is the space rock the probe is heading to?", "halcyon-2-launch.md")
    assert not width["answerable"] or "900" in width["short"]  # never "Halcyon-2"


def test_a_count_is_not_a_score():
    reply = ask("How many people watched the Continental Cup final in the stadium?", "wire-briefs.jsonl")
    assert not reply["answerable"] or reply["short"] not in ("2-2", "4-3")


def test_unit_helpers():
    assert not counts("2-2", "the final ended 2-2 at the stadium")
    assert not counts("27", "for the first time in 27 years")
    assert not counts("118 million", "will receive $118 million")
    assert not counts("74th", "again in the 74th")
    assert counts("61,480", "A crowd of 61,480 watched")
    # the letters before a figure end the previous word: the "g" of "killing" is no gram, the "m"
    # of "from" no metre
    assert counts("three", "tore through a bakery, killing three people and injuring 12")
    assert counts("12", "tore through a bakery, killing three people and injuring 12")
    assert counts("40", "rose from 40 to 52")
    assert not counts("40", "a fine of £40 was paid")
    assert not is_amount("Halcyon-2") and is_amount("1,340") and is_amount("six")
    length = measures("How wide is the asteroid?")
    assert carries(length, "900", "a rocky body about 900 meters across")
    assert not carries(length, "4:17", "lifted off at 4:17 a.m. local time")  # the "m" of "a.m." is no metre
    assert not measures("What was the vote on the spending plan?")


@pytest.mark.parametrize(("question", "files"), [
    ("What does the article “Trump and Netanyahu meet again as ceasefire gap narrows” report?", ["gaza-ceasefire-talks.md"]),
    ("What is the article about the Halcyon-2 launch about?", ["halcyon-2-launch.md"]),
    # an HTML page whose text opens with its title and a byline line: neither is the lede
    ("What does the story “Idris death toll rises to seven as damage estimate nearly triples” say?",
     ["harbor-storm-update.html"]),
])
def test_a_question_about_what_an_article_reports_gets_its_lede_and_no_short_answer(question, files):
    reply = ask(question, *files)
    [citation] = reply["citations"]
    assert reply["answerable"] and "short" not in reply
    assert re.match(r"^[A-Z ]+ (\([^)]*\) )?-", citation["quote"]), citation["quote"]  # the dateline sentence


def test_a_count_after_a_verb_ending_in_g_is_a_count():
    """"killing three", "injuring 12": the count itself is the answer, not a longer span that
    happens to contain it (the "g" before it was once read as grams)."""
    texts = ["KELMORE (Kelmore Herald) - A gas explosion tore through a bakery on Harrow Street on Tuesday, "
             "killing three people and injuring 12, fire officials said.",
             "Fire Chief Dana Ortiz said crews were still searching the building."]
    sources = tuple(Source(n, "Explosion at Kelmore bakery", t) for n, t in enumerate(texts, start=1))
    for question, short in [("How many people were killed in the Kelmore bakery explosion?", "three"),
                            ("How many people were injured in the Kelmore bakery explosion?", "12")]:
        reply = json.loads(ExtractiveLLM().reply_to(AnswerRequest(question, sources)))
        assert reply["answerable"] and reply["short"] == short, (question, reply)
