"""Where each question went wrong, so the weak stage of a run is visible at a glance.

Every question gets one outcome, checked in this order:
- "error": the model call failed (the message is in the result);
- "right": an answerable question answered with a gold answer, or an unanswerable one declined;
- "retrieval missed the passage": no chunk given to the model held the gold evidence;
- "citation dropped": the reply claimed an answer, but none of its quotes was found in the
  articles, so it was withdrawn (qa/answer/gate.py);
- "reply unusable": the reply claimed an answer with no quote at all (unparseable, or the prompt's
  own placeholders), so it was withdrawn;
- "support check withdrew it": a quoted answer failed the answer-level checks
  (qa/answer/support.py: wrong entity, type, dates) and was withdrawn;
- "model abstained": the passage was there and the model said the articles do not answer;
- "model answered wrongly": an answer was shown, but not a gold one;
- "false answer": answered when it should not have: an unanswerable question, a known wrong
  answer (wrong entity or dates), or a citation outside the question's filters.
"""

from __future__ import annotations

from qa.evaluation.scoring import QuestionResult

OUTCOMES = (
    "right",
    "retrieval missed the passage",
    "citation dropped",
    "reply unusable",
    "support check withdrew it",
    "model abstained",
    "model answered wrongly",
    "false answer",
    "error",
)


def outcome(result: QuestionResult, top_k: int) -> str:
    scores = result.scores
    if result.error:
        return "error"
    if scores.get("false_answer") or (result.answerable and not result.gold_answerable):
        return "false answer"
    if not result.gold_answerable:
        return "right"
    if result.answerable and scores.get("answer_recall"):
        return "right"
    rank = scores.get("evidence_rank")
    if scores.get("evidence_spans") and (rank is None or rank > top_k):
        return "retrieval missed the passage"
    if result.withdrawn and result.support is not None and not result.support.get("supported"):
        return "support check withdrew it"
    if result.withdrawn:
        return "citation dropped" if result.unverified else "reply unusable"
    return "model answered wrongly" if result.answerable else "model abstained"


def breakdown(results: list[QuestionResult], top_k: int) -> dict[str, int]:
    """How many questions ended in each outcome (every outcome listed, zeros included)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        counts[outcome(result, top_k)] += 1
    return counts
