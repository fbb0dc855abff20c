"""Short answers: candidate spans inside a sentence and the features that score them.

A short answer is a few words of a cited sentence ("ten living hostages", "1973", "Warsaw").
Candidates are word runs that neither start nor end with a stopword or punctuation; each gets
features a linear scorer weighs (qa/reader/weights/span.json): does its kind (number, date, name) fit
what the question asks, how close it sits to the question's words in the sentence, does it
repeat the question, how long it is, which words surround it.

All candidates of a sentence are built and scored at once with numpy (prefix sums over the
tokens), so a sentence costs about the same however many candidates it has.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from qa.reader import syntax
from qa.reader.questions import CLASSES, QuestionInfo
from qa.reader.units import is_unit
from qa.text.sentences import dateline_end
from qa.text.tokens import STOPWORDS, stem_all
from qa.text.vocabulary import MONTHS, NUMBER_WORDS

MAX_SPAN_WORDS = 7
_WINDOW = MAX_SPAN_WORDS + 3  # tokens a span may reach, punctuation included
_TOKEN = re.compile(r"[^\W_]+(?:['’.,][^\W_]+|(?<=\d):(?=\d)\d+)*|[^\w\s]")
_NUMBERISH = re.compile(r"^\d[\d,.]*$|^\d+(?:st|nd|rd|th|s)$")
_YEAR = re.compile(r"^(?:1[0-9]\d\d|20\d\d)s?$")
_NUMBER_WORDS = frozenset(NUMBER_WORDS)
_MONTHS = frozenset(MONTHS)
_BREAKS = frozenset(".;:!?()\"“”")
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


def feature_names() -> list[str]:
    names = [f"class_{c}_kind_{k}" for c in CLASSES for k in KINDS]
    names += [f"len_{n}" for n in LENGTHS]
    names += [f"left_{w}" for w in LEFT_CUES] + [f"right_{w}" for w in RIGHT_CUES]
    names += [f"class_{c}_len_{n}" for c in CLASSES for n in LENGTHS]
    names += [f"class_{c}_left_{w}" for c in CLASSES for w in CLASS_CUES]
    names += [
        "between_matches", "same_clause_matches", "right_after_matches", "right_before_matches",
        "wh_noun_similarity",
        "in_question_share", "any_in_question", "first_in_question", "last_in_question",
        "log_distance", "adjacent_left", "adjacent_right",
        "window_share", "all_caps", "first_cap", "inner_stop_share", "has_number", "has_date",
        "sentence_score", "sentence_first", "is_whole_clause", "unit_fit", "unit_other", "unit_next", "bias",
    ]
    return names + syntax.feature_names(CLASSES)


FEATURES = tuple(feature_names())
_INDEX = {name: i for i, name in enumerate(FEATURES)}
_KIND_COLUMN = np.array([[_INDEX[f"class_{c}_kind_{k}"] for k in KINDS] for c in CLASSES])
_LEN_COLUMN = np.array([_INDEX[f"len_{n}"] for n in LENGTHS])
_CLASS_LEN_COLUMN = np.array([[_INDEX[f"class_{c}_len_{n}"] for n in LENGTHS] for c in CLASSES])
_SYNTAX_FIRST = _INDEX[syntax.feature_names(CLASSES)[0]]


def tokenize(sentence: str) -> list[Token]:
    return list(_tokens(sentence).tokens)


@dataclass(frozen=True)
class _Tokens:
    """A sentence's tokens with per-token flags as arrays (question-independent, cached)."""

    tokens: tuple[Token, ...]
    word: np.ndarray
    stop: np.ndarray
    cap: np.ndarray
    number: np.ndarray
    date: np.ndarray
    brk: np.ndarray
    left_cue: np.ndarray  # column of left_<token> when the token is a left cue, else -1
    right_cue: np.ndarray
    class_cue: np.ndarray  # index into CLASS_CUES, else -1
    clause: np.ndarray  # token is , ; or :
    unit: np.ndarray  # token is a unit word (qa/reader/units.py)
    hyphen: np.ndarray  # token is "-" ("1,340-kilogram")
    joined_left: np.ndarray  # a hyphen joins the token to the word before it, no spaces ("Al-Ansari")
    joined_right: np.ndarray  # ... to the word after it; a number before a unit word may end there ("1,340")
    past_dateline: np.ndarray  # token lies after the story's dateline, if the sentence opens with one
    stems: tuple[str, ...]


