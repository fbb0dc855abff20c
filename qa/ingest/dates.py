"""Publication dates: common spellings in articles, pages and feeds, read as ISO dates."""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from qa.text.clean import one_line

_MONTH_NAMES = "january february march april may june july august september october november december".split()


def _month_number(word: str) -> int | None:
    """1-12 for a month name or its abbreviation ("jul", "sept"), else None."""
    word = "sep" if word == "sept" else word
    if len(word) < 3:
        return None
    return next((n for n, name in enumerate(_MONTH_NAMES, 1) if name.startswith(word)), None)


_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday)?\.?,?\s)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"(?P<month>[a-z]+)\.?"
_MONTH_FIRST = re.compile(rf"{_WEEKDAY}{_MONTH}\s{_DAY},?\s(?P<year>\d{{4}})")
_DAY_FIRST = re.compile(rf"{_WEEKDAY}{_DAY}\s{_MONTH},?\s(?P<year>\d{{4}})")


def parse_date(value: str) -> str:
    """An ISO date 'YYYY-MM-DD' from common spellings ("" for ""); ValueError when unreadable.
    Timestamps keep the date as written (no conversion to UTC): that is the date the outlet meant."""
    text = one_line(value)
    if not text:
        return ""
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})([T ].+)?", text)
    if iso:
        if iso[4]:
            datetime.fromisoformat(text)  # only to reject a malformed time part
        return date(int(iso[1]), int(iso[2]), int(iso[3])).isoformat()
    slashed = re.fullmatch(r"(\d{4})/(\d{1,2})/(\d{1,2})", text)
    if slashed:
        return date(int(slashed[1]), int(slashed[2]), int(slashed[3])).isoformat()
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        spelled = pattern.fullmatch(text.lower())
        month = _month_number(spelled["month"]) if spelled else None
        if spelled and month:
            return date(int(spelled["year"]), month, int(spelled["day"])).isoformat()
    if re.search(r"\d:\d\d", text):  # RFC 2822, as in feeds and HTTP: "Tue, 08 Jul 2025 21:00:00 GMT"
        try:
            return parsedate_to_datetime(text).date().isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    raise ValueError(f"cannot read date {text!r}")
