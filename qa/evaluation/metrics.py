"""Answer, abstention, citation and retrieval metrics for one question, and their aggregates.

Definitions are documented in eval/README.md; the functions here are their single source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from qa.text.normalize import normalize_answer

K_VALUES = (1, 3, 5, 10)


def exact_match(prediction: str, answers: Sequence[str]) -> float:
    if not answers:
        return 0.0
    p = normalize_answer(prediction)
    return float(any(p == normalize_answer(a) for a in answers))


def token_f1(prediction: str, answers: Sequence[str]) -> float:
    best = 0.0
    p_tokens = normalize_answer(prediction).split()
    for answer in answers:
        a_tokens = normalize_answer(answer).split()
        common = Counter(p_tokens) & Counter(a_tokens)
        same = sum(common.values())
        if not p_tokens or not a_tokens or same == 0:
            continue
        precision, recall = same / len(p_tokens), same / len(a_tokens)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def answer_recall(prediction: str, answers: Sequence[str]) -> float:
    """1 when some normalised gold answer occurs (on word boundaries) in the normalised answer."""
    p = f" {normalize_answer(prediction)} "
    return float(any(normalize_answer(a) and f" {normalize_answer(a)} " in p for a in answers))


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def first_hit_rank(hits: Sequence[bool]) -> int | None:
    return next((i + 1 for i, hit in enumerate(hits) if hit), None)


def recall_at(ranks: Sequence[int | None], k: int) -> float | None:
    return mean([1.0 if r is not None and r <= k else 0.0 for r in ranks])


def mrr(ranks: Sequence[int | None]) -> float | None:
    return mean([1.0 / r if r else 0.0 for r in ranks])


def sides_shown(reported: Sequence[str], sides: Sequence[Sequence[str]]) -> float:
    """1 when every side of a disagreement is among the reported values: some reported value
    contains (normalised, on word boundaries) one of the side's acceptable values."""
    if not sides:
        return 0.0
    return float(all(any(answer_recall(value, side) for value in reported) for side in sides))
