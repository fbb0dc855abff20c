"""What kind of answer a question expects, and whether a sentence offers one.

"How many ..." wants a quantity, "When ..." a date, "Who ..." a person or organisation, "Where
..." a place. A sentence that offers the expected kind (and not only words already in the
question) is a better answer than one that merely repeats the question's words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.text.vocabulary import MONTHS, NUMBER_WORDS

WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()

_QUANTITY = re.compile(
    r"\b\d[\d,.]*\b|\b(?:" + "|".join(NUMBER_WORDS) + r")\b|%|\bper ?cent\b", re.IGNORECASE
)
_DATE = re.compile(
    r"\b(?:1[5-9]\d\d|20\d\d)s?\b|\b(?:" + "|".join(MONTHS + WEEKDAYS) + r")\b"
    r"|\b(?:yesterday|today|tomorrow|century|decade)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|of|de|al|bin))*")
_PLACE_CUE = re.compile(r"\b(?:in|at|from|near|to|across|outside|inside)\s+(?:the\s+)?[A-Z][\w-]+")

QUESTION_TYPES = (
    ("quantity", re.compile(r"\bhow (?:many|much|long|far|old|big|large|tall|high|often)\b|"
                            r"\bwhat (?:number|percentage|share|proportion|amount|sum|total|price)\b|"
                            r"\bwhat (?:was|is|were) the (?:number|total|amount|cost|price|budget|size)\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\b(?:what|which) (?:year|date|day|month|decade|century|time)\b", re.I)),
    ("person", re.compile(r"\bwho(?:m|se)?\b|\b(?:what|which) (?:person|official|minister|president|"
                          r"company|organi[sz]ation|group|team|agency|spokesperson|envoy)\b", re.I)),
    ("place", re.compile(r"\bwhere\b|\b(?:what|which) (?:city|country|town|place|region|state|venue|"
                         r"port|village|province|island|street|district)\b", re.I)),
)


_HOW_WORD = re.compile(r"\bhow\s+\w+", re.IGNORECASE)
_ASKING_WORDS = re.compile(r"\b(?:according to|what kind of|what type of|is named|was named|is called)\b", re.I)


def content_of_question(question: str) -> str:
    """The question without the words that only ask ("how many", "according to"), which the
    answering sentence has no reason to contain."""
    return _ASKING_WORDS.sub(" ", _HOW_WORD.sub(" ", question))


def question_type(question: str) -> str | None:
    for name, pattern in QUESTION_TYPES:
        if pattern.search(question):
            return name
    return None


@lru_cache(maxsize=16384)
def _matches(pattern: re.Pattern, sentence: str) -> tuple[str, ...]:
    """Lower-cased matches of a pattern in a sentence (cached: the same sentences come back
    question after question)."""
    return tuple(m.group(0).lower() for m in pattern.finditer(sentence))


def _new_matches(pattern: re.Pattern, sentence: str, question_lower: str) -> list[str]:
    return [m for m in _matches(pattern, sentence) if m not in question_lower]


def offers(kind: str | None, sentence: str, question: str) -> bool:
    """Does the sentence contain something of the expected kind that the question lacks?"""
    if kind is None:
        return False
    q = question.lower()
    if kind == "quantity":
        return bool(_new_matches(_QUANTITY, sentence, q))
    if kind == "date":
        return bool(_new_matches(_DATE, sentence, q))
    if kind == "person":
        return bool(_new_matches(_NAME, sentence, q))
    if kind == "place":
        return bool(_new_matches(_PLACE_CUE, sentence, q)) or bool(_new_matches(_NAME, sentence, q))
    return False
