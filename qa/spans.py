"""Short answers: candidate spans inside a sentence and the features that score them.

A short answer is a few words of a cited sentence ("ten living hostages", "1973", "Warsaw").
Candidates are word runs that neither start nor end with a stopword or punctuation; each gets
features a linear scorer weighs (qa/weights/span.json): does its kind (number, date, name) fit
what the question asks, how close it sits to the question's words in the sentence, does it
repeat the question, how long it is, which words surround it.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from qa.answer_types import MONTHS, NUMBER_WORDS
from qa.question_info import CLASSES, QuestionInfo
from qa.tokens import STOPWORDS, stem_all

MAX_SPAN_WORDS = 7
_TOKEN = re.compile(r"[^\W_]+(?:['’.,][^\W_]+|(?<=\d):(?=\d)\d+)*|[^\w\s]")
_NUMBERISH = re.compile(r"^\d[\d,.]*$|^\d+(?:st|nd|rd|th|s)$")
_YEAR = re.compile(r"^(?:1[0-9]\d\d|20\d\d)s?$")
_NUMBER_WORDS = frozenset(NUMBER_WORDS)
_MONTHS = frozenset(MONTHS)
KINDS = ("number", "date", "name", "plain")
LEFT_CUES = ("in", "on", "at", "by", "of", "for", "from", "to", "with", "as", "than", "is", "was", "are",
             "were", "called", "named", "(", ",", "the")
RIGHT_CUES = (",", ".", "in", "of", "and", ")", "is", "was", "to", "(", "that")
LENGTHS = (1, 2, 3, 4, 5, 6, 7)
CLASS_CUES = ("in", "on", "at", "by", "of", "from", "as", "called", "named", "than", "to", "for")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    lower: str
    stem: str
    is_word: bool
    is_stop: bool
    is_cap: bool
    is_number: bool
    is_date: bool


@dataclass(frozen=True)
class SpanCandidate:
    start: int  # character offsets into the sentence text
    end: int
    text: str


def tokenize(sentence: str) -> list[Token]:
    matches = list(_TOKEN.finditer(sentence))
    lowers = [m.group(0).lower() for m in matches]
    stems = stem_all(lowers)
    tokens = []
    for i, (m, low, stem) in enumerate(zip(matches, lowers, stems)):
        text = m.group(0)
        is_word = text[0].isalnum()
        tokens.append(
            Token(
                text=text, start=m.start(), end=m.end(), lower=low, stem=stem, is_word=is_word,
                is_stop=low in STOPWORDS, is_cap=is_word and text[0].isupper() and i > 0,
                is_number=bool(_NUMBERISH.match(low)) or low in _NUMBER_WORDS,
                is_date=bool(_YEAR.match(low)) or low in _MONTHS,
            )
        )
    return tokens


def feature_names() -> list[str]:
    names = [f"class_{c}_kind_{k}" for c in CLASSES for k in KINDS]
    names += [f"len_{n}" for n in LENGTHS]
    names += [f"left_{w}" for w in LEFT_CUES] + [f"right_{w}" for w in RIGHT_CUES]
    names += [f"class_{c}_len_{n}" for c in CLASSES for n in LENGTHS]
    names += [f"class_{c}_left_{w}" for c in CLASSES for w in CLASS_CUES]
    names += [
        "between_matches", "same_clause_matches", "right_after_matches", "right_before_matches",
        "wh_noun_similarity",
        "in_question_share", "any_in_question", "log_distance", "adjacent_left", "adjacent_right",
        "window_share", "all_caps", "first_cap", "inner_stop_share", "has_number", "has_date",
        "sentence_score", "sentence_first", "is_whole_clause", "bias",
    ]
    return names


FEATURES = tuple(feature_names())
_INDEX = {name: i for i, name in enumerate(FEATURES)}


def candidates(
    sentence: str,
    question: QuestionInfo,
    sentence_score: float = 0.0,
    sentence_first: bool = False,
    wh_vector: np.ndarray | None = None,
    embed=None,
) -> tuple[list[SpanCandidate], np.ndarray]:
    """Candidate spans of one sentence and their feature rows (columns follow FEATURES).

    With `wh_vector` (the embedded noun the question asks for: "year", "city", "unit") and
    `embed`, each span also gets its similarity to that noun."""
    tokens = tokenize(sentence)
    if not tokens:
        return [], np.zeros((0, len(FEATURES)))
    facts = _SentenceFacts(tokens, question)
    spans: list[SpanCandidate] = []
    at_rows: list[int] = []
    at_cols: list[int] = []
    values: list[float] = []

    def put(column: int, value: float) -> None:
        at_rows.append(len(spans))
        at_cols.append(column)
        values.append(value)

    n = len(tokens)
    for i in range(n):
        first = tokens[i]
        if not first.is_word or (first.is_stop and not first.is_number):
            continue
        words_in = 0
        for j in range(i, min(n, i + MAX_SPAN_WORDS + 3)):
            last = tokens[j]
            if last.is_word:
                words_in += 1
            if words_in > MAX_SPAN_WORDS:
                break
            if last.text in ".;:!?()\"“”":
                break
            if not last.is_word or (last.is_stop and not last.is_number):
                continue
            facts.fill(put, i, j)
            spans.append(SpanCandidate(first.start, last.end, sentence[first.start : last.end]))
    if not spans:
        return spans, np.zeros((0, len(FEATURES)))
    matrix = np.zeros((len(spans), len(FEATURES)))
    np.add.at(matrix, (np.array(at_rows), np.array(at_cols)), np.array(values))  # each cell is set once
    matrix[:, _INDEX["sentence_score"]] = sentence_score
    matrix[:, _INDEX["sentence_first"]] = float(sentence_first)
    if wh_vector is not None and embed is not None:
        from qa.sentence_features import cached_vectors

        matrix[:, _INDEX["wh_noun_similarity"]] = cached_vectors([s.text for s in spans], embed) @ wh_vector
    return spans, matrix


def _prefix(flags: list[bool]) -> list[int]:
    return [0, *accumulate(int(f) for f in flags)]


class _SentenceFacts:
    """Per-token facts of one sentence as prefix sums, so each candidate's features cost O(1)."""

    def __init__(self, tokens: list[Token], question: QuestionInfo):
        self.tokens = tokens
        self.n = len(tokens)
        self.question = question
        self.q_total = max(1, len(question.stems))
        content = [t.is_word and not t.is_stop for t in tokens]
        self.words = _prefix([t.is_word for t in tokens])
        self.stops = _prefix([t.is_word and t.is_stop for t in tokens])
        self.caps = _prefix([t.is_cap for t in tokens])
        self.cap_or_stop = _prefix([t.is_word and (t.is_cap or t.is_stop) for t in tokens])
        self.numbers = _prefix([t.is_word and t.is_number for t in tokens])
        self.dates = _prefix([t.is_word and t.is_date for t in tokens])
        self.content = _prefix(content)
        self.content_caps = _prefix([c and t.is_cap for c, t in zip(content, tokens)])
        self.repeated = _prefix([c and t.stem in question.all_stems for c, t in zip(content, tokens)])
        self.matched = [k for k, (c, t) in enumerate(zip(content, tokens)) if c and t.stem in question.stems]
        self.first_word = [0] * self.n  # index of the first word token at or after each position
        nxt = self.n
        for k in range(self.n - 1, -1, -1):
            if tokens[k].is_word:
                nxt = k
            self.first_word[k] = nxt
        self.clause_start, last = [], -1
        for k in range(self.n):
            self.clause_start.append(last)  # the last clause mark before k
            if tokens[k].text in ",;:":
                last = k
        self.clause_end, nxt = [0] * self.n, self.n
        for k in range(self.n - 1, -1, -1):
            self.clause_end[k] = nxt  # the first clause mark after k
            if tokens[k].text in ",;:":
                nxt = k

    def fill(self, put, i: int, j: int) -> None:
        """Call put(column, value) for each non-zero feature of span tokens[i..j]."""
        tokens, klass = self.tokens, self.question.klass
        count = lambda prefix: prefix[j + 1] - prefix[i]  # noqa: E731
        words_, content = count(self.words), count(self.content)
        if count(self.dates):
            kind = "date"
        elif count(self.numbers):
            kind = "number"
        elif count(self.cap_or_stop) == words_ and count(self.caps):
            kind = "name"
        else:
            kind = "plain"
        put(_INDEX[f"class_{klass}_kind_{kind}"], 1.0)
        length = min(words_, LENGTHS[-1])
        put(_INDEX[f"len_{length}"], 1.0)
        put(_INDEX[f"class_{klass}_len_{length}"], 1.0)
        left = tokens[i - 1].lower if i > 0 else ""
        right = tokens[j + 1].lower if j + 1 < self.n else ""
        if f"left_{left}" in _INDEX:
            put(_INDEX[f"left_{left}"], 1.0)
        if left in CLASS_CUES:
            put(_INDEX[f"class_{klass}_left_{left}"], 1.0)
        if f"right_{right}" in _INDEX:
            put(_INDEX[f"right_{right}"], 1.0)
        repeated = count(self.repeated)
        put(_INDEX["in_question_share"], repeated / max(1, content))
        put(_INDEX["any_in_question"], float(repeated > 0))
        before = self.matched[: bisect_left(self.matched, i)]
        after = self.matched[bisect_right(self.matched, j) :]
        # The answer usually fills the gap the question leaves: question words on one or both
        # sides, within the same clause (no comma or semicolon in between).
        put(_INDEX["between_matches"], float(bool(before) and bool(after)))
        put(_INDEX["right_after_matches"], float(bool(before) and i - before[-1] <= 3))
        put(_INDEX["right_before_matches"], float(bool(after) and after[0] - j <= 3))
        low, high = self.clause_start[i], self.clause_end[j]
        same = sum(1 for k in before if k > low) + sum(1 for k in after if k < high)
        put(_INDEX["same_clause_matches"], same / self.q_total)
        if before or after:
            distance = min(i - before[-1] if before else 10**9, after[0] - j if after else 10**9)
            put(_INDEX["log_distance"], math.log1p(distance))
            put(_INDEX["adjacent_left"], float(bool(before) and i - before[-1] <= 2))
            put(_INDEX["adjacent_right"], float(bool(after) and after[0] - j <= 2))
            near = {tokens[k].stem for k in before if k >= i - 8} | {tokens[k].stem for k in after if k <= j + 8}
            put(_INDEX["window_share"], len(near) / self.q_total)
        else:
            put(_INDEX["log_distance"], math.log1p(30))
        put(_INDEX["all_caps"], float(content > 0 and count(self.content_caps) == content))
        put(_INDEX["first_cap"], float(tokens[self.first_word[i]].is_cap))
        put(_INDEX["inner_stop_share"], count(self.stops) / words_)
        put(_INDEX["has_number"], float(count(self.numbers) > 0))
        put(_INDEX["has_date"], float(count(self.dates) > 0))
        put(_INDEX["is_whole_clause"], float((i == 0 or not tokens[i - 1].is_word) and
                                               (j + 1 == self.n or not tokens[j + 1].is_word)))
        put(_INDEX["bias"], 1.0)
