"""The offline model's decisions, as plain functions of the question and the passages.

`choose` cites the reader's best sentence (and a second one from another source when it is
nearly as likely); `naive_pick` is the eval's baseline; `condense` makes a follow-up stand alone.
The llama-index adapter that replies in the answer format is qa/models/extractive.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from qa.reader.features import Passage
from qa.reader.question_types import content_of_question
from qa.reader.reading import Pick, Reader
from qa.text.sentences import sentence_spans
from qa.text.tokens import STOPWORDS, terms, words


def choose(reader: Reader, question: str, passages: list[Passage], second_ratio: float) -> tuple[list[Pick], str | None]:
    """The sentences to cite (best first) and the short answer, or ([], None) to abstain."""
    reading = reader.read(question, passages)
    if not reading.answerable:
        return [], None
    # Cite the sentence that holds the short answer; it is among the best few.
    lead = reading.sentences[reading.short_sentence or 0]
    chosen = [lead]
    for other in reading.sentences[:3]:
        if other.passage != lead.passage and math.exp(other.score - lead.score) >= second_ratio:
            chosen.append(other)
            break
    return chosen, reading.short


def naive_pick(question: str, passages: list[Passage]) -> list[Pick]:
    """The sentence with the most distinct question words (ties: the earlier one)."""
    wanted = set(terms(content_of_question(question)))
    best: Pick | None = None
    for p, passage in enumerate(passages):
        for start, end in sentence_spans(passage.text):
            text = passage.text[start:end]
            shared = len(wanted & set(terms(text)))
            if shared and (best is None or shared > best.score):
                best = Pick(p, start, end, text, float(shared))
    return [best] if best else []


def condense(history: Sequence[tuple[str, str]], question: str) -> str:
    """A standalone question: the follow-up plus the earlier question's topic words it lacks.

    "and how many bodies?" after "How many hostages would be released?" becomes
    "and how many bodies? (hostages released)". Questions that already stand alone pass through.
    The reader knows this form (qa/reader/questions.py: own_words) and picks the short answer by
    the follow-up's own words.
    """
    earlier = [text for role, text in history if role == "user"]
    if not earlier:
        return question
    own = set(terms(question))
    if len(own) >= 4:
        return question  # long enough to carry its own topic
    missing: list[str] = []
    for word in words(content_of_question(earlier[-1])):
        if word in STOPWORDS or word in missing or set(terms(word)) <= own:
            continue
        missing.append(word)
    return f"{question} ({' '.join(missing)})" if missing else question
