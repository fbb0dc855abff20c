"""Distinctive names in a headline or lede: two reports of one story share some ("Garrow Hill",
"Idris", "Pellham"); generic capitalised words ("City", "Council", "Police", months) do not count."""

from __future__ import annotations

import re
from functools import lru_cache

from qa.text.tokens import STOPWORDS
from qa.text.values import TITLES, WEEKDAYS
from qa.text.vocabulary import MONTHS

_GENERIC = frozenset(
    """city county council police state national regional federal government ministry department office
    service services authority agency company group news report update officials north south east
    west new port""".split()
) | TITLES | frozenset(MONTHS) | frozenset(WEEKDAYS) | STOPWORDS


@lru_cache(maxsize=4096)
def title_names(text: str) -> frozenset[str]:
    """Lower-cased capitalised words of three letters or more, possessives dropped, generic ones left out."""
    found = {re.sub(r"['’]s$", "", w.lower()) for w in re.findall(r"\b[A-Z][A-Za-z'’-]{2,}", text)}
    return frozenset(found - _GENERIC)
