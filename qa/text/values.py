"""Values that reports give for one question (a number, a date, a name), read so that two
reports can be compared: do they say the same thing written differently, or disagree?

"12" and "twelve", "1,200" and "1200", "$40 million" and "40 million dollars", "Hanna Brevik"
and "Director Brevik", "March 14" and "14 March 2025" agree; "three" and "seven", "March 3" and
"April 14", "Ruth Cawley" and "Tomas Berg" differ. Values of different kinds, or in different
units ("120 kilometers per hour" and "$120 million"), are not compared at all: neither says
anything about the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from qa.text.vocabulary import MONTHS

Kind = Literal["number", "date", "name", "text"]

ONES = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000, "m": 1_000_000, "bn": 1_000_000_000, "k": 1_000}
DOZEN = {"dozen": 12}
_MONTH_NUMBER = {name: (i % 12) + 1 for i, name in enumerate(MONTHS[:12])}
_MONTH_NUMBER.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
                      "sept": 9, "oct": 10, "nov": 11, "dec": 12})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Unit classes: two figures are comparable only in the same class (or when one names none).
_UNIT_CLASSES = {
    "money": "$ € £ ¥ dollar dollars euro euros pound pounds usd eur gbp",
    "percent": "% percent percentage",
    "speed": "mph kph km/h knots knot",
    "length": "kilometer kilometers kilometre kilometres km meter meters metre metres m mile miles feet foot",
    "mass": "kilogram kilograms kg tonne tonnes tons ton grams",
    "duration": "second seconds minute minutes hour hours day days week weeks month months year years",
    "magnitude": "magnitude",
}
UNIT_OF = {w: kind for kind, ws in _UNIT_CLASSES.items() for w in ws.split()}

# Words before a name that say what the person is, not who.
TITLES = frozenset(
    """mr mrs ms miss dr prof sir dame mayor director deputy acting interim chief inspector detective
    superintendent sergeant officer constable captain commander commissioner minister premier president
    governor senator judge justice councillor councilor alderman chair chairman chairwoman spokesperson
    spokesman spokeswoman secretary general colonel major lieutenant reverend father sister chancellor
    ceo executive head manager coach professor organiser organizer founder commander director-general
    engineer organiser the""".split()
)
_QUALIFIERS = re.compile(r"\b(?:about|around|approximately|roughly|nearly|almost|some|over|more than|"
                         r"less than|fewer than|at least|up to|an estimated|estimated|just|only)\b", re.I)
_FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?)")
_WORD = re.compile(r"\d[\d,]*(?:\.\d+)?[^\W\d_]*|[^\W_]+(?:['’][^\W_]+)?|[$€£¥%]")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
YEAR = re.compile(r"^(?:1[5-9]\d\d|20\d\d)$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")


@dataclass(frozen=True)
class Value:
    """One report's value, read. `text` is as written; the other fields what it says."""

    kind: Kind
    text: str
    number: float | None = None
    unit: str = ""  # unit class ("money", "percent", ...) or "" when none is named
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: str = ""
    names: tuple[str, ...] = ()  # name words, lower case, titles left out (surname last)
    normal: str = ""  # the text lower-cased with punctuation and qualifiers dropped


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def parse_number(text: str) -> float | None:
    """The figure a value states: digits ("1,200", "2.5 million", "$40m") or number words
    ("twelve", "twenty-one", "a dozen", "three hundred"); None when it states none."""
    plain = _QUALIFIERS.sub(" ", text.replace("-", " ").replace("–", " "))
    tokens = _words(plain)
    for i, token in enumerate(tokens):
        figure = _FIGURE.fullmatch(token.replace(",", "")) if token[0].isdigit() else None
        if figure is None and token[0].isdigit():
            match = re.match(r"(\d[\d,]*(?:\.\d+)?)(m|bn|k)$", token)  # "$40m"
            if match:
                return float(match.group(1).replace(",", "")) * SCALES[match.group(2)]
            continue
        if figure is not None:
            value = float(figure.group(1).replace(",", "")) if _commas_ok(token) else None
            if value is None:
                continue
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            if following in SCALES and following not in ("m", "k"):
                value *= SCALES[following]
            return value
        if token in ONES or token in TENS or token in DOZEN:
            return _number_words(tokens[i:])
    return None


def _commas_ok(token: str) -> bool:
    """"1,200" and "41,000" are thousands; "3,4" is not a figure."""
    return "," not in token or bool(re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token))


def _number_words(tokens: list[str]) -> float:
    total, current = 0.0, 0.0
    for token in tokens:
        if token in ONES:
            current += ONES[token]
        elif token in TENS:
            current += TENS[token]
        elif token in DOZEN:
            current = (current or 1) * 12
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in SCALES and token not in ("m", "bn", "k"):
            total += (current or 1) * SCALES[token]
            current = 0.0
        elif token == "and":
            continue
        else:
            break
    return total + current


