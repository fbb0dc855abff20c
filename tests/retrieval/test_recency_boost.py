"""The recency boost for questions about the newest state (qa/retrieval/rerank.py: recency_order):
newer reports of one story win near ties, a clearly better passage keeps its place, and an
unrelated article gains nothing for being recent."""

from __future__ import annotations

import numpy as np

from qa.retrieval.rerank import RECENCY_WEIGHT, recency_order
from qa.text.names import title_names

FIRST = "Four miners killed in Garrow Hill colliery collapse"
UPDATE = "Garrow Hill death toll rises to nine as search ends"
OTHER = "Marrowby certifies election result; turnout revised up"


def test_the_newer_report_of_a_story_wins_a_near_tie():
    order, scores = recency_order([5.0, 4.9, 1.0], ["2025-03-14", "2025-03-17", "2025-11-07"], [FIRST, UPDATE, OTHER])
    assert order.tolist() == [1, 0, 2]
    assert scores[1] == 4.9 + RECENCY_WEIGHT * 4.0  # the newest of its story gains the whole boost
    assert scores[0] == 5.0  # the oldest nothing


def test_a_clearly_better_passage_keeps_its_place():
    order, _ = recency_order([5.0, 3.0, 1.0], ["2025-03-14", "2025-03-17", ""], [FIRST, UPDATE, OTHER])
    assert order.tolist() == [0, 1, 2]


def test_an_unrelated_recent_article_gains_nothing():
    """The newest article among the candidates is no newer report of this story."""
    order, scores = recency_order([5.0, 4.95], ["2025-03-14", "2025-11-07"], [FIRST, OTHER])
    assert order.tolist() == [0, 1] and scores.tolist() == [5.0, 4.95]


def test_undated_or_single_candidates_are_unchanged():
    order, scores = recency_order([1.0, 2.0], ["", ""], [FIRST, UPDATE])
    assert order.tolist() == [1, 0] and scores.tolist() == [1.0, 2.0]
    order, scores = recency_order([1.0], ["2025-03-14"], [FIRST])
    assert order.tolist() == [0]
    assert recency_order([], [], [])[0].tolist() == []


def test_three_reports_are_boosted_by_their_place_among_the_storys_dates():
    _, scores = recency_order([0.0, 0.0, 0.0, 1.0], ["2025-03-14", "2025-03-15", "2025-03-17", ""],
                              [FIRST, "Garrow Hill rescue goes on", UPDATE, OTHER])
    assert np.allclose(scores[:3], [0.0, 0.5 * RECENCY_WEIGHT, RECENCY_WEIGHT])


def test_story_names_leave_out_generic_words():
    assert title_names(UPDATE) == {"garrow", "hill"}
    assert title_names("City Council names new Police Chief on Monday") == frozenset()
    assert title_names("Brevik's plan") == {"brevik"}