@lru_cache(maxsize=8192)
def _tokens(sentence: str) -> _Tokens:
    matches = list(_TOKEN.finditer(sentence))
    dateline = dateline_end(sentence)
    lowers = [m.group(0).lower() for m in matches]
    stems = stem_all(lowers)
    tokens = []
    for i, (m, low, stem) in enumerate(zip(matches, lowers, stems)):
        text = m.group(0)
        is_word = text[0].isalnum()
        tokens.append(Token(
            text=text, start=m.start(), end=m.end(), lower=low, stem=stem, is_word=is_word,
            is_stop=low in STOPWORDS, is_cap=is_word and text[0].isupper() and i > 0,
            is_number=bool(_NUMBERISH.match(low)) or low in _NUMBER_WORDS,
            is_date=bool(_YEAR.match(low)) or low in _MONTHS,
        ))
    flag = lambda f: np.array([f(t) for t in tokens], dtype=bool)  # noqa: E731
    joined_left, joined_right = _hyphen_joins(tokens)
    return _Tokens(
        tokens=tuple(tokens),
        word=flag(lambda t: t.is_word), stop=flag(lambda t: t.is_word and t.is_stop),
        cap=flag(lambda t: t.is_cap), number=flag(lambda t: t.is_word and t.is_number),
        date=flag(lambda t: t.is_word and t.is_date), brk=flag(lambda t: t.text in _BREAKS),
        left_cue=np.array([_INDEX.get(f"left_{t.lower}", -1) for t in tokens], dtype=np.int64),
        right_cue=np.array([_INDEX.get(f"right_{t.lower}", -1) for t in tokens], dtype=np.int64),
        class_cue=np.array([CLASS_CUES.index(t.lower) if t.lower in CLASS_CUES else -1 for t in tokens],
                           dtype=np.int64),
        clause=flag(lambda t: t.text in ",;:"), unit=flag(lambda t: is_unit(t.lower)),
        hyphen=flag(lambda t: t.text == "-"), joined_left=joined_left, joined_right=joined_right,
        past_dateline=flag(lambda t: t.start >= dateline), stems=tuple(stems),
    )


def _hyphen_joins(tokens: list[Token]) -> tuple[np.ndarray, np.ndarray]:
    """Tokens a hyphen ties to the word before / after them ("Al-Ansari", "7-4", "71-year-old")."""
    left = np.zeros(len(tokens), dtype=bool)
    right = np.zeros(len(tokens), dtype=bool)
    for k in range(1, len(tokens) - 1):
        a, dash, b = tokens[k - 1], tokens[k], tokens[k + 1]
        if dash.text != "-" or not (a.is_word and b.is_word) or a.end != dash.start or dash.end != b.start:
            continue
        left[k + 1] = True
        # "1,340-kilogram", "71-year-old": the bare figure is an answer (SQuAD's often stop there).
        right[k - 1] = not (a.is_number and not b.is_number)
    return left, right