def unit_of(text: str) -> str:
    """The unit class a value names ("money" for "$40 million"), or ""."""
    if re.search(r"\bper cent\b", text, re.I):
        return "percent"
    for token in _words(text):
        if token in UNIT_OF and not (token == "m" and "$" not in text):
            return UNIT_OF[token]
    return ""


def date_parts(text: str) -> tuple[int | None, int | None, int | None, str]:
    """(year, month, day, weekday) of a date as written; None/"" for what it does not say."""
    iso = _ISO.search(text)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3)), ""
    tokens = _words(text.replace(".", " "))
    year = month = day = None
    weekday = ""
    for i, token in enumerate(tokens):
        if token in _MONTH_NUMBER and (token in MONTHS[:12] or len(token) >= 3):
            if token == "may" and not _near_figure(tokens, i):
                continue  # "may" the verb
            month = _MONTH_NUMBER[token]
            for near in (tokens[i + 1:i + 2], tokens[i - 1:i] if i else []):
                found = _ORDINAL.match(near[0]) if near else None
                if found and 1 <= int(found.group(1)) <= 31 and day is None:
                    day = int(found.group(1))
        elif YEAR.match(token):
            year = int(token)
        elif token in WEEKDAYS:
            weekday = token
    return year, month, day, weekday


def _near_figure(tokens: list[str], i: int) -> bool:
    return any(_ORDINAL.match(t) or YEAR.match(t) for t in tokens[max(0, i - 1):i + 2] if t != tokens[i])


def _name_words(text: str) -> tuple[str, ...]:
    words = [w.rstrip(".") for w in re.findall(r"[A-Z][\w’'.-]*", text)]
    words = [re.sub(r"['’]s$", "", w) for w in words]
    return tuple(w.lower() for w in words if w.lower().rstrip(".") not in TITLES and len(w) > 1)


def read_value(text: str, expect: str | None = None) -> Value:
    """`text`: a short answer ("seven", "$112 million", "Tomas Berg", "April 14"). `expect`: what
    the question asks ("quantity", "date", "person", "place", or None), which decides the kind
    when the text could be read two ways (a year is a date to "when", a number to "how many")."""
    text = " ".join(text.split())
    normal = " ".join(_words(_QUALIFIERS.sub(" ", text)))
    if re.search(r"\d\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock)", text, re.I):
        return Value("text", text, normal=normal)  # a time of day: not compared
    year, month, day, weekday = date_parts(text)
    dated = month is not None or bool(weekday) or (year is not None and expect == "date")
    number = parse_number(text)
    if dated and (expect in ("date", None) or number is None or month is not None):
        return Value("date", text, year=year, month=month, day=day, weekday=weekday, normal=normal)
    if number is not None and expect != "person":
        return Value("number", text, number=number, unit=unit_of(text), normal=normal)
    names = _name_words(text)
    if names and expect in ("person", "place", None):
        return Value("name", text, names=names, normal=normal)
    return Value("text", text, normal=normal)


def same_value(a: Value, b: Value) -> bool | None:
    """True when two values say the same, False when they disagree, None when they cannot be
    compared (different kinds, different units, a weekday against a calendar date, free text)."""
    if a.kind != b.kind:
        return None
    if a.kind == "number":
        if a.unit != b.unit:
            return None  # "$120 million" and "120 kilometers" (or a bare "2") say nothing of each other
        assert a.number is not None and b.number is not None
        return abs(a.number - b.number) <= 1e-9 * max(1.0, abs(a.number), abs(b.number))
    if a.kind == "date":
        return _same_date(a, b)
    if a.kind == "name":
        return _same_name(a.names, b.names)
    return True if a.normal == b.normal else None


def _same_date(a: Value, b: Value) -> bool | None:
    if a.month is not None and b.month is not None:
        if a.month != b.month:
            return False
        if a.day is not None and b.day is not None and a.day != b.day:
            return False
        if a.year is not None and b.year is not None and a.year != b.year:
            return False
        return True
    if a.month is None and b.month is None:
        if a.weekday and b.weekday:
            return a.weekday == b.weekday
        if a.year is not None and b.year is not None and not (a.weekday or b.weekday):
            return a.year == b.year
    return None  # "Tuesday" against "March 3": the report dates would be needed to tell


def _same_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """"Hanna Brevik" = "Brevik" = "Director Hanna Brevik"; "Ruth Cawley" != "Ruth Berg"."""
    if not a or not b:
        return False
    if a[-1] == b[-1]:
        return True
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return set(shorter) <= set(longer)
