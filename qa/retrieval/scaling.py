"""Min-max scaling of retrieval scores, shared by fusion (qa/retrieval/hybrid.py) and the
re-ranker's features (qa/retrieval/rerank.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_FLAT = 1e-12  # a spread this small (or smaller) counts as all values being equal


def min_max(values: Sequence[float] | np.ndarray, equal_positive: float = 0.0) -> np.ndarray:
    """`values` scaled to 0..1 (float64). When they are all equal there is nothing to scale:
    every value becomes `equal_positive` if they are positive, else 0. Fusion passes 1.0 (all
    candidates matched that side equally well), the re-ranker keeps 0.0 (a feature that tells
    candidates apart by nothing)."""
    array = np.asarray(values, dtype=np.float64)
    low, high = float(array.min()), float(array.max())
    if high - low <= _FLAT:
        return np.full_like(array, equal_positive if high > 0 else 0.0)
    return (array - low) / (high - low)
