"""One min-max scaling for fusion and the re-ranker, and what each gets when all values are equal
(fusion: 1 for a side every candidate matched equally, the re-ranker: 0)."""

from __future__ import annotations

import numpy as np
import pytest

from qa.reader.features import Passage
from qa.reader.questions import read_question
from qa.retrieval.hybrid import Scored, fuse
from qa.retrieval.rerank import rerank_rows
from qa.retrieval.scaling import min_max


@pytest.mark.parametrize(
    ("values", "equal_positive", "expected"),
    [
        ([1.0, 3.0, 2.0], 0.0, [0.0, 1.0, 0.5]),
        ([1.0, 3.0, 2.0], 1.0, [0.0, 1.0, 0.5]),  # only all-equal input is affected
        ([0.4, 0.4, 0.4], 0.0, [0.0, 0.0, 0.0]),
        ([0.4, 0.4, 0.4], 1.0, [1.0, 1.0, 1.0]),
        ([0.0, 0.0], 1.0, [0.0, 0.0]),  # equal and not positive: 0 either way
        ([-0.2, -0.2], 1.0, [0.0, 0.0]),
        ([0.5, 0.5 + 1e-13], 1.0, [1.0, 1.0]),  # a spread this small counts as equal
        ([7.0], 1.0, [1.0]),
    ],
)
def test_min_max(values, equal_positive, expected):
    scaled = min_max(values, equal_positive=equal_positive)
    assert scaled.dtype == np.float64
    assert scaled.tolist() == pytest.approx(expected)


def test_scaling_matches_plain_float_arithmetic_exactly():
    """Fusion used to scale with Python floats: numpy float64 gives the same bits."""
    values = [0.1234567, 0.7654321, 0.33333334, 0.5]
    low, high = min(values), max(values)
    assert min_max(values, equal_positive=1.0).tolist() == [(v - low) / (high - low) for v in values]


def test_fusion_counts_a_side_all_candidates_match_equally_in_full():
    scored = [Scored("b", dense=0.6, bm25=2.0), Scored("a", dense=0.6, bm25=4.0), Scored("c", dense=0.6, bm25=0.0)]
    ranked = fuse(scored, "hybrid", dense_weight=0.3)
    assert [s.chunk_id for s in ranked] == ["a", "b", "c"]
    assert [s.fused for s in ranked] == pytest.approx([0.3 + 0.7, 0.3 + 0.35, 0.3])
    no_bm25 = fuse([Scored("x", dense=0.2, bm25=0.0), Scored("y", dense=0.8, bm25=0.0)], "hybrid", 0.3)
    assert [(s.chunk_id, s.fused) for s in no_bm25] == [("y", pytest.approx(0.3)), ("x", 0.0)]


def test_rerank_features_of_equal_scores_are_zero():
    question = read_question("When does the ferry run?")
    passages = [Passage("Harbour", "The ferry runs twice a day."), Passage("Mill", "The mill reopened.")]
    rows = rerank_rows(question, passages, fused=[0.5, 0.5], bm25=[1.5, 1.5], dense=[0.2, 0.1], embed=None)
    assert rows[:, 0].tolist() == [0.0, 0.0] and rows[:, 1].tolist() == [0.0, 0.0]
    assert rows[:, 2].tolist() == [0.2, 0.1]
