"""Sentence splitting with exact character offsets, and news datelines.

Chunking packs these sentences into chunks; the reader scores them one by one.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Sentence-final punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_STARTS_SENTENCE = re.compile(r"[\"'“‘(\[]?[A-Z0-9À-Ý]")
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
# A news dateline opening a story ("SORREL POINT (Sample Wire) - ", "NEW YORK, May 3 (AP) - "):
# where and by whom it was filed, not what the story says.
_DATELINE = re.compile(r"^[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z0-9][A-Za-z0-9.'’-]*)*(?:\s*\([^()]{1,60}\))?\s+[-–—]{1,2}\s+")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc corp co ltd vs etc no nos
    jan feb mar apr jun jul aug sep sept oct nov dec fig approx dept est mt ft""".split()
)


def _is_abbreviation(text: str, dot_at: int) -> bool:
    """True when the '.' at `dot_at` ends an abbreviation or initial rather than a sentence."""
    window = text[max(0, dot_at - 40) : dot_at]  # a bounded look-back keeps splitting linear
    # The run of non-spaces the window ends with (a regex anchored at the end tries every start).
    if not window or window[-1].isspace():
        return False
    word = window.rsplit(None, 1)[-1].lstrip("\"'“‘([")
    if word.lower() in _ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return True
    return bool(_DOTTED.fullmatch(word))  # "U.S", "e.g"


CACHED_CHARS = 4000  # passages (a chunk, a sentence) are split again and again while answering


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[start:end], whitespace excluded, in order."""
    if start == 0 and end is None and len(text) <= CACHED_CHARS:
        return list(_passage_spans(text))  # answering a question splits each passage ~30 times
    return _spans(text, start, len(text) if end is None else end)


def first_sentence_span(text: str) -> tuple[int, int] | None:
    """sentence_spans(text)[0] (None when there is none), splitting only the first line that has
    one: a whole article's lede without splitting the whole article."""
    for line in re.finditer(r"[^\n]+", text):
        spans = _spans(text, line.start(), line.end())
        if spans:
            return spans[0]
    return None


@lru_cache(maxsize=1024)
def _passage_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_spans(text, 0, len(text)))


def _spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start, line_end = start + line.start(), start + line.end()
        cursor = line_start
        for match in _BOUNDARY.finditer(text, line_start, line_end):
            next_char = match.end()
            if next_char >= line_end or not _STARTS_SENTENCE.match(text, next_char):
                continue
            punct_end = match.start() + len(match.group(0).rstrip())
            if match.group(0).rstrip() == "." and _is_abbreviation(text, match.start()):
                continue
            add_trimmed(text, cursor, punct_end, spans)
            cursor = next_char
        add_trimmed(text, cursor, line_end, spans)
    return spans


def dateline_end(sentence: str) -> int:
    """Where a dateline opening the sentence ends (0 when it has none)."""
    match = _DATELINE.match(sentence)
    return match.end() if match else 0


def add_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append text[start:end] without its surrounding whitespace, unless nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
