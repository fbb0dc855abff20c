"""Where a sentence gives values, and how much of it a value is: "$112 million" of "caused $112
million in damage", "105 kilometers per hour" of "winds of 105 kilometers per hour", "Tomas
Berg" of "Chief Inspector Tomas Berg". qa/text/values.py reads and compares them.
"""

from __future__ import annotations

import re

from qa.text.values import (
    DOZEN,
    ONES,
    SCALES,
    TENS,
    TITLES,
    UNIT_OF,
    WEEKDAYS,
    YEAR,
    Kind,
    date_parts,
    parse_number,
)
from qa.text.vocabulary import MONTHS

_SPAN_TOKEN = re.compile(r"[$€£¥]|\d[\d,]*(?:\.\d+)?(?:m|bn|k)?\b|[^\W_]+|%")
_EXTENDS = (frozenset(ONES) | frozenset(TENS) | frozenset(SCALES) | frozenset(DOZEN)
            | frozenset(UNIT_OF) | {"per", "and", "cent", "hour", "%"})  # "per cent", "per hour"


def figure(value: str) -> str:
    """A number's words alone, with its currency, scale and unit ("seven" of "seven as damage
    estimate", "$112 million" of "$112 million in damage", "120 kilometers per hour"); other
    values as given. A short answer's extra words do not belong in a side-by-side."""
    if date_parts(value)[1] is not None or parse_number(value) is None:
        return value
    tokens = list(_SPAN_TOKEN.finditer(value))
    first = next((i for i, t in enumerate(tokens) if _starts_figure(t.group(0))), None)
    if first is None:
        return value
    last = first
    if tokens[first].group(0) in "$€£¥" and first + 1 < len(tokens) and tokens[first + 1].group(0)[0].isdigit():
        last += 1  # "$" "112"
    while last + 1 < len(tokens) and tokens[last + 1].group(0).lower() in _EXTENDS:
        gap = value[tokens[last].end():tokens[last + 1].start()]
        if "-" in gap and tokens[last + 1].group(0).lower() in UNIT_OF:
            break  # "71-year-old": the figure is 71
        last += 1
    while last > first and tokens[last].group(0).lower() in ("and", "per"):
        last -= 1
    return value[tokens[first].start():tokens[last].end()]


_TIME = re.compile(r"^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock|GMT|UTC)", re.I)
_CURRENCY_BEFORE = re.compile(r"[$€£¥]\s?$")
_UNIT_AFTER = re.compile(
    r"^(?:[\s-]?(?:%|percent|per cent|hundred|thousand|million|billion|trillion|m\b|bn\b))*"
    r"(?:\s(?:" + "|".join(sorted((re.escape(w) for w in UNIT_OF if len(w) > 1 and w.isalpha()), key=len, reverse=True))
    + r")\b)?(?:\s(?:per|an|a)\s(?:hour|day|week|month|year|second|minute)\b)?",
    re.I,
)


def value_span(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the value sentence[start:end] as compared: a number's words alone (`figure`),
    with the currency sign before it and the scale and unit after it ("105" of "winds of 105
    kilometers per hour" is "105 kilometers per hour"; "2" of "2 p.m." is the time "2 p.m.");
    other values as given."""
    text = sentence[start:end]
    trimmed = figure(text)
    if trimmed == text and parse_number(text) is None:
        return start, end
    start += text.find(trimmed)
    end = start + len(trimmed)
    if _CURRENCY_BEFORE.search(sentence[:start]) and not trimmed[:1] in "$€£¥":
        start = _CURRENCY_BEFORE.search(sentence[:start]).start()  # type: ignore[union-attr]
    time = _TIME.match(sentence[end:])
    if time:
        return start, end + time.end()
    return start, end + _UNIT_AFTER.match(sentence[end:]).end()  # type: ignore[union-attr]


def _starts_figure(token: str) -> bool:
    low = token.lower()
    return token[0].isdigit() or token in "$€£¥" or low in ONES or low in TENS or low in DOZEN


_NUMBER_WORD = "|".join(sorted(list(ONES) + list(TENS) + ["dozen"], key=len, reverse=True))
_NUMBER_RUN = re.compile(
    r"(?<![\w.:-])(?:[$€£¥]\s?)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:m|bn|k)?(?![\w-]*\d)(?!-\w)(?!:\d)"
    r"|\b(?:" + _NUMBER_WORD + r")(?:[\s-](?:" + _NUMBER_WORD + r"|hundred|and))*\b",
    re.IGNORECASE,
)
_MONTH = r"(?:" + "|".join(m.capitalize() for m in MONTHS[:12]) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)"
_DATE_RUN = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b"
    r"|\b(?:\d{1,2}(?:st|nd|rd|th)?\s+)?" + _MONTH + r"(?:\s+\d{1,2}(?:st|nd|rd|th)?\b)?(?:,?\s+\d{4}\b)?"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:1[5-9]\d\d|20\d\d)\b"
)
_NAME_RUN = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:(?:of|de|van|von|al|bin)\s+)?[A-Z][\w’'-]+)*")
_SENTENCE_OPEN = re.compile(r"(?:^|[.!?\"“]\s*)$")
_FUNCTION_WORDS = frozenset("a an the this that these those it its he she they we i you our their his her there".split())
_NOT_NAMES = frozenset(m.capitalize() for m in MONTHS[:12]) | {d.capitalize() for d in WEEKDAYS}


def value_spans(sentence: str, kind: Kind) -> list[tuple[int, int]]:
    """Where values of a kind are in a sentence, as (start, end): every figure (with its currency,
    scale and unit: `value_span`), every date, or every run of capitalised words that is not a
    sentence's lone first word (leading titles left out: "Tomas Berg" of "Chief Inspector Tomas
    Berg")."""
    found: list[tuple[int, int]] = []
    if kind == "number":
        dates = [(m.start(), m.end()) for m in _DATE_RUN.finditer(sentence)]
        for m in _NUMBER_RUN.finditer(sentence):
            if YEAR.match(m.group(0)) or any(s <= m.start() < e for s, e in dates):
                continue
            found.append(value_span(sentence, m.start(), m.end()))
    elif kind == "date":
        found = [(m.start(), m.end()) for m in _DATE_RUN.finditer(sentence)]
    elif kind == "name":
        for m in _NAME_RUN.finditer(sentence):
            start, words = m.start(), m.group(0).split()
            # "Police Chief Harold Brandt", "Deputy Chief Marta Olsen": the name follows the last title
            last = max((i for i, w in enumerate(words[:-1]) if w.lower().rstrip(".") in TITLES), default=-1)
            for word in words[:last + 1]:
                start = sentence.index(word, start) + len(word)
            start += len(sentence[start:]) - len(sentence[start:].lstrip())
            words = words[last + 1:]
            end = m.end()
            if words and re.search(r"['’]s$", words[-1]):  # "Tuesday's", "Brevik's"
                words[-1], end = words[-1][:-2], end - 2
            if not words or not words[-1] or " ".join(words) in _NOT_NAMES:
                continue
            if len(words) == 1 and (_SENTENCE_OPEN.search(sentence[:start]) or words[0].lower() in _FUNCTION_WORDS):
                continue  # a capitalised first word is grammar
            found.append((start, end))
    return list(dict.fromkeys(found))