def _prefix(flags: np.ndarray) -> np.ndarray:
    out = np.zeros(len(flags) + 1, dtype=np.int64)
    np.cumsum(flags, out=out[1:])
    return out


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
    t = _tokens(sentence)
    n = len(t.tokens)
    if n == 0:
        return [], np.zeros((0, len(FEATURES)))
    # A span starts and ends on one of these; never inside a dateline (where and by whom the story
    # was filed is not the answer).
    edge = t.word & (~t.stop | t.number) & t.past_dateline
    # Whole words only: never start or end inside a hyphenated word ("Ansari" of "Al-Ansari",
    # "4" of the score "7-4", "71-year" of "71-year-old").
    first_ok, last_ok = edge & ~t.joined_left, edge & ~t.joined_right
    words, breaks = _prefix(t.word), _prefix(t.brk)
    starts, ends = [], []
    for d in range(_WINDOW):
        i = np.nonzero(first_ok[: max(0, n - d)])[0]
        j = i + d
        ok = last_ok[j] & (breaks[j + 1] - breaks[i] == 0) & (words[j + 1] - words[i] <= MAX_SPAN_WORDS)
        starts.append(i[ok])
        ends.append(j[ok])
    i = np.concatenate(starts)
    j = np.concatenate(ends)
    if not len(i):
        return [], np.zeros((0, len(FEATURES)))
    order = np.lexsort((j, i))  # document order: by start, then end
    i, j = i[order], j[order]
    spans = [SpanCandidate(t.tokens[a].start, t.tokens[b].end, sentence[t.tokens[a].start : t.tokens[b].end])
             for a, b in zip(i.tolist(), j.tolist())]
    m = np.zeros((len(i), len(FEATURES)))
    rows = np.arange(len(i))
    _fill(m, rows, i, j, t, question)
    m[:, _INDEX["sentence_score"]] = sentence_score
    (parse,) = syntax.parse_all([sentence])
    m[:, _SYNTAX_FIRST:] = syntax.span_features(
        parse, np.array([s.start for s in spans]), np.array([s.end for s in spans]), question.stems,
        CLASSES.index(question.klass), len(CLASSES), syntax.question_role(question.text),
    )
    m[:, _INDEX["sentence_first"]] = float(sentence_first)
    if wh_vector is not None and embed is not None:
        from qa.reader.features import cached_vectors

        m[:, _INDEX["wh_noun_similarity"]] = cached_vectors([s.text for s in spans], embed) @ wh_vector
    return spans, m


