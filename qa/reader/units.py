"""Which unit a quantity question wants ("How much does the probe weigh?" wants a mass), and
which words of a text are units.

"How much", "how long" and "how big" do not say what they count. A sentence that gives "1,340
kilograms" answers a question about weight; "six-year" answers one about duration. The reader's
span scorer gets three features: the candidate carries a wanted unit, it carries another unit,
or a wanted unit follows it. All three learned positive weights (qa/reader/weights/span.json): a number
with any unit is usually a measurement, and SQuAD's answers often stop before the unit ("1,340"
of "1,340-kilogram").
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.text.vocabulary import NUMBER_WORDS

UNITS: dict[str, frozenset[str]] = {
    "money": frozenset(
        "$ € £ ¥ dollar dollars euro euros pound pounds cent cents yen yuan rupee rupees franc francs "
        "usd eur gbp".split()
    ),
    "mass": frozenset(
        "kilogram kilograms kilo kilos kg gram grams g tonne tonnes ton tons pound pounds lb lbs ounce "
        "ounces".split()
    ),
    "length": frozenset(
        "meter meters metre metres m kilometer kilometers kilometre kilometres km mile miles foot feet ft "
        "inch inches centimeter centimeters centimetre centimetres cm millimeter millimeters mm yard "
        "yards".split()
    ),
    "area": frozenset("acre acres hectare hectares square sq km2".split()),
    "duration": frozenset(
        "second seconds minute minutes hour hours day days week weeks month months year years decade "
        "decades century centuries".split()
    ),
    "speed": frozenset("mph kph knot knots km/h per".split()),
    "percent": frozenset("percent per cent % percentage".split()),
    "temperature": frozenset("degree degrees ° celsius fahrenheit".split()),
}
ANY_UNIT = frozenset().union(*UNITS.values())

# Cues in a quantity question, checked in order: the first that matches names the wanted units.
_CUES = (
    ("speed", r"\bhow fast\b|\bspeeds?\b|\bvelocity\b|\bwinds?\b"),
    ("mass", r"\bweigh(?:s|ed|t)?\b|\bhow heavy\b|\bmass\b"),
    ("temperature", r"\bhow (?:hot|cold|warm)\b|\btemperature\b"),
    ("percent", r"\bpercent(?:age)?\b|\bwhat share\b|\bproportion\b|\brate\b"),
    ("money", r"\bcost|\bprice|\bpa(?:y|id|ys)\b|\bspen[dt]|\bearn|\brevenue|\bbudget|\bworth\b|\bfund"
              r"|\bmoney\b|\bsalar|\bfees?\b|\bprofit|\bsales\b|\bdollars?\b|\bgrants?\b|\bdebt|\bloan"),
    ("area", r"\bhow (?:big|large) an? area\b|\barea\b"),
    ("length", r"\bhow (?:wide|tall|high|far|deep)\b|\bwidth\b|\bheight\b|\bdistance\b|\bdepth\b|\bacross\b"
               r"|\bhow long is the (?:river|bridge|road|runway|tunnel|wall|coast|border|line|track|course)\b"),
    ("duration", r"\bhow long\b|\bduration\b|\bfor how many (?:years|months|weeks|days|hours)\b|\bhow old\b"
                 r"|\bage\b"),
)
_COMPILED = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _CUES)


@lru_cache(maxsize=16384)
def wanted_units(question: str) -> frozenset[str]:
    """Unit words that fit what the question measures (empty when it does not say)."""
    for kind, pattern in _COMPILED:
        if pattern.search(question):
            return UNITS[kind]
    return frozenset()


def is_unit(word: str) -> bool:
    return word.lower() in ANY_UNIT


# "How many people ...", "the attendance": a count of things, which no money, duration or percent
# answers (a count whose noun is itself a unit, "how many days", wants that unit instead).
_COUNTING = re.compile(r"\bhow many\b|\b(?:attendance|population|turnout|crowd|death toll)\b", re.I)
# "2-2", "7-4": a score or a vote; "74th": a rank. Neither is a count.
_SCORE = re.compile(r"^\d+\s*[-–]\s*\d+$|^\d+(?:st|nd|rd|th)$", re.I)
_SCALE = re.compile(r"(?:hundred|thousand|million|billion|trillion|dozen)s?", re.I)  # "million" of "$118 million"
_AFTER = re.compile(r"[^\W_]+|[$€£¥%]")
_CURRENCY = re.compile(r"[$€£¥]")


def asks_count(question: str) -> bool:
    return bool(_COUNTING.search(question)) and not wanted_units(question)


def counts(short: str, sentence: str) -> bool:
    """Can the short answer be a count: not a score, and no unit in it, right before it or
    right after it ("27" of "27 years", "118 million" of "$118 million")?"""
    if _SCORE.match(short.strip()) or _SCALE.fullmatch(short.strip()):
        return False
    at = sentence.find(short)
    # Before it only a currency sign counts: the letters there end the previous word ("g" of
    # "killing three", "m" of "from 12"), which are no grams or metres.
    before = _CURRENCY.findall(sentence[max(0, at - 2):at]) if at >= 0 else []
    after = _AFTER.findall(sentence[at + len(short):])[:1] if at >= 0 else []
    words = _AFTER.findall(short.lower()) + [w.lower() for w in after] + before
    return not any(is_unit(w) for w in words)


_NAMED_NUMBER = re.compile(r"[A-Za-z]+-\d+\w*")  # "Halcyon-2", "Arcturus-5": names, not amounts
_FIGURE = re.compile(r"\d")
_NUMBER_WORDS = frozenset(NUMBER_WORDS)


def is_amount(short: str) -> bool:
    """Does the short answer hold a figure that is not part of a name ("Halcyon-2")?"""
    return bool(_FIGURE.search(_NAMED_NUMBER.sub(" ", short))) or not _FIGURE.search(short)


def carries(units: frozenset[str], short: str, sentence: str, after: int = 3) -> bool:
    """Is a figure of the short answer measured in one of the units (in it, a currency sign right
    before it, or among the few words after it: "900" of "about 900 meters across")?"""
    if not (_FIGURE.search(short) or any(w in _NUMBER_WORDS for w in _AFTER.findall(short.lower()))):
        return False
    at = sentence.find(short)
    near = _AFTER.findall(short.lower())
    if at >= 0:
        near += _AFTER.findall(sentence[max(0, at - 2):at]) + _AFTER.findall(sentence[at + len(short):].lower())[:after]
    return any(w in units and not (len(w) == 1 and w.isalpha()) for w in near)  # the "m" of "a.m." is no metre


# "How wide / tall / far / fast / heavy ...": the question names what it measures.
_MEASURES = re.compile(r"\bhow (?:wide|tall|high|far|deep|fast|heavy|hot|cold|warm|big|large|long|much)\b", re.I)


def measures(question: str) -> frozenset[str]:
    """The units a "how wide"-like question wants (empty for other questions)."""
    return wanted_units(question) if _MEASURES.search(question) else frozenset()
