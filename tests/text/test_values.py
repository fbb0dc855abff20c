"""Reading and comparing the values reports give (qa/text/values.py) and finding them in a
sentence (qa/text/value_spans.py): the same value written differently agrees, a revised one
differs, values of another kind or unit are not compared."""

from __future__ import annotations

import pytest

from qa.text.value_spans import figure, value_span, value_spans
from qa.text.values import parse_number, read_value, same_value


@pytest.mark.parametrize(
    "a, b, expect",
    [
        ("12", "twelve", None),
        ("1,200", "1200", None),
        ("about 41,000", "41,000", None),
        ("twenty-one", "21", None),
        ("a dozen", "12", None),
        ("2.5 million", "2,500,000", None),
        ("$40 million", "40 million dollars", None),
        ("$40m", "$40 million", None),
        ("58%", "58 percent", None),
        ("12 per cent", "12%", None),
        ("seven", "7", "quantity"),
        ("Hanna Brevik", "Director Brevik", "person"),
        ("Priya Natarajan", "Natarajan", "person"),
        ("Dr. Amira Solberg", "Amira Solberg", "person"),
        ("March 14", "14 March 2025", "date"),
        ("March 14th", "March 14, 2025", "date"),
        ("2025-03-14", "March 14, 2025", "date"),
        ("Sept. 3", "September 3", "date"),
        ("Tuesday", "tuesday", "date"),
    ],
)
def test_the_same_value_written_differently_agrees(a, b, expect):
    assert same_value(read_value(a, expect), read_value(b, expect)) is True


@pytest.mark.parametrize(
    "a, b, expect",
    [
        ("three", "seven", "quantity"),
        ("1,200", "1,400", None),
        ("$48 million", "$61 million", None),
        ("5.8", "6.1", None),
        ("March 3", "April 14", "date"),
        ("June 2", "June 9", "date"),
        ("2019", "2021", "date"),
        ("Ruth Cawley", "Tomas Berg", "person"),
        ("Ruth Cawley", "Ruth Berg", "person"),  # the same first name is not the same person
    ],
)
def test_a_revised_value_differs(a, b, expect):
    assert same_value(read_value(a, expect), read_value(b, expect)) is False


@pytest.mark.parametrize(
    "a, b, expect",
    [
        ("120 kilometers per hour", "$120 million", None),  # different units
        ("22,000", "41,000 kilometers", None),  # one names a unit, the other none
        ("Tuesday", "March 3", "date"),  # a weekday against a calendar date
        ("Monday", "seven", None),  # different kinds
        ("2 p.m.", "2", None),  # a time of day
        ("the old harbor", "the harbor", None),  # free text
    ],
)
def test_values_of_another_kind_or_unit_are_not_compared(a, b, expect):
    assert same_value(read_value(a, expect), read_value(b, expect)) is None


@pytest.mark.parametrize(
    "text, number",
    [("1,200", 1200), ("twelve", 12), ("twenty-one", 21), ("three hundred", 300), ("$112 million", 112_000_000),
     ("€3.5m", 3_500_000), ("a dozen", 12), ("nearly 95,000", 95_000), ("3,4", None), ("none", None)],
)
def test_parse_number(text, number):
    assert parse_number(text) == number


def test_a_year_is_a_date_when_asked_when_and_a_number_otherwise():
    assert read_value("2016", "date").kind == "date"
    assert read_value("2016", "quantity").kind == "number"
    assert read_value("Tomas Berg", "person").kind == "name"


@pytest.mark.parametrize(
    "value, expected",
    [("seven as damage estimate", "seven"), ("$112 million in damage", "$112 million"),
     ("120 kilometers per hour", "120 kilometers per hour"), ("about 41,000", "41,000"),
     ("71-year-old", "71"), ("Tomas Berg", "Tomas Berg"), ("March 3", "March 3")],
)
def test_figure_keeps_a_numbers_words(value, expected):
    assert figure(value) == expected


@pytest.mark.parametrize(
    "sentence, short, expected",
    [
        ("winds of 105 kilometers per hour, according", "105", "105 kilometers per hour"),
        ("the storm caused $112 million in damage", "112 million", "$112 million"),
        ("it came ashore at around 2 p.m. with", "2", "2 p.m."),
        ("rose 12 per cent last year", "12", "12 per cent"),
        ("killing three people a day", "three people", "three"),
    ],
)
def test_value_span_takes_the_currency_and_unit_around_a_figure(sentence, short, expected):
    at = sentence.index(short)
    start, end = value_span(sentence, at, at + len(short))
    assert sentence[start:end] == expected


def test_value_spans_finds_each_kind():
    sentence = ("Chief Inspector Tomas Berg took over from Police Chief Ruth Cawley on March 3, 2025, and said "
                "$1.2 million, twenty-one officers, 1,200 jobs and Halcyon-2 left at 6:40 p.m. in 2024.")
    found = {kind: [sentence[s:e] for s, e in value_spans(sentence, kind)] for kind in ("number", "date", "name")}
    # no figure inside a date, a name ("Halcyon-2") or a time; a year is a date
    assert found["number"] == ["$1.2 million", "twenty-one", "1,200"]
    assert found["date"] == ["March 3, 2025", "2024"]
    assert found["name"] == ["Tomas Berg", "Ruth Cawley", "Halcyon-2"]  # titles left out


def test_value_spans_skips_grammar_and_possessives():
    sentence = "An estimated crowd saw Tuesday's vote, and Brevik's plan won."
    assert [sentence[s:e] for s, e in value_spans(sentence, "name")] == ["Brevik"]


def test_line_by_line_helpers_read_as_the_whole_text():
    """The terms check's stems and the lede are read line by line (cached per line, or the
    first line only): the same as reading the whole text."""
    from qa.text.sentences import first_sentence_span, sentence_spans
    from qa.text.tokens import stem_all, stem_set, words

    texts = [
        "PORT AVALEN (Coastal Ledger) - Storm Idris hit on Saturday.\n\nMr. Berg said the U.S. team's crews left.",
        "\n  \n\nThe first line is blank.  Dr. J. Smith agreed. Second sentence",
        "it’s rock’n’roll\nthe Ma’am’s\n",
        "",
        "   \n\t\n",
    ]
    for text in texts:
        spans = sentence_spans(text)
        assert first_sentence_span(text) == (spans[0] if spans else None)
        assert stem_set(text) == set(stem_all(words(text)))
