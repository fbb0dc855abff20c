"""Metric definitions, table-driven."""

import pytest

from qa.evaluation.metrics import (
    answer_recall,
    exact_match,
    first_hit_rank,
    mrr,
    normalize_answer,
    percentile,
    recall_at,
    token_f1,
)


@pytest.mark.parametrize(
    "text, normal",
    [
        ("The Normans", "normans"),
        ("ten", "10"),
        ("60-day", "60 day"),
        ("60 days", "60 day"),
        ("41,000 homes", "41000 home"),
        ("$1.84 billion.", "1.84 billion"),
        ("U.S.", "us"),
        ("an apple, a pear", "apple pear"),
    ],
)
def test_normalize(text, normal):
    assert normalize_answer(text) == normal


@pytest.mark.parametrize(
    "prediction, answers, em, f1",
    [
        ("ten", ["10"], 1.0, 1.0),
        ("ten living hostages", ["ten"], 0.0, 0.5),
        ("Warsaw", ["Warsaw", "Paris"], 1.0, 1.0),
        ("nothing", ["Warsaw"], 0.0, 0.0),
        ("anything", [], 0.0, 0.0),
    ],
)
def test_em_and_f1(prediction, answers, em, f1):
    assert exact_match(prediction, answers) == em
    assert token_f1(prediction, answers) == pytest.approx(f1)


@pytest.mark.parametrize(
    "prediction, answers, hit",
    [
        ("Hamas would free ten living hostages [1]", ["10"], 1.0),
        ("The truce would last 60 days.", ["60-day"], 1.0),
        ("It cost 100 dollars", ["10"], 0.0),  # word boundaries, not substrings
        ("The articles don't say.", ["ten"], 0.0),
    ],
)
def test_answer_recall(prediction, answers, hit):
    assert answer_recall(prediction, answers) == hit


def test_ranks_and_percentiles():
    ranks = [first_hit_rank([False, True]), first_hit_rank([True]), first_hit_rank([False, False])]
    assert ranks == [2, 1, None]
    assert recall_at(ranks, 1) == pytest.approx(1 / 3)
    assert recall_at(ranks, 3) == pytest.approx(2 / 3)
    assert mrr(ranks) == pytest.approx((0.5 + 1) / 3)
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([], 50) is None
