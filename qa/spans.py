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
from dataclasses import dataclass

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
    n = len(tokens)
    if n == 0:
        return [], np.zeros((0, len(FEATURES)))
    in_question = [t.is_word and not t.is_stop and t.stem in question.stems for t in tokens]
    matched_at = [i for i, hit in enumerate(in_question) if hit]
    q_total = max(1, len(question.stems))
    spans: list[SpanCandidate] = []
    rows: list[np.ndarray] = []
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
            inside = tokens[i : j + 1]
            row = np.zeros(len(FEATURES))
            _fill(row, tokens, inside, i, j, question, in_question, matched_at, q_total)
            row[_INDEX["sentence_score"]] = sentence_score
            row[_INDEX["sentence_first"]] = float(sentence_first)
            spans.append(SpanCandidate(first.start, last.end, sentence[first.start : last.end]))
            rows.append(row)
    if not rows:
        return spans, np.zeros((0, len(FEATURES)))
    matrix = np.vstack(rows)
    if wh_vector is not None and embed is not None:
        matrix[:, _INDEX["wh_noun_similarity"]] = embed([s.text for s in spans]) @ wh_vector
    return spans, matrix


def _fill(row, tokens, inside, i, j, question, in_question, matched_at, q_total) -> None:
    words_ = [t for t in inside if t.is_word]
    if any(t.is_date for t in words_):
        kind = "date"
    elif any(t.is_number for t in words_):
        kind = "number"
    elif all(t.is_cap or t.is_stop for t in words_) and any(t.is_cap for t in words_):
        kind = "name"
    else:
        kind = "plain"
    row[_INDEX[f"class_{question.klass}_kind_{kind}"]] = 1.0
    length = min(len(words_), LENGTHS[-1])
    row[_INDEX[f"len_{length}"]] = 1.0
    row[_INDEX[f"class_{question.klass}_len_{length}"]] = 1.0
    left = tokens[i - 1].lower if i > 0 else ""
    right = tokens[j + 1].lower if j + 1 < len(tokens) else ""
    if f"left_{left}" in _INDEX:
        row[_INDEX[f"left_{left}"]] = 1.0
    if left in CLASS_CUES:
        row[_INDEX[f"class_{question.klass}_left_{left}"]] = 1.0
    if f"right_{right}" in _INDEX:
        row[_INDEX[f"right_{right}"]] = 1.0
    content = [t for t in words_ if not t.is_stop]
    repeated = sum(1 for t in content if t.stem in question.all_stems)
    row[_INDEX["in_question_share"]] = repeated / max(1, len(content))
    row[_INDEX["any_in_question"]] = float(repeated > 0)
    outside = [k for k in matched_at if k < i or k > j]
    before = [k for k in outside if k < i]
    after = [k for k in outside if k > j]
    # The answer usually fills the gap the question leaves: question words on one or both sides,
    # within the same clause (no comma or semicolon in between).
    row[_INDEX["between_matches"]] = float(bool(before) and bool(after))
    row[_INDEX["right_after_matches"]] = float(bool(before) and i - before[-1] <= 3)
    row[_INDEX["right_before_matches"]] = float(bool(after) and after[0] - j <= 3)
    clause_start = max([k for k in range(i) if tokens[k].text in ",;:"] or [-1])
    clause_end = min([k for k in range(j + 1, len(tokens)) if tokens[k].text in ",;:"] or [len(tokens)])
    row[_INDEX["same_clause_matches"]] = sum(1 for k in outside if clause_start < k < clause_end) / q_total
    if outside:
        distance = min(i - k if k < i else k - j for k in outside)
        row[_INDEX["log_distance"]] = math.log1p(distance)
        row[_INDEX["adjacent_left"]] = float(any(i - k <= 2 for k in outside if k < i))
        row[_INDEX["adjacent_right"]] = float(any(k - j <= 2 for k in outside if k > j))
        near = {tokens[k].stem for k in outside if (i - 8 <= k < i) or (j < k <= j + 8)}
        row[_INDEX["window_share"]] = len(near) / q_total
    else:
        row[_INDEX["log_distance"]] = math.log1p(30)
    row[_INDEX["all_caps"]] = float(all(t.is_cap for t in content) and bool(content))
    row[_INDEX["first_cap"]] = float(words_[0].is_cap)
    row[_INDEX["inner_stop_share"]] = sum(1 for t in words_ if t.is_stop) / len(words_)
    row[_INDEX["has_number"]] = float(any(t.is_number for t in words_))
    row[_INDEX["has_date"]] = float(any(t.is_date for t in words_))
    row[_INDEX["is_whole_clause"]] = float((i == 0 or not tokens[i - 1].is_word) and
                                           (j + 1 == len(tokens) or not tokens[j + 1].is_word))
    row[_INDEX["bias"]] = 1.0
