"""What the extractive model knows about a question before it reads any article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.reader.question_types import content_of_question, question_type
from qa.reader.units import wanted_units
from qa.text.tokens import STOPWORDS, stem_all, words

_VERBS = frozenset("is was are were did does do has have had can could would will happened".split())

# Coarse question classes: the expected answer type when known, else the question word.
CLASSES = ("quantity", "date", "person", "place", "why", "how", "what", "other")
_WHY = re.compile(r"\bwhy\b|\bwhat (?:caused|was the reason|reason)\b", re.I)
_HOW = re.compile(r"\bhow\b", re.I)
_WHAT = re.compile(r"\b(?:what|which)\b", re.I)
_WH_NOUN = re.compile(r"\b(?:what|which|whose)\s+(?:kind of |type of |sort of )?([a-z][a-z-]+)", re.I)
_MEASURING = frozenset({"quantity", "how", "what", "other"})
_OPENS_WITH_HOW = re.compile(r"\s*(?:by |for |at |to )?how\b", re.I)
# qa/models/extractive.py's condense appends the earlier question's topic words, lower-cased, to a short
# follow-up: "and how many bodies? (hostages released)".
_CONDENSED_CONTEXT = re.compile(r"\s+\([^()A-Z]+\)$")
# The noun a question asks for when its question word does not name one.
_IMPLIED_NOUN = {"person": "person", "date": "year", "place": "place", "quantity": "number"}


@dataclass(frozen=True)
class QuestionInfo:
    text: str
    kind: str | None  # expected answer type: quantity, date, person, place (answer_types)
    klass: str  # one of CLASSES
    stems: frozenset[str]  # stemmed content words (the words an answer sentence should share)
    stem_list: tuple[str, ...]  # the same in question order, for bigrams
    all_stems: frozenset[str]  # every word of the question stemmed, stopwords included
    lower: str
    wh_noun: str | None = None  # what the answer is ("year" in "What year ...", "person" for "who")
    units: frozenset[str] = frozenset()  # unit words a fitting quantity carries (qa/reader/units.py)


def own_words(question: str) -> str:
    """A condensed follow-up without the earlier question's words: those find the sentence, but
    the short answer answers what the follow-up itself asks ("nine" bodies, not "ten" hostages)."""
    return _CONDENSED_CONTEXT.sub("", question) or question


def read_question(question: str) -> QuestionInfo:
    kind = question_type(question)
    if kind is not None:
        klass = kind
    elif _WHY.search(question):
        klass = "why"
    elif _HOW.search(question):
        klass = "how"
    elif _WHAT.search(question):
        klass = "what"
    else:
        klass = "other"
    content = [w for w in words(content_of_question(question)) if w not in STOPWORDS]
    stems = tuple(stem_all(content))
    noun_match = _WH_NOUN.search(question)
    wh_noun = noun_match.group(1).lower() if noun_match else None
    if wh_noun in STOPWORDS or wh_noun in _VERBS:
        wh_noun = None
    wh_noun = wh_noun or _IMPLIED_NOUN.get(klass)
    return QuestionInfo(
        text=question,
        kind=kind,
        klass=klass,
        stems=frozenset(stems),
        stem_list=stems,
        all_stems=frozenset(stem_all(words(question))),
        lower=question.lower(),
        wh_noun=wh_noun,
        # Only questions that can ask for an amount: "Who funded it?" wants no currency, and "How
        # fast were the winds when ..." does ask one.
        units=wanted_units(question) if klass in _MEASURING or _OPENS_WITH_HOW.match(question) else frozenset(),
    )
