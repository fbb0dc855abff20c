"""A small linear scorer with named features, and its deterministic listwise trainer.

The extractive model ranks candidates (chunks, sentences, answer spans) by `weights · features`.
Weights live in JSON files under qa/reader/weights/ and are retrained by eval/train_scorers.py; training
is full-batch gradient descent from zeros with a fixed step count, so the same data gives the
same weights on any machine.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@dataclass(frozen=True)
class LinearScorer:
    features: tuple[str, ...]
    weights: np.ndarray
    threshold: float = 0.0  # the abstention cut-off some scorers carry (see the weights file)

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Scores for a (candidates x features) matrix whose columns follow `self.features`."""
        if rows.size == 0:
            return np.zeros(len(rows))
        return rows @ self.weights

    def to_json(self, **extra) -> str:
        data = {
            "features": list(self.features),
            "weights": [round(float(w), 6) for w in self.weights],
            "threshold": round(float(self.threshold), 6),
            **extra,
        }
        return json.dumps(data, indent=1) + "\n"


@lru_cache(maxsize=8)
def load_scorer(name: str) -> LinearScorer:
    """Load qa/reader/weights/<name>.json (cached: the files are read once per process)."""
    data = json.loads((WEIGHTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return LinearScorer(
        tuple(data["features"]), np.asarray(data["weights"], dtype=np.float64), float(data.get("threshold", 0.0))
    )


def train_listwise(
    groups: Sequence[tuple[np.ndarray, np.ndarray]],
    steps: int = 400,
    rate: float = 1.0,
    l2: float = 1e-3,
) -> np.ndarray:
    """Weights that put probability on each group's good candidates (softmax cross-entropy).

    `groups` holds (features, targets) per question: targets are >= 0 and name the good
    candidates (e.g. 1 for the right span, or the span's F1); groups without any are skipped.
    """
    usable = [(x.astype(np.float64), t / t.sum()) for x, t in groups if len(t) and t.sum() > 0]
    if not usable:
        raise ValueError("no training group has a good candidate")
    # All groups in one matrix; a softmax per group via reduceat over the group offsets.
    x = np.vstack([g for g, _ in usable])
    target = np.concatenate([t for _, t in usable])
    sizes = np.array([len(t) for _, t in usable])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    weights = np.zeros(x.shape[1])
    for _ in range(steps):
        s = x @ weights
        s -= np.repeat(np.maximum.reduceat(s, offsets), sizes)
        p = np.exp(s)
        p /= np.repeat(np.add.reduceat(p, offsets), sizes)
        gradient = x.T @ (p - target) / len(usable)
        weights -= rate * (gradient + l2 * weights)
    return weights
