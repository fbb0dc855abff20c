"""Questions whose focus the span scorer cannot see: "Who is X?" and "What did X say?".

The span scorer learned SQuAD's answers: short phrases near the question's words. "Who is Steve
Witkoff?" wants what the text says he is (the apposition after his name), and "What did the mayor
say about the storm?" wants the mayor's words (a quotation or a reported clause), neither of which
it ranks first. These rules find them by the parse (qa/reader/syntax.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.reader import syntax

# "Who is Majed Al-Ansari?": a capitalised name and nothing else.
_WHO_IS = re.compile(r"^\s*(?i:who)\s+(?:is|was)\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)\s*\??\s*$")
# "What did the mayor say (about the storm)?"
_WHAT_SAID = re.compile(r"^\s*what\s+(?:did|does|has|have)\s+(.+?)\s+(?:say|said|tell|told)\b", re.I)
_QUOTED = re.compile(r"[\"“]([^\"“”]{12,})[,.!?]?[\"”]")


def asked_person(question: str) -> str | None:
    """The name in "Who is X?", else None."""
    match = _WHO_IS.match(question)
    return match.group(1) if match else None


def describe(question: str, sentences: Sequence[str]) -> tuple[int, str] | None:
    """For "Who is X?": the first sentence that describes X, and the description."""
    name = asked_person(question)
    if name is None:
        return None
    for k, sentence in enumerate(sentences):
        found = syntax.description(sentence, name)
        if found:
            return k, found
    return None


def speaker(question: str) -> str | None:
    """The head word of X in "What did X say?" ("mayor" of "the city's mayor"), lower-cased."""
    match = _WHAT_SAID.match(question)
    if not match:
        return None
    words = re.findall(r"[\w’'-]+", match.group(1).lower())
    return words[-1] if words else None


def statement(question: str, sentences: Sequence[tuple[str, str]]) -> tuple[int, str] | None:
    """For "What did X say?": the first (sentence, sentence before it) pair in which X (or a pronoun
    right after a sentence naming X) says something, and what was said: the quotation when there
    is one, else the clause the saying verb governs."""
    who = speaker(question)
    if who is None:
        return None
    for k, (sentence, before) in enumerate(sentences):
        said = syntax.said_by(sentence, who, who in before.lower())
        if said is None:
            continue
        quoted = _QUOTED.search(sentence)
        return k, quoted.group(1).strip().rstrip(",;") if quoted else said
    return None
