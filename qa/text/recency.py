"""Does a question ask for the newest state of things, or for an earlier report?

"What is the latest death toll?", "How many have died so far?", "Who is currently in charge?"
want the newest report: retrieval then prefers newer articles among passages that answer, and
when reports disagree the answer leads with the newest. "How many died according to the first
report?" asks for the earlier one: its answer keeps the earlier report's value in the lead.
"""

from __future__ import annotations

import re

_REPORT = r"(?:reports?|accounts?|estimates?|figures?|counts?|tally|readings?|announcements?|statements?|numbers?)"
# "final" only of a figure ("the final attendance figure", not "the Continental Cup final"); "still"
# not at all ("captives still living" asks nothing about time).
_RECENT = re.compile(
    r"\b(?:latest|most recent|newest|now|currently|current|so far|to date|as of (?:now|today)|"
    r"at present|presently|up to date|updated|revised)\b"
    r"|\bfinal\s+(?:\w+\s+)?(?:attendance|toll|turnout|result|results|cost|" + _REPORT[3:-1] + r")\b",
    re.IGNORECASE,
)
_EARLIER = re.compile(
    r"\b(?:first|initial|original|preliminary|earliest|earlier|early|previous|prior)\s+(?:\w+\s+)?" + _REPORT + r"\b"
    r"|\b(?:initially|originally|at first|first reported|first announced|before (?:it was|the) revis\w*)\b",
    re.IGNORECASE,
)


def asks_recent(question: str) -> bool:
    """The question wants the newest report ("latest", "now", "so far", "currently", ...)."""
    return bool(_RECENT.search(question)) and not asks_earlier(question)


def asks_earlier(question: str) -> bool:
    """The question asks what an earlier report said ("according to the first report")."""
    return bool(_EARLIER.search(question))


_TIME_WORDS = re.compile(
    r"\b(?:latest|most recent|newest|now|currently|current|so far|to date|as of (?:now|today)|at present|"
    r"presently|up to date|updated|revised|final)\b|\b" + _REPORT + r"\b",
    re.IGNORECASE,
)


def without_time_words(question: str) -> str:
    """The question without the words that say which report it wants ("the first count", "so
    far", "the final ... figure"): they are not what the reports' values are values of."""
    return _TIME_WORDS.sub(" ", _EARLIER.sub(" ", question))
