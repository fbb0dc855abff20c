"""The extractive reader: which sentence answers the question, and which words of it.

Three learned linear scorers (qa/reader/weights/, trained on the SQuAD development split by
eval/train_scorers.py) do the work: the sentence scorer picks the supporting sentence, the span
scorer picks the short answer inside the best few sentences, and the sentence scorer's
threshold decides when the passages do not answer at all. (A separate answerability scorer
trained on SQuAD 2.0 did better there but abstained on real news questions: see
eval/README.md.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa.reader import features as sentence_features
from qa.reader import syntax
from qa.reader.features import Embed, Passage, SentenceTable, sentence_table
from qa.reader.questions import QuestionInfo, own_words, read_question
from qa.reader.scorer import LinearScorer, load_scorer
from qa.reader.spans import candidates

SENTENCE_FEATURES = sentence_features.FEATURES + ("source_reciprocal_rank", "bias")
SPAN_SENTENCES = 3  # the short answer is looked for in this many best sentences
@dataclass(frozen=True)
class Pick:
    passage: int  # index into the passages
    start: int  # sentence offsets in the passage text
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class Reading:
    """What the reader found: sentences best first, the short answer, and whether to answer."""

    sentences: list[Pick]
    short: str | None
    short_sentence: int | None  # index into `sentences` of the sentence holding the short answer
    confidence: float  # the best sentence's score; compared with the threshold
    answerable: bool


def sentence_rows(question: QuestionInfo, passages: Sequence[Passage], embed: Embed | None) -> tuple[SentenceTable, np.ndarray]:
    table = sentence_table(question, passages, embed)
    extra = np.zeros((len(table.rows), 2))
    extra[:, 0] = 1.0 / (table.passage + 1)
    extra[:, 1] = 1.0
    return table, np.hstack([table.rows, extra])


def span_groups(question: QuestionInfo, texts: Sequence[str], scores: Sequence[float], embed: Embed | None = None):
    """Candidates and feature rows for the short answer in the given (best first) sentences."""
    out = []
    best = scores[0] if len(scores) else 0.0
    wh_vector = embed([question.wh_noun])[0] if embed is not None and question.wh_noun else None
    # One batch for the parser (each call has a fixed cost of a few ms); candidates() then finds
    # every parse in the cache.
    syntax.parse_all([*texts, question.text])
    for rank, (text, score) in enumerate(zip(texts, scores)):
        spans, rows = candidates(
            text, question, sentence_score=float(score - best), sentence_first=rank == 0,
            wh_vector=wh_vector, embed=embed,
        )
        out.append((spans, rows))
    return out


class Reader:
    def __init__(
        self,
        embed: Embed | None,
        sentence_scorer: LinearScorer | None = None,
        span_scorer: LinearScorer | None = None,
        threshold: float | None = None,
    ):
        self.embed = embed
        self.sentence_scorer = sentence_scorer or load_scorer("sentence")
        self.span_scorer = span_scorer or load_scorer("span")
        self.threshold = self.sentence_scorer.threshold if threshold is None else threshold

    def read(self, question: str, passages: Sequence[Passage]) -> Reading:
        info = read_question(question)
        table, rows = sentence_rows(info, passages, self.embed)
        if not len(rows) or not info.stems:
            return Reading([], None, None, float("-inf"), False)
        scores = self.sentence_scorer.scores(rows)
        order = np.argsort(-scores, kind="stable")
        picks = [
            Pick(int(table.passage[i]), table.starts[i], table.ends[i], table.text(passages, i), float(scores[i]))
            for i in order
        ]
        confidence = picks[0].score
        own = own_words(question)
        short, holder = self._short(info if own == question else read_question(own), picks[:SPAN_SENTENCES])
        return Reading(picks, short, holder, confidence, confidence >= self.threshold)

    def _short(self, info: QuestionInfo, picks: list[Pick]) -> tuple[str | None, int | None]:
        """The best span over the given sentences, and which of them holds it."""
        best: tuple[float, int, str] | None = None
        groups = span_groups(info, [p.text for p in picks], [p.score for p in picks], self.embed)
        for rank, (spans, rows) in enumerate(groups):
            if not spans:
                continue
            scores = self.span_scorer.scores(rows)
            k = int(np.argmax(scores))
            if best is None or scores[k] > best[0]:
                best = (float(scores[k]), rank, spans[k].text)
        return (best[2], best[1]) if best else (None, None)