def _fill(m: np.ndarray, rows: np.ndarray, i: np.ndarray, j: np.ndarray, t: _Tokens, q: QuestionInfo) -> None:
    n = len(t.tokens)
    count = lambda prefix: prefix[j + 1] - prefix[i]  # noqa: E731
    content_flags = t.word & ~t.stop
    n_words, n_content = count(_prefix(t.word)), count(_prefix(content_flags))
    n_stops, n_caps = count(_prefix(t.stop)), count(_prefix(t.cap))
    n_numbers, n_dates = count(_prefix(t.number)), count(_prefix(t.date))
    n_cap_or_stop = count(_prefix(t.word & (t.cap | t.stop)))
    n_content_caps = count(_prefix(content_flags & t.cap))
    in_question = np.array([s in q.all_stems for s in t.stems], dtype=bool)
    n_repeated = count(_prefix(content_flags & in_question))
    matched = content_flags & np.array([s in q.stems for s in t.stems], dtype=bool)

    klass = CLASSES.index(q.klass)
    kind = np.where(n_dates > 0, 1, np.where(n_numbers > 0, 0, np.where((n_cap_or_stop == n_words) & (n_caps > 0), 2, 3)))
    m[rows, _KIND_COLUMN[klass][kind]] = 1.0
    length = np.minimum(n_words, LENGTHS[-1]) - 1
    m[rows, _LEN_COLUMN[length]] = 1.0
    m[rows, _CLASS_LEN_COLUMN[klass][length]] = 1.0
    has_left, has_right = i > 0, j + 1 < n
    left, right = np.where(has_left, i - 1, 0), np.where(has_right, j + 1, 0)
    for cue, ok in ((t.left_cue[left], has_left), (t.right_cue[right], has_right)):
        hit = ok & (cue >= 0)
        m[rows[hit], cue[hit]] = 1.0
    class_cue = t.class_cue[left]
    hit = has_left & (class_cue >= 0)
    m[rows[hit], _INDEX[f"class_{q.klass}_left_{CLASS_CUES[0]}"] + class_cue[hit]] = 1.0

    m[:, _INDEX["in_question_share"]] = n_repeated / np.maximum(1, n_content)
    m[:, _INDEX["any_in_question"]] = n_repeated > 0
    # "silver chains" for "What were the chains made of?": the question's own word at an edge of
    # the span is usually not part of the answer.
    m[:, _INDEX["first_in_question"]] = matched[i]
    m[:, _INDEX["last_in_question"]] = matched[j]
    # Nearest question word before the span and after it (positions; -inf / +inf when none).
    positions = np.arange(n)
    last = np.where(matched, positions, -(10**9))
    previous = np.concatenate([[-(10**9)], np.maximum.accumulate(last)])  # previous[k]: last match < k
    nxt = np.where(matched, positions, 10**9)
    following = np.concatenate([np.minimum.accumulate(nxt[::-1])[::-1], [10**9]])  # following[k]: first >= k
    before, after = previous[i], following[j + 1]
    any_before, any_after = before >= 0, after < n
    m[:, _INDEX["between_matches"]] = any_before & any_after
    m[:, _INDEX["right_after_matches"]] = any_before & (i - before <= 3)
    m[:, _INDEX["right_before_matches"]] = any_after & (after - j <= 3)
    # The answer usually fills the gap the question leaves, within one clause.
    clause_mark = np.where(t.clause, positions, -1)
    clause_start = np.concatenate([[-1], np.maximum.accumulate(clause_mark)])[i]  # last mark before i
    clause_mark_after = np.where(t.clause, positions, n)
    clause_end = np.concatenate([np.minimum.accumulate(clause_mark_after[::-1])[::-1], [n]])[j + 1]
    matches = _prefix(matched)
    same = (matches[i] - matches[clause_start + 1]) + (matches[clause_end] - matches[j + 1])
    q_total = max(1, len(q.stems))
    m[:, _INDEX["same_clause_matches"]] = same / q_total
    near = any_before | any_after
    distance = np.minimum(np.where(any_before, i - before, 10**9), np.where(any_after, after - j, 10**9))
    m[:, _INDEX["log_distance"]] = np.where(near, np.log1p(np.minimum(distance, 10**6)), math.log1p(30))
    m[:, _INDEX["adjacent_left"]] = any_before & (i - before <= 2)
    m[:, _INDEX["adjacent_right"]] = any_after & (after - j <= 2)
    m[:, _INDEX["window_share"]] = _window_share(matched, t.stems, i, j) / q_total
    m[:, _INDEX["all_caps"]] = (n_content > 0) & (n_content_caps == n_content)
    m[:, _INDEX["first_cap"]] = t.cap[i]
    m[:, _INDEX["inner_stop_share"]] = n_stops / np.maximum(1, n_words)
    m[:, _INDEX["has_number"]] = n_numbers > 0
    m[:, _INDEX["has_date"]] = n_dates > 0
    m[:, _INDEX["is_whole_clause"]] = (~has_left | ~t.word[left]) & (~has_right | ~t.word[right])
    if q.units:  # the question measures something: does the span carry its unit?
        wanted = np.array([tok.lower in q.units for tok in t.tokens], dtype=bool)
        n_wanted, n_units = count(_prefix(wanted)), count(_prefix(t.unit))
        fit = (n_numbers > 0) & ((n_wanted > 0) | (has_left & wanted[left]))  # "$" sits left of "68"
        m[:, _INDEX["unit_fit"]] = fit
        m[:, _INDEX["unit_other"]] = (n_units > 0) & (n_wanted == 0)
        after = np.where(has_right & t.hyphen[right] & (right + 1 < n), right + 1, right)  # "1,340-kilogram"
        m[:, _INDEX["unit_next"]] = has_right & wanted[after] & (n_numbers > 0)
    m[:, _INDEX["bias"]] = 1.0


def _window_share(matched: np.ndarray, stems: tuple[str, ...], i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Distinct question words within 8 tokens before the span or 8 after it."""
    n = len(stems)
    low, high = np.maximum(0, i - 8), np.minimum(n, j + 9)
    out = np.zeros(len(i))
    for stem in dict.fromkeys(s for s, hit in zip(stems, matched) if hit):
        seen = _prefix(matched & np.array([s == stem for s in stems], dtype=bool))
        out += ((seen[i] - seen[low]) + (seen[high] - seen[j + 1])) > 0
    return out
