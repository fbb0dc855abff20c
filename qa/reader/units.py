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

