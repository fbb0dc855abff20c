"""A cheap re-rank of the fused retrieval candidates by their best sentence.

Fusion scores a chunk as a whole; questions are usually answered by one sentence. The re-ranker
adds, per candidate, the features of its best-matching sentence (qa/reader/features.py) and
weighs them with a linear scorer trained on the SQuAD development split (qa/reader/weights/rerank.json,
retrained by eval/train_scorers.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.reader.features import Embed, Passage, sentence_table
from qa.reader.questions import QuestionInfo
from qa.reader.scorer import LinearScorer, load_scorer
from qa.retrieval.scaling import min_max
from qa.text.names import title_names

FEATURES = (
    "fused", "bm25", "dense", "best_coverage", "best_dense", "best_sum", "best_bigrams", "reciprocal_rank", "bias",
)
DEPTH = 20  # how many fused candidates are re-ranked


def rerank_rows(
    question: QuestionInfo,
    passages: Sequence[Passage],
    fused: Sequence[float],
    bm25: Sequence[float],
    dense: Sequence[float],
    embed: Embed | None,
) -> np.ndarray:
    """(candidates x FEATURES), candidates in fused order."""
    n = len(passages)
    rows = np.zeros((n, len(FEATURES)))
    if n == 0:
        return rows
    rows[:, 0] = min_max(fused)  # all equal: 0 (the feature tells the candidates apart by nothing)
    rows[:, 1] = min_max(bm25)
    rows[:, 2] = np.asarray(dense, dtype=np.float64)
    table = sentence_table(question, passages, embed)
    for p in range(n):
        mine = table.rows[table.passage == p]
        if len(mine):
            rows[p, 3] = mine[:, 0].max()
            rows[p, 4] = mine[:, 1].max()
            rows[p, 5] = (mine[:, 0] + mine[:, 1]).max()
            rows[p, 6] = mine[:, 2].max()
    rows[:, 7] = 1.0 / np.arange(1, n + 1)
    rows[:, 8] = 1.0
    return rows


def rerank_order(rows: np.ndarray, scorer: LinearScorer | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(order, scores): candidate indices best first (stable for ties) and their scores."""
    scorer = scorer or load_scorer("rerank")
    scores = scorer.scores(rows)
    return np.argsort(-scores, kind="stable"), scores


# For a question that asks for the newest state ("the latest toll", "so far", qa/text/recency.py):
# among the candidates that tell one story (their titles share a distinctive name: "Garrow Hill",
# "Pellham"), a chunk of the newest article gains this share of the candidates' score range, an
# older one proportionally less, and the oldest nothing. Near ties go to the newer report; a
# passage that does not answer is not lifted past one that does, and an article with no earlier
# report of its story among the candidates (an unrelated, merely recent one) gains nothing.
RECENCY_WEIGHT = 0.3


def recency_order(
    scores: Sequence[float], published: Sequence[str], titles: Sequence[str], weight: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(order, scores) with newer reports of a story boosted: indices best first (stable for
    ties) and the boosted scores."""
    weight = RECENCY_WEIGHT if weight is None else weight
    values = np.asarray(scores, dtype=np.float64)
    if len(values) < 2:
        return np.argsort(-values, kind="stable"), values
    names = [title_names(t) for t in titles]
    spread = float(values.max() - values.min()) or 1.0
    boost = np.zeros(len(values))
    for i, date in enumerate(published):
        dates = sorted({published[j] for j in range(len(values)) if published[j] and names[i] & names[j]} | {date} - {""})
        if date and len(dates) > 1:
            boost[i] = dates.index(date) / (len(dates) - 1)
    boosted = values + weight * spread * boost
    return np.argsort(-boosted, kind="stable"), boosted
