"""Which report a question asks for (qa/text/recency.py), and what a value's clause is about
(qa/text/slots.py)."""

from __future__ import annotations

import pytest

from qa.text.recency import asks_earlier, asks_recent, without_time_words
from qa.text.slots import surroundings


@pytest.mark.parametrize(
    "question",
    [
        "What is the latest death toll from the storm?",
        "How many cases have been confirmed so far?",
        "Who is currently in charge of the inquiry?",
        "What is the most recent estimate of the damage?",
        "When is the launch now scheduled?",
        "What is the county's revised damage estimate?",
        "What is the final attendance figure for the festival?",
        "How many people have died to date?",
    ],
)
def test_questions_that_want_the_newest_report(question):
    assert asks_recent(question) and not asks_earlier(question)


@pytest.mark.parametrize(
    "question",
    [
        "Where was the Continental Cup final played?",  # a match's final, not a figure
        "How many captives still living would be let go?",  # "still" asks nothing about time
        "How many people were injured?",
        "Who won the final?",
    ],
)
def test_questions_that_do_not_ask_about_time(question):
    assert not asks_recent(question) and not asks_earlier(question)


@pytest.mark.parametrize(
    "question",
    [
        "How many people did the storm kill according to the first report?",
        "What was the initial estimate of the damage?",
        "How many residents were evacuated according to the first count?",
        "What was the preliminary figure?",
        "How many were originally reported missing?",
    ],
)
def test_questions_about_the_earlier_report(question):
    assert asks_earlier(question) and not asks_recent(question)


def test_without_time_words_keeps_what_is_counted():
    assert without_time_words("What is the final attendance figure?").split() == ["What", "is", "the", "attendance", "?"]
    assert "first" not in without_time_words("How many were evacuated according to the first count?")


def test_surroundings_read_the_values_clause():
    sentence = ("Tropical Storm Idris slammed into the coast on Saturday, killing three people, "
                "flooding the harbor and knocking out electricity to about 22,000 homes, officials said.")
    three, homes = sentence.index("three"), sentence.index("22,000")
    assert {"die", "peopl"} <= surroundings(sentence, three, 5)  # "killing" and "killed" are one sense
    assert "die" not in surroundings(sentence, homes, 6)
    assert "said" not in surroundings(sentence, homes, 6) and "offici" not in surroundings(sentence, homes, 6)
    # across the clause break only when asked: the nearest words of the sentence
    assert "flood" not in surroundings(sentence, three, 5)
    assert "flood" in surroundings(sentence, three, 5, clause=False)
    assert surroundings(sentence, -1, 5) == set()
