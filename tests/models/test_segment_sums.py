"""WordLlama vectors are means of token rows: `segment_sums` adds each text's rows bit for bit as
`np.add.reduceat` did, so every vector (stored, query, sentence) is the same as before."""

import numpy as np
import pytest

from qa.models.wordllama import segment_sums


@pytest.mark.parametrize("seed", range(5))
def test_segment_sums_are_reduceat_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    # every branch of the pairwise sum: fewer than 8 rows, up to 128, halves above; runs of one row
    lengths = np.array([1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 130, 300, 1000, 5000, 3, 3, 8])
    lengths = rng.permutation(np.concatenate([lengths, rng.integers(1, 60, size=40)]))
    rows = rng.standard_normal((int(lengths.sum()), 16)).astype(np.float32) * rng.uniform(0.01, 100)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    assert np.array_equal(segment_sums(rows, lengths), np.add.reduceat(rows, starts, axis=0))
