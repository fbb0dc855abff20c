"""Every question of an eval run lands in exactly one outcome that names the weak stage."""

import pytest

from qa.evaluation.breakdown import OUTCOMES, breakdown, outcome
from qa.evaluation.scoring import QuestionResult


def result(answerable_gold=True, answered=True, recall=0.0, rank=1, withdrawn="", unverified=0, error=""):
    r = QuestionResult("q", "Q?", [], ["ten"], answerable_gold, [], answerable=answered,
                       unverified=unverified, withdrawn=withdrawn, error=error)
    r.scores = {"answer_recall": recall, "evidence_spans": 1, "evidence_rank": rank}
    return r


@pytest.mark.parametrize("r, expected", [
    (result(recall=1.0), "right"),
    (result(answerable_gold=False, answered=False), "right"),
    (result(answerable_gold=False, answered=True), "false answer"),
    (result(answered=False, rank=None), "retrieval missed the passage"),
    (result(answered=False, rank=7), "retrieval missed the passage"),  # retrieved, but past top-k 5
    (result(answered=False, withdrawn="no quote found", unverified=1), "citation dropped"),
    (result(answered=False, withdrawn="no quote found", unverified=0), "reply unusable"),
    (result(answered=False), "model abstained"),
    (result(answered=True), "model answered wrongly"),
    (result(error="ModelError: timeout"), "error"),
])
def test_outcome(r, expected):
    assert outcome(r, top_k=5) == expected


def test_breakdown_counts_every_question_once_and_lists_every_outcome():
    counts = breakdown([result(recall=1.0), result(answered=False), result(answered=False)], top_k=5)
    assert list(counts) == list(OUTCOMES) and sum(counts.values()) == 3
    assert counts["right"] == 1 and counts["model abstained"] == 2
