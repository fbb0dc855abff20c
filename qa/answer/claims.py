"""Claim check: numbers, dates and names in an answer that none of its cited quotes contains.

Such claims are not removed (the model may be right) but listed on the answer as `unsupported`,
so a reader sees which parts of the answer no verified passage backs.
"""

from __future__ import annotations

import re

from qa.answer.parsing import strip_markers
from qa.text.normalize import normalize_answer
from qa.text.tokens import STOPWORDS
from qa.text.vocabulary import MONTHS, NUMBER_WORDS

_NUMBER = re.compile(
    r"[$€£]?\d[\d,.]*(?:\s?(?:%|percent|million|billion|trillion))?|\b(?:"
    + "|".join(NUMBER_WORDS[:30])
    + r")\b",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b(?:" + "|".join(m.capitalize() for m in MONTHS) + r")\.?(?:\s+\d{1,2})?(?:,?\s+\d{4})?")
_NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:[A-Z][\w’'-]*|of|de|al|bin|von|van))*")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n)$")


def claims(answer: str) -> list[str]:
    """The checkable claims of an answer, in order, without repeats."""
    text = strip_markers(answer)
    found = [m.group(0).strip(" .,") for m in _DATE.finditer(text)]
    # numbers inside a date were counted with it
    undated = _DATE.sub(lambda m: " " * len(m.group(0)), text)
    found += [m.group(0).strip(" .,") for m in _NUMBER.finditer(undated)]
    for match in _NAME.finditer(text):
        name = match.group(0).strip()
        words = name.split()
        at_start = bool(_SENTENCE_START.search(text[: match.start()]))
        if at_start and len(words) == 1:
            continue  # a capitalised first word is grammar, not a name
        if at_start and words[0].lower() in STOPWORDS:
            name = " ".join(words[1:])
        if name.lower().rstrip(".") in MONTHS:
            continue
        if name and name.lower() not in STOPWORDS:
            found.append(name)
    return list(dict.fromkeys(c for c in found if c))


def unsupported_claims(answer: str, quotes: list[str]) -> list[str]:
    """Claims of the answer that appear in none of the quotes (case-, spacing- and
    number-word-insensitive: "ten" is supported by a quote saying "10")."""
    haystack = " " + " ".join(normalize_answer(q) for q in quotes) + " "
    raw = " ".join(quotes).lower()
    missing = []
    for claim in claims(answer):
        normal = normalize_answer(claim)
        if normal and f" {normal} " in haystack:
            continue
        if claim.lower() in raw:
            continue
        missing.append(claim)
    return missing
